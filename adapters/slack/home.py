"""The App Home tab: the learner's progress, and for admins the schedules with their buttons."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.slack.blocks import (
    actions,
    button,
    channel_ref,
    confirm_dialog,
    context,
    date_token,
    divider,
    header,
    section,
    streak_text,
    user_text,
)
from adapters.slack.item_blocks import review_blocks
from adapters.slack.modals import schedule_summary
from bot.item_views import ItemAnalysis
from bot.views import Actor, GroupView, LeaderboardView, NextPost, ScheduleView, StreakView


@dataclass
class HomeData:
    actor: Actor
    streak: StreakView
    board: LeaderboardView
    group: GroupView | None
    next_question: NextPost | None
    schedules: list[ScheduleView]  # only gathered for admins
    notice: str | None = None
    review: ItemAnalysis | None = None  # only gathered for admins


async def gather(engine, actor: Actor, now: datetime, notice: str | None = None) -> HomeData:
    streak = await engine.streak(actor, now)
    board = await engine.leaderboard(actor, now, "all")
    group = next((g for g in await engine.groups(actor) if g.is_mine), None)
    next_question = await engine.next_post_time(actor, now)
    schedules = await engine.schedule_list(actor, now) if actor.is_admin else []
    review = await engine.item_analysis(actor, now) if actor.is_admin else None
    return HomeData(actor, streak, board, group, next_question, schedules, notice, review)


def home_view(data: HomeData) -> dict:
    blocks: list[dict] = [header("Daily quiz")]
    if data.notice:
        blocks.append(context(f"ℹ️ {user_text(data.notice)}"))
    blocks.append(section(streak_text(data.streak), block_id="streak"))
    me = data.board.me
    rank = f"🏆 Rank *#{me.rank}* of {data.board.total} (all time)" if me else "🏆 Not ranked yet: answer a question!"
    group = f"👥 Group: *{user_text(data.group.name)}*" if data.group else "👥 No study group (`/quiz group join <name>`)"
    nxt = data.next_question
    when = (f"⏰ Next daily question: {date_token(nxt.at_utc)} in {channel_ref(nxt.channel_id, nxt.channel_name)}"
            if nxt else "⏰ No daily question is scheduled yet.")
    blocks.append(section("\n".join([rank, group, when]), block_id="stats"))
    due = data.streak.reviews_due
    learn = [button("📚 Start a lesson", "home_lessons", style=None if due else "primary"),
             button("🎯 Practice question", "home_practice")]
    if due:  # what is due comes first
        learn.insert(0, button(f"🔁 Review {due} due", "home_review", style="primary"))
    blocks.append(actions(*learn, block_id="learn"))
    if data.actor.is_admin:
        blocks += admin_blocks(data.schedules)
    if data.review is not None:
        blocks += review_blocks(data.review)
    return {"type": "home", "blocks": blocks[:100]}


def admin_blocks(schedules: list[ScheduleView]) -> list[dict]:
    blocks = [divider(), header("Daily question schedules (admins)")]
    if not schedules:
        blocks.append(section("No schedule yet. Add one to post a question to a channel every day."))
    for s in schedules[:18]:
        blocks.append(section(schedule_summary(s), block_id=f"sched:{s.id}"))
        pause = (button("Pause", f"sched_pause:{s.id}", str(s.id)) if s.enabled
                 else button("Resume", f"sched_resume:{s.id}", str(s.id), style="primary"))
        channel = channel_ref(s.channel_id, s.channel_name)
        blocks.append(actions(
            button("Edit", f"sched_edit:{s.id}", str(s.id)), pause,
            button("Skip next", f"sched_skip:{s.id}", str(s.id)),
            button("Post now", f"sched_post:{s.id}", str(s.id),
                   confirm=confirm_dialog("Post now?", f"Post today's question in {channel} now?", "Post", style="primary")),
            button("Remove", f"sched_remove:{s.id}", str(s.id), style="danger",
                   confirm=confirm_dialog("Remove schedule?", f"Stop the daily question in {channel}? "
                                          "Past answers and streaks stay.", "Remove")),
            block_id=f"sched_actions:{s.id}"))
    blocks.append(actions(button("➕ Add a schedule", "sched_add", style="primary"), block_id="sched_new"))
    return blocks
