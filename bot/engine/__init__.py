"""The quiz engine: the one place where rules live. Every call is given `now` (aware UTC)."""
from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select

from bot import metrics
from bot.content import Catalog
from bot.db import Store
from bot.domain import review as review_rules
from bot.domain.posting import PostingPolicy
from bot.domain.statuses import DeliveryKind
from bot.domain.streaks import FREEZE_MAX
from bot.engine import groups as groups_mod
from bot.engine import leaderboard as board_mod
from bot.engine import lessons as lessons_mod
from bot.engine import review as review_mod
from bot.engine import stats as stats_mod
from bot.engine.answers import AnswerDesk, answer_text, question_card
from bot.engine.calendar import QuizCalendar
from bot.engine.group_commit import GroupCommitter
from bot.engine.identity import CommunityRef, LearnerRef, Readers, community_for, find_learner, find_reader, learner_for
from bot.engine.item_analysis import ItemDesk
from bot.engine.post_counts import CountsReport, open_post_card
from bot.engine.posting import Poster
from bot.engine.reminders import ReminderDesk
from bot.engine.review import ReviewDesk
from bot.engine.schedule_desk import Changed, ScheduleDesk
from bot.errors import NotAllowed, NotFound
from bot.ids import is_row_id, require_id
from bot.item_views import ItemAnalysis, RetireChange
from bot.limits import capped
from bot.models import Answer, BotState, Community, Delivery, LearnerStats, Post, Schedule
from bot.ports import SenderRouter
from bot.timeutil import is_valid_zone, local_day, require_aware
from bot.views import (
    Actor,
    GroupChange,
    GroupView,
    LeaderboardView,
    LessonListing,
    MasteryView,
    NextPost,
    PostCard,
    PostOutcome,
    QuestionCard,
    ReminderSetting,
    ReviewCard,
    ReviewStatus,
    ScheduleSpec,
    ScheduleView,
    SnippetCard,
    StreakView,
    Verdict,
)


class Engine:
    def __init__(self, store: Store, catalog: Catalog, *, default_timezone: str = "UTC",
                 calendar: QuizCalendar | None = None, router: SenderRouter | None = None,
                 policy: PostingPolicy | None = None, desired_retention: float = review_rules.DEFAULT_RETENTION):
        self.store, self.catalog, self.default_timezone = store, catalog, default_timezone
        self.calendar = calendar or QuizCalendar()
        self.router = router or SenderRouter()
        self.desk = AnswerDesk(store, catalog, self.calendar, default_timezone)
        self.committer = GroupCommitter(store, catalog, self.calendar, default_timezone, desired_retention)
        self.reviews = ReviewDesk(store, catalog)
        self.poster = Poster(store, catalog, self.calendar, self.router, policy)
        self.schedules = ScheduleDesk(store, catalog, self.poster, default_timezone)
        self.items = ItemDesk(store, catalog, default_timezone)
        self.readers = Readers()
        self.reminders = ReminderDesk(store, default_timezone)

    def set_hooks(self, *, schedules_changed: Changed | None = None, answers_counted: CountsReport | None = None,
                  post_closing: Callable[[int], Awaitable[None]] | None = None) -> None:
        """What the runtime is told: after a schedule change commits (the timer rebuilds), after an answer
        batch commits (the daily posts it answered and their counts), before a post's results replace it."""
        self.schedules.on_changed = schedules_changed
        self.committer.on_counted = answers_counted
        self.poster.revealer.on_closing = post_closing

    # Lessons -----------------------------------------------------------------
    async def lessons(self, actor: Actor) -> list[LessonListing]:
        async with self.store.read() as session:
            _, learner = await find_reader(session, actor)
            return lessons_mod.listings(self.catalog, *await review_mod.answered_and_mastered(session, learner.id if learner else None))

    def snippet(self, lesson: str, index: int) -> SnippetCard:
        return lessons_mod.snippet_card(self.catalog, capped(lesson), index)

    def lesson_choices(self, prefix: str) -> list[tuple[str, str]]:
        return lessons_mod.lesson_matches(self.catalog, capped(prefix))

    async def lesson_question(self, actor: Actor, lesson: str, index: int, now: datetime) -> QuestionCard:
        found = lessons_mod.find_lesson(self.catalog, capped(lesson))
        if not 0 <= index < len(found.questions):
            raise NotFound(f"Lesson '{found.title}' has {len(found.questions)} questions; there is no question {index + 1}.")
        return await self.desk.deliver(actor, found.questions[index].id, DeliveryKind.LESSON, require_aware(now),
                                       index + 1, len(found.questions))

    async def practice(self, actor: Actor, now: datetime, rng: random.Random | None = None) -> QuestionCard:
        async with self.store.read() as session:
            _, learner = await find_learner(session, actor)
            question_id = await lessons_mod.pick_practice(session, self.catalog, learner, rng or random.Random())
        return await self.desk.deliver(actor, question_id, DeliveryKind.PRACTICE, require_aware(now))

    async def answer(self, actor: Actor, delivery_id: int, answer: str, now: datetime) -> Verdict:
        return await self.committer.submit(actor, require_id(delivery_id, "question"), answer_text(answer),
                                           require_aware(now))

    async def answer_post(self, actor: Actor, post_id: int, answer: str, now: datetime) -> Verdict:
        """A click or modal on a daily post: the front door knows the post, the engine its delivery."""
        return await self.committer.submit(actor, None, answer_text(answer), require_aware(now),
                                           require_id(post_id, "daily question"))

    async def post_question(self, post_id: int) -> QuestionCard:
        require_id(post_id, "daily question")
        async with self.store.read() as session:
            post = await session.get(Post, post_id)
            delivery = await session.get(Delivery, post.delivery_id) if post and post.delivery_id else None
        if delivery is None:
            raise NotFound("That daily question no longer exists.")
        return question_card(self.catalog, delivery)

    async def open_post_card(self, post_id: int) -> PostCard | None:
        """A daily post as it was sent, while answers are open; None once revealed (or never posted)."""
        if not is_row_id(post_id):
            return None
        async with self.store.read() as session:
            return await open_post_card(await session.connection(), self.catalog, post_id)

    async def post_answer_count(self, post_id: int) -> int:
        if not is_row_id(post_id):
            return 0
        async with self.store.read() as session:
            post = await session.get(Post, post_id)
            if post is None or post.delivery_id is None:
                return 0
            return (await session.exec(select(func.count(col(Answer.id))).where(Answer.delivery_id == post.delivery_id))).one()

    # Spaced review ----------------------------------------------------------------
    async def review_next(self, actor: Actor, now: datetime) -> ReviewCard:
        """The most overdue due card (answered with `answer`), or none and when the next one is due."""
        return await self.reviews.next(actor, require_aware(now))

    async def review_status(self, actor: Actor, now: datetime) -> ReviewStatus:
        return await self.reviews.status(actor, require_aware(now))

    async def mastery(self, actor: Actor, now: datetime) -> MasteryView:
        """Per lesson: questions mastered (card in review, stability >= 21 days), answered, in all."""
        require_aware(now)
        return await self.reviews.mastery(actor)

    # Schedules (admins; `next_post_time` for learners) ----------------------------
    async def schedule_create(self, actor: Actor, spec: ScheduleSpec, now: datetime) -> ScheduleView:
        return await self.schedules.create(actor, spec, now)

    async def schedule_update(self, actor: Actor, schedule_id: int, now: datetime, **changes: object) -> ScheduleView:
        return await self.schedules.update(actor, schedule_id, now, **changes)

    async def schedule_set_enabled(self, actor: Actor, schedule_id: int, enabled: bool, now: datetime) -> ScheduleView:
        return await self.schedules.set_enabled(actor, schedule_id, enabled, now)

    async def schedule_remove(self, actor: Actor, schedule_id: int) -> ScheduleView:
        return await self.schedules.remove(actor, schedule_id)

    async def schedule_list(self, actor: Actor, now: datetime) -> list[ScheduleView]:
        return await self.schedules.list(actor, now)

    async def schedule_skip_next(self, actor: Actor, schedule_id: int, now: datetime) -> ScheduleView:
        return await self.schedules.skip_next(actor, schedule_id, now)

    async def schedule_queue(self, actor: Actor, schedule_id: int, question_id: str, now: datetime) -> ScheduleView:
        return await self.schedules.queue(actor, schedule_id, question_id, now)

    async def schedule_preview(self, actor: Actor, schedule_id: int, now: datetime) -> tuple[QuestionCard, ScheduleView]:
        return await self.schedules.preview(actor, schedule_id, now)

    async def schedule_post_now(self, actor: Actor, schedule_id: int, now: datetime) -> PostOutcome:
        return await self.schedules.post_now(actor, schedule_id, now)

    async def next_post_time(self, actor: Actor, now: datetime) -> NextPost | None:
        return await self.schedules.next_post_time(actor, now)

    async def pause_community(self, platform: str, community_id: str, now: datetime) -> int:
        """The platform removed the bot (e.g. Slack app_uninstalled): stop posting there."""
        return await self.schedules.pause_community(platform, community_id, now)

    # Item analysis and retired questions (admins; `operator_item_analysis` for the CLI on the database)
    async def item_analysis(self, actor: Actor, now: datetime) -> ItemAnalysis:
        require_aware(now)  # figures come from the log alone; `now` keeps every facade call alike
        return await self.items.for_admin(actor)

    async def operator_item_analysis(self, now: datetime, community: str | None = None,
                                     platform: str | None = None) -> ItemAnalysis:
        require_aware(now)
        return await self.items.for_operator(community, platform)

    async def question_set_retired(self, actor: Actor, question_id: str, retired: bool, now: datetime) -> RetireChange:
        return await self.items.set_retired(actor, question_id, retired, now)

    async def retired_questions(self, actor: Actor) -> list[str]:
        return await self.items.retired(actor)

    async def schedule_set_recap(self, actor: Actor, schedule_id: int, day: str, now: datetime) -> ScheduleView:
        """The weekly recap's day ('mon'..'sun') or 'off'."""
        return await self.schedules.update(actor, schedule_id, now, recap_weekday=capped(day))

    # Scheduled posting: one pass reveals what closed, then sends the weekly recaps due, then posts what
    # is due (with catch-up), so a channel reads yesterday's results and the week's recap before today's question.
    async def tick(self, now: datetime) -> list[PostOutcome]:
        now = require_aware(now)
        outcomes = (await self.poster.reveal_due(now) + await self.poster.recapper.recap_due(now)
                    + await self.poster.post_due(now))
        for outcome in outcomes:
            metrics.POSTS.labels(outcome.status).inc()
        return outcomes

    # Progress ----------------------------------------------------------------
    async def streak(self, actor: Actor, now: datetime) -> StreakView:
        now = require_aware(now)
        async with self.store.read() as session:
            community, learner = await find_learner(session, actor)
            tz = community.timezone if community else self.default_timezone
            today = local_day(now, tz)
            stats = await session.get(LearnerStats, learner.id) if learner else None
            if stats is None or community is None:  # a learner (with stats) always has a community
                return StreakView(0, 0, 0, False, 0, 0, 0, today, FREEZE_MAX)
            state = await stats_mod.streak_today(session, self.calendar, community, stats, today)
            due = await review_mod.due_status(await session.connection(), stats.learner_id, review_rules.next_day_start(now, tz))
            answered, mastered = await review_mod.answered_and_mastered(session, stats.learner_id)
            return StreakView(state.current, state.best, state.freezes, state.last_day == today,
                              stats.points, stats.answers, stats.correct, today, FREEZE_MAX, due.due,
                              len(mastered), len(answered), len(self.catalog.questions))

    async def leaderboard(self, actor: Actor, now: datetime, period: str | None = None,
                          group: str | None = None, limit: int = 10) -> LeaderboardView:
        now, period, group = require_aware(now), board_mod.parse_period(capped(period)), group and capped(group)
        async with self.store.read() as session:
            remembered = self.readers.get(actor)
            if remembered is not None:
                view = await self._board(session, *remembered, now, period, group, limit, zone_remembered=True)
                if view is not None:
                    return view
            community, learner = await find_reader(session, actor)
            if community is None:
                return LeaderboardView(period, None, group, (), None, 0)
            self.readers.remember(actor, community, learner)
            view = await self._board(session, community, learner, now, period, group, limit)
            if view is None:  # cannot happen: only a board read with a remembered zone may come back empty-handed
                raise RuntimeError("a leaderboard read without a remembered zone gave no board")
            return view

    async def _board(self, session, community: CommunityRef, learner: LearnerRef | None, now: datetime, period: str,
                     group: str | None, limit: int, zone_remembered: bool = False) -> LeaderboardView | None:
        found = await groups_mod.find_group(session, community, group) if group else None
        return await board_mod.learner_board(session, self.calendar, community, learner, period,
                                             local_day(now, community.timezone), found, limit, zone_remembered)

    async def group_leaderboard(self, actor: Actor, now: datetime, period: str | None = None) -> LeaderboardView:
        now, period = require_aware(now), board_mod.parse_period(capped(period))
        async with self.store.read() as session:
            community, learner = await find_reader(session, actor)
            if community is None:
                return LeaderboardView(period, None, None, (), None, 0, kind="groups")
            return await board_mod.group_board(session, community, learner, period, local_day(now, community.timezone))

    # Groups ------------------------------------------------------------------
    async def group_create(self, actor: Actor, name: str, now: datetime) -> GroupChange:
        async with self.store.write() as session:
            community, learner = await learner_for(self.store, session, actor, require_aware(now), self.default_timezone)
            return await groups_mod.create(self.store, session, community, learner, capped(name), now)

    async def group_join(self, actor: Actor, name: str, now: datetime) -> GroupChange:
        async with self.store.write() as session:
            community, learner = await learner_for(self.store, session, actor, require_aware(now), self.default_timezone)
            return await groups_mod.join(self.store, session, community, learner, capped(name), now)

    async def group_leave(self, actor: Actor, now: datetime) -> GroupChange:
        async with self.store.write() as session:
            _, learner = await learner_for(self.store, session, actor, require_aware(now), self.default_timezone)
            return await groups_mod.leave(session, learner)

    async def groups(self, actor: Actor) -> list[GroupView]:
        async with self.store.read() as session:
            community, learner = await find_learner(session, actor)
            return await groups_mod.listing(session, community, learner) if community else []

    async def group_choices(self, actor: Actor, prefix: str) -> list[str]:
        async with self.store.read() as session:
            community, _ = await find_learner(session, actor)
            return await groups_mod.group_names(session, community, capped(prefix))

    # Review reminders (sent by bot.services.reminders) -----------------------------
    async def review_reminder(self, actor: Actor) -> ReminderSetting:
        return await self.reminders.setting(actor)

    async def set_review_reminder(self, actor: Actor, setting: str, now: datetime) -> ReminderSetting:
        """'HH:MM' (the community's local time) turns a daily DM on days with cards due on, 'off' off."""
        return await self.reminders.set(actor, capped(setting), require_aware(now))

    # Community settings and maintenance --------------------------------------
    async def set_timezone(self, actor: Actor, tz_name: str, now: datetime) -> str:
        if not actor.is_admin:
            raise NotAllowed("Only admins can change the community's time zone.")
        tz_name = capped(tz_name)
        if not is_valid_zone(tz_name):
            raise NotFound(f"Unknown time zone '{tz_name[:64]}': use an IANA name such as Europe/Berlin.")
        async with self.store.write() as session:
            community = await community_for(self.store, session, actor, require_aware(now), self.default_timezone)
            community.timezone = tz_name
            session.add(community)
            # Schedules that follow the community's zone are re-timed: no slot from before is owed.
            await session.exec(update(Schedule).where(col(Schedule.community_id) == community.id,
                                                      col(Schedule.timezone).is_(None))
                               .values(posting_from=now))
            await session.flush()
            # The calendar of quiz days changed with the zone: recompute the cache from the log at once,
            # so cached streaks keep agreeing with what the log gives.
            await stats_mod.rebuild_stats(session, self.calendar, community)
        return tz_name

    async def state_get(self, key: str) -> str | None:
        async with self.store.read() as session:
            row = await session.get(BotState, key)
            return row.value if row else None

    async def state_set(self, key: str, value: str, now: datetime) -> None:
        async with self.store.write() as session:
            await session.exec(self.store.insert(BotState).values(key=key, value=value, updated_at=require_aware(now))
                               .on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now}))

    async def _community(self, session, actor: Actor) -> Community:
        community, _ = await find_learner(session, actor)
        if community is None:
            raise NotFound("Nobody has used the bot in this community yet.")
        return community

    async def verify_stats(self, actor: Actor) -> list[stats_mod.StatsMismatch]:
        async with self.store.read() as session:
            return await stats_mod.verify_stats(session, self.calendar, await self._community(session, actor))

    async def rebuild_stats(self, actor: Actor) -> int:
        async with self.store.write() as session:
            return await stats_mod.rebuild_stats(session, self.calendar, await self._community(session, actor))
