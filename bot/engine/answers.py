"""Show a question and take an answer: one transaction, safe to repeat."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import grading
from bot.content import Catalog
from bot.content.schema import FreeTextQuestion, Question, SingleChoiceQuestion
from bot.db import Store
from bot.engine import stats as stats_mod
from bot.engine.calendar import QuizCalendar
from bot.engine.identity import learner_for
from bot.errors import BadInput, NotFound
from bot.models import Answer, Community, Delivery, Learner, LearnerStats, Post, ScoredQuestion
from bot.timeutil import local_day
from bot.views import Actor, ChoiceView, QuestionCard, Verdict

POINTS_PER_DIFFICULTY = 10
PERSONAL_KINDS = ("lesson", "practice")
ANSWER_TEXT_MAX = 2000


def points_for(question: Question, correct: bool) -> int:
    return POINTS_PER_DIFFICULTY * question.difficulty if correct else 0


def question_card(catalog: Catalog, delivery: Delivery, position: int = 0, of: int = 0) -> QuestionCard:
    question = catalog.questions[delivery.question_id]
    lesson = catalog.lesson(catalog.lesson_of[question.id])
    choices = ()
    if isinstance(question, SingleChoiceQuestion):
        choices = tuple(ChoiceView(c.id, str(i), c.text) for i, c in enumerate(question.choices, 1))
    return QuestionCard(delivery.id, question.id, lesson.id, lesson.title, question.prompt, question.kind,
                        choices, question.difficulty, position, of, delivery.closes_at)


def interpret_choice(question: SingleChoiceQuestion, raw: str) -> str:
    """A choice id (buttons), its number as shown (1..n), or its words (typed)."""
    text = raw.strip()
    ids = [c.id for c in question.choices]
    if text in ids:
        return text
    if text.isdigit():
        n = int(text)
        if 1 <= n <= len(ids):
            return ids[n - 1]
        raise BadInput(f"There is no choice {n}: answer with a number from 1 to {len(ids)}.")
    matched = grading.match_choice_text(question, text)
    if matched is None:
        raise BadInput(f"I couldn't tell which choice you meant: answer with a number from 1 to {len(ids)}.")
    return matched


def right_answer(question: Question) -> str:
    if isinstance(question, SingleChoiceQuestion):
        i, choice = next((i, c) for i, c in enumerate(question.choices, 1) if c.correct)
        return f"{i}. {choice.text}"
    return question.display_answer


def shown_answer(question: Question, answer: Answer) -> str:
    if isinstance(question, SingleChoiceQuestion) and answer.choice_id:
        for i, c in enumerate(question.choices, 1):
            if c.id == answer.choice_id:
                return f"{i}. {c.text}"
    return answer.text or answer.choice_id or ""


async def create_delivery(session: AsyncSession, community: Community, question_id: str, kind: str,
                          now: datetime, learner: Learner | None = None,
                          closes_at: datetime | None = None) -> Delivery:
    delivery = Delivery(community_id=community.id, question_id=question_id, kind=kind,
                        learner_id=learner.id if learner else None, created_at=now, closes_at=closes_at)
    session.add(delivery)
    await session.flush()
    return delivery


class AnswerDesk:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, default_timezone: str = "UTC"):
        self.store, self.catalog, self.calendar, self.default_timezone = store, catalog, calendar, default_timezone

    async def deliver(self, actor: Actor, question_id: str, kind: str, now: datetime,
                      position: int = 0, of: int = 0) -> QuestionCard:
        if question_id not in self.catalog.questions:
            raise NotFound(f"There is no question '{question_id}'.")
        async with self.store.write() as session:
            community, learner = await learner_for(self.store, session, actor, now, self.default_timezone)
            delivery = await create_delivery(session, community, question_id, kind, now, learner)
        return question_card(self.catalog, delivery, position, of)

    async def answer(self, actor: Actor, delivery_id: int, raw: str, now: datetime) -> Verdict:
        raw = (raw or "")[:ANSWER_TEXT_MAX]
        async with self.store.write() as session:
            community, learner = await learner_for(self.store, session, actor, now, self.default_timezone)
            delivery = await session.get(Delivery, delivery_id)
            if delivery is None or delivery.community_id != community.id or delivery.learner_id not in (None, learner.id):
                raise NotFound("That question isn't open to you here.")
            question = self.catalog.question(delivery.question_id)
            if question is None:
                raise NotFound("That question has been retired from the course.")
            earlier = await self._existing(session, delivery.id, learner.id)
            if earlier is not None:
                return await self._verdict(session, question, earlier, "repeat")
            if delivery.closed_at is not None or (delivery.closes_at is not None and now >= delivery.closes_at):
                return Verdict(status="closed", question_id=question.id)
            answer = self._graded(question, raw)
            answer.delivery_id, answer.learner_id, answer.community_id = delivery.id, learner.id, community.id
            answer.answered_at, answer.local_day = now, await self._answer_day(session, delivery, community, now)
            inserted = await session.exec(
                self.store.insert(Answer).values(**answer.model_dump(exclude={"id"}))
                .on_conflict_do_nothing(index_elements=["delivery_id", "learner_id"]).returning(Answer.id))
            answer_id = inserted.scalar_one_or_none()
            if answer_id is None:  # a concurrent double click won the race; report its verdict
                return await self._verdict(session, question, await self._existing(session, delivery.id, learner.id), "repeat")
            answer.id = answer_id
            answer.points = await self._award(session, question, delivery, answer)
            stats = await stats_mod.record_answer(session, self.calendar, community, answer)
            return self._render(question, answer, stats, "new")

    @staticmethod
    async def _answer_day(session: AsyncSession, delivery: Delivery, community: Community, now: datetime):
        """A daily post's answer counts for the post's quiz day (Friday's question answered on Saturday
        keeps Friday's streak); any other answer counts for the local day it was given."""
        if delivery.kind == "post":
            day = (await session.exec(select(Post.quiz_day).where(Post.delivery_id == delivery.id))).first()
            if day is not None:
                return day
        return local_day(now, community.timezone)

    def _graded(self, question: Question, raw: str) -> Answer:
        if isinstance(question, SingleChoiceQuestion):
            choice_id = interpret_choice(question, raw)
            grade = grading.grade_choice(question, choice_id)
            return Answer(question_id=question.id, choice_id=choice_id, correct=grade.correct, close=False)
        if not raw.strip():
            raise BadInput("Type an answer in words.")
        assert isinstance(question, FreeTextQuestion)
        grade = grading.grade_free_text(question, raw)
        return Answer(question_id=question.id, text=raw.strip(), correct=grade.correct, close=grade.close)

    async def _award(self, session: AsyncSession, question: Question, delivery: Delivery, answer: Answer) -> int:
        points = points_for(question, answer.correct)
        if points and delivery.kind in PERSONAL_KINDS:
            # Lesson and practice questions pay once per learner: retakes are for learning, not farming.
            first = await session.exec(self.store.insert(ScoredQuestion).values(
                learner_id=answer.learner_id, question_id=question.id, answer_id=answer.id,
            ).on_conflict_do_nothing(index_elements=["learner_id", "question_id"]).returning(ScoredQuestion.answer_id))
            if first.scalar_one_or_none() is None:
                points = 0
        if points:
            row = await session.get(Answer, answer.id)
            row.points = points
            session.add(row)
        return points

    @staticmethod
    async def _existing(session: AsyncSession, delivery_id: int, learner_id: int) -> Answer | None:
        return (await session.exec(select(Answer).where(
            Answer.delivery_id == delivery_id, Answer.learner_id == learner_id))).first()

    async def _verdict(self, session: AsyncSession, question: Question, answer: Answer, status: str) -> Verdict:
        stats = (await session.exec(select(LearnerStats).where(LearnerStats.learner_id == answer.learner_id))).one()
        return self._render(question, answer, stats, status)

    @staticmethod
    def _render(question: Question, answer: Answer, stats: LearnerStats, status: str) -> Verdict:
        return Verdict(
            status=status, question_id=question.id, correct=answer.correct, close=answer.close,
            your_answer=shown_answer(question, answer), right_answer=right_answer(question),
            explanation=question.explanation, points=answer.points, total_points=stats.points,
            streak=stats.current_streak, best_streak=stats.best_streak, freezes=stats.freezes,
        )
