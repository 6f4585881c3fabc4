"""Questions shown and answers graded: the pieces the answer path (group_commit) is built from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.content.schema import Question
from bot.db import Store
from bot.domain.kinds import kind_of
from bot.domain.kinds.base import Reading
from bot.domain.statuses import DeliveryKind, VerdictStatus
from bot.domain.streaks import StreakState
from bot.engine.calendar import QuizCalendar
from bot.engine.identity import learner_for
from bot.errors import NotFound
from bot.limits import ANSWER_TEXT_MAX
from bot.models import Answer, Community, Delivery, Learner, row_id
from bot.views import Actor, ChoiceView, QuestionCard, Verdict

NON_ANSWER_NOTE = "No worries — here is the answer."


def answer_text(raw: str | None) -> str:
    """What is graded and stored of a typed answer: bounded, and without NUL, which PostgreSQL's text
    cannot hold (the whole answer would be refused with a driver error)."""
    return (raw or "")[:ANSWER_TEXT_MAX].replace("\x00", "")


def question_card(catalog: Catalog, delivery: Delivery, position: int = 0, of: int = 0) -> QuestionCard:
    return card_of(catalog, row_id(delivery), delivery.question_id, position, of, delivery.closes_at)


def card_of(catalog: Catalog, delivery_id: int, question_id: str, position: int = 0, of: int = 0,
            closes_at: datetime | None = None) -> QuestionCard:
    """A question as shown, from ids alone (the poster builds thousands without loading deliveries)."""
    question = catalog.questions[question_id]
    lesson = catalog.lesson(catalog.lesson_of[question.id])
    if lesson is None:  # cannot happen: lesson_of names the lesson the question was loaded from
        raise KeyError(f"question {question.id} has no lesson in the catalog")
    choices = tuple(ChoiceView(c.id, c.label, c.text) for c in kind_of(question).choices(question))
    return QuestionCard(delivery_id, question.id, lesson.id, lesson.title, question.prompt, question.kind,
                        choices, question.difficulty, position, of, closes_at)


def right_answer(question: Question) -> str:
    return kind_of(question).right_answer(question)


def shown_answer(question: Question, answer: Answer | AnswerRow) -> str:
    return kind_of(question).shown_answer(question, answer.choice_id, answer.text)


async def create_delivery(session: AsyncSession, community: Community, question_id: str, kind: DeliveryKind,
                          now: datetime, learner: Learner | None = None,
                          closes_at: datetime | None = None) -> Delivery:
    delivery = Delivery(community_id=row_id(community), question_id=question_id, kind=kind,
                        learner_id=learner.id if learner else None, created_at=now, closes_at=closes_at)
    session.add(delivery)
    await session.flush()
    return delivery


class AnswerDesk:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, default_timezone: str = "UTC"):
        self.store, self.catalog, self.calendar, self.default_timezone = store, catalog, calendar, default_timezone

    async def deliver(self, actor: Actor, question_id: str, kind: DeliveryKind, now: datetime,
                      position: int = 0, of: int = 0) -> QuestionCard:
        if question_id not in self.catalog.questions:
            raise NotFound(f"There is no question '{question_id}'.")
        async with self.store.write() as session:
            community, learner = await learner_for(self.store, session, actor, now, self.default_timezone)
            delivery = await create_delivery(session, community, question_id, kind, now, learner)
        return question_card(self.catalog, delivery, position, of)



@dataclass(slots=True)
class AnswerRow:
    """An answer as the answer path handles it: plain data with the `answer` table's column names.

    Why not the ORM model: a batch builds hundreds of these, and an instrumented SQLModel instance
    costs about ten times as much to create and fill; the rows are written with Core statements.
    """
    question_id: str
    choice_id: str | None
    text: str | None
    correct: bool
    close: bool
    points: int = 0
    id: int | None = None
    delivery_id: int | None = None
    learner_id: int | None = None
    community_id: int | None = None
    answered_at: datetime | None = None
    local_day: date | None = None


def grade_answer(question: Question, raw: str) -> AnswerRow:
    """An unsaved answer with the grade; BadInput when the text cannot be an answer to this question."""
    return answer_row(question.id, kind_of(question).read(question, raw))


def answer_row(question_id: str, reading: Reading) -> AnswerRow:
    return AnswerRow(question_id, reading.choice_id, reading.text, reading.grade.correct, reading.grade.close)


def is_non_answer(question: Question, answer: Answer | AnswerRow) -> bool:
    """A typed "I don't know" (graded again: the answer row keeps only right, close and the text)."""
    return kind_of(question).is_non_answer(question, answer.correct, answer.text)


def verdict_for(question: Question, answer: Answer | AnswerRow, total_points: int, state: StreakState,
                status: VerdictStatus) -> Verdict:
    non_answer = is_non_answer(question, answer)
    return Verdict(
        status=status, question_id=question.id, correct=answer.correct, close=answer.close,
        your_answer=shown_answer(question, answer), right_answer=right_answer(question),
        explanation=question.explanation, points=answer.points, total_points=total_points,
        streak=state.current, best_streak=state.best, freezes=state.freezes,
        non_answer=non_answer, note=NON_ANSWER_NOTE if non_answer else "",
    )
