"""Engine views → Discord embeds and text. Pure functions: nothing here talks to Discord or the engine.

User-typed text (names, group names, free-text answers, and error sentences that quote them) is
escaped for markdown and mentions, so it can neither ping (@everyone, <@&role>) nor break the message. Lesson content keeps its markdown but
loses its mentions. Every message is also sent with allowed_mentions=none, the second lock.
"""
from __future__ import annotations

from datetime import datetime

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.views import (
    GroupChange,
    GroupView,
    LeaderboardView,
    LeaderRow,
    LessonListing,
    PostOutcome,
    QuestionCard,
    ResultsView,
    ScheduleView,
    SnippetCard,
    StreakView,
    Verdict,
)

BRAND = discord.Colour.blurple()
GOOD = discord.Colour.green()
BAD = discord.Colour.red()
CLOSE = discord.Colour.gold()
GREY = discord.Colour.light_grey()

PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
NO_PINGS = discord.AllowedMentions.none()
ZWSP = "\u200b"
NOTICE_MAX = 2000  # a message's content


def clip(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def user_text(text: str, limit: int = 100) -> str:
    """Anything a user typed: one line, clipped, then inert. Markdown is escaped, in links too; zero-width
    spaces keep `](` from making a masked link and `<` from opening a token (<#channel>, </command:id>,
    <t:…>, <:emoji:id>); escape_mentions breaks @everyone, @here and <@user>/<@&role>."""
    unlinked = clip(" ".join((text or "").split()), limit).replace("](", "]" + ZWSP + "(")
    escaped = escape_markdown(unlinked, ignore_links=False)
    return escape_mentions(escaped.replace("<", "<" + ZWSP))


def notice(text: str) -> str:
    """A sentence for one person that may quote what they typed (an engine error): shown as text."""
    return user_text(text, NOTICE_MAX)


def content_text(text: str, limit: int = 1500) -> str:
    """Authored lesson content: its markdown stays, its mentions go."""
    return escape_mentions(clip(text or "", limit))


def stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * (3 - difficulty)


def when(at: datetime | None, style: discord.utils.TimestampStyle = "R") -> str:
    return discord.utils.format_dt(at, style) if at else ""


# Lessons --------------------------------------------------------------------------
def lessons_embed(items: list[LessonListing], *, with_ids: bool = False) -> discord.Embed:
    embed = discord.Embed(title="Lessons", colour=BRAND)
    lines = []
    for item in items:
        done = "✅" if item.completed else f"{item.answered}/{item.questions}"
        if item.mastered:
            done += f" · 🧠 {item.mastered} mastered"
        ident = f" `{item.id}`" if with_ids else ""
        lines.append(f"**{item.number}.** {content_text(item.title, 120)}{ident} — {done}")
    embed.description = clip("\n".join(lines) or "No lessons are loaded.", 4000)
    embed.set_footer(text="Start one with /lesson <name>; /quiz gives a practice question.")
    return embed


def snippet_embed(card: SnippetCard) -> discord.Embed:
    embed = discord.Embed(title=clip(f"{card.lesson_title} — part {card.index + 1}/{card.total}", 256), colour=BRAND)
    embed.description = f"**{content_text(card.title, 200)}**\n{content_text(card.body, 3500)}"
    embed.set_footer(text="Press Questions ▶ to test yourself." if card.is_last else "Press Next ▶ to continue.")
    return embed


def _choices_block(card: QuestionCard) -> str:
    return "\n".join(f"**{c.label}.** {content_text(c.text, 300)}" for c in card.choices)


def question_embed(card: QuestionCard, *, heading: str | None = None) -> discord.Embed:
    if heading is None:
        heading = (f"Question {card.position}/{card.of} · {card.lesson_title}" if card.of
                   else f"Practice · {card.lesson_title}")
    embed = discord.Embed(title=clip(heading, 256), colour=BRAND)
    body = content_text(card.prompt, 1500)
    if card.choices:
        body += "\n\n" + _choices_block(card)
    embed.description = clip(body, 4000)
    how = "Pick a number below." if card.choices else "Press Answer and type a few words."
    embed.set_footer(text=f"Difficulty {stars(card.difficulty)} · {how}")
    return embed


def post_embed(card: QuestionCard, *, answers: int | None = None) -> discord.Embed:
    """The daily post. Answers come back privately, so the channel only sees how many answered."""
    embed = discord.Embed(title=clip(f"Daily question · {card.lesson_title}", 256), colour=BRAND)
    body = content_text(card.prompt, 1500)
    if card.choices:
        body += "\n\n" + _choices_block(card)
    if card.closes_at:
        body += f"\n\nCloses {when(card.closes_at)}."
    embed.description = clip(body, 4000)
    if answers is not None:
        embed.add_field(name="Answers", value=f"👥 {answers} answered so far")
    how = "Pick a number below" if card.choices else "Press Answer and type a few words"
    embed.set_footer(text=f"Difficulty {stars(card.difficulty)} · {how}: only you will see your verdict.")
    return embed


def ping_content(ping_role: str | None) -> tuple[str | None, discord.AllowedMentions]:
    """The daily post's text: the schedule's role, and only that role, may be pinged."""
    if not ping_role or not ping_role.isdigit():
        return None, NO_PINGS
    role = discord.Object(int(ping_role))
    return f"<@&{ping_role}> today's question is up!", discord.AllowedMentions(
        everyone=False, users=False, roles=[role], replied_user=False)


def results_embed(results: ResultsView, card: QuestionCard | None = None) -> discord.Embed:
    title = f"Results · {card.lesson_title}" if card else "Results"
    embed = discord.Embed(title=clip(title, 256), colour=GREY)
    lines = [content_text(results.prompt, 1200), "", f"**Answer:** {content_text(results.right_answer, 500)}",
             content_text(results.explanation, 1200)]
    embed.description = clip("\n".join(lines), 4000)
    if results.choices:
        rows = [f"{'✅' if c.correct else '▫️'} **{c.label}.** {c.bar()} {c.share:.0%} ({c.count})"
                for c in results.choices]
        embed.add_field(name="How people answered", value=clip("\n".join(rows), 1024), inline=False)
    embed.add_field(name="Answered", value=str(results.answered))
    embed.add_field(name="Correct", value=f"{results.correct} ({results.share_correct:.0%})")
    if results.top_streaks:
        top = "\n".join(f"🔥 {user_text(name, 40)} — {days} day(s)" for name, days in results.top_streaks[:5])
        embed.add_field(name="Longest streaks", value=clip(top, 1024), inline=False)
    embed.set_footer(text="This question is closed. See you at the next one!")
    return embed


def thread_name(card: QuestionCard) -> str:
    return clip(f"Results: {' '.join(card.prompt.split())}", 100)


# Verdicts and progress ------------------------------------------------------------
def verdict_embed(v: Verdict) -> discord.Embed:
    if v.status == "closed":
        return discord.Embed(title="This question is closed", colour=GREY,
                             description="Answers no longer count here; the results are on the post.")
    if v.correct:
        title, colour = "✅ Correct!", GOOD
    elif v.note:
        title, colour = f"💡 {v.note}", GREY
    elif v.close:
        title, colour = "≈ Close, but not quite", CLOSE
    else:
        title, colour = "❌ Not quite", BAD
    lines = []
    if v.status == "repeat":
        lines.append("*You already answered this one; your first answer stands.*")
    if not v.correct:
        lines.append(f"**Your answer:** {user_text(v.your_answer, 300)}")
    lines.append(f"**Answer:** {content_text(v.right_answer, 500)}")
    lines.append(content_text(v.explanation, 1500))
    embed = discord.Embed(title=title, colour=colour, description=clip("\n".join(lines), 4000))
    gain = "Review: no points, streak kept" if v.review else f"+{v.points} points"
    embed.set_footer(text=f"{gain} · total {v.total_points} · 🔥 streak {v.streak} day(s)"
                          f" · best {v.best_streak} · freezes {v.freezes}")
    return embed


def streak_embed(s: StreakView) -> discord.Embed:
    today = "answered today ✅" if s.answered_today else "not answered yet today"
    accuracy = f"{s.correct / s.answers:.0%}" if s.answers else "–"
    embed = discord.Embed(title=f"🔥 {s.current}-day streak", colour=BRAND,
                          description=f"{today} · best {s.best} · freezes {s.freezes}/2")
    embed.add_field(name="Points", value=str(s.points))
    embed.add_field(name="Answers", value=str(s.answers))
    embed.add_field(name="Accuracy", value=accuracy)
    embed.add_field(name="Reviews", value=f"{s.reviews_due} due" + (" · /review" if s.reviews_due else ""))
    embed.add_field(name="Mastered", value=f"{s.mastered} of {s.answered_questions} answered")
    return embed


def _leader_line(board: LeaderboardView, row: LeaderRow) -> str:
    name = user_text(row.name, 40) + (" **(you)**" if row.is_me else "")
    if board.kind == "groups":
        return f"**#{row.rank}** {name} — {row.points} pts/member · {row.members} active · {row.accuracy:.0%}"
    return f"**#{row.rank}** {name} — {row.points} pts · {row.accuracy:.0%} · 🔥{row.streak}"


def leaderboard_embed(board: LeaderboardView) -> discord.Embed:
    what = "Groups" if board.kind == "groups" else "Leaderboard"
    title = f"{what} — {PERIOD_TITLE.get(board.period, board.period)}"
    if board.group:
        title += f" — {user_text(board.group, 60)}"
    embed = discord.Embed(title=clip(title, 256), colour=BRAND)
    lines = [_leader_line(board, r) for r in board.rows] or ["Nobody has scored yet."]
    embed.description = clip("\n".join(lines), 4000)
    if board.me is not None:
        mine = f"#{board.me.rank} of {board.total} · {board.me.points} pts · 🔥{board.me.streak}"
    else:
        mine = "Not ranked yet: answer a question to join the board."
    embed.add_field(name="My rank", value=mine, inline=False)
    if board.since:
        embed.set_footer(text=f"Since {board.since.isoformat()}")
    return embed


def groups_embed(items: list[GroupView]) -> discord.Embed:
    embed = discord.Embed(title="Study groups", colour=BRAND)
    lines = [f"{'→ ' if g.is_mine else ''}**{user_text(g.name, 60)}** — {g.members} member(s), {g.points} points"
             for g in items]
    embed.description = clip("\n".join(lines) or "No study groups yet: /group create starts one.", 4000)
    return embed


def group_change_text(change: GroupChange) -> str:
    group, previous = user_text(change.group, 60), user_text(change.previous or "", 60)
    text = {
        "created": f"Created the group **{group}** and joined it.",
        "joined": f"You joined **{group}**.",
        "moved": f"You left **{previous}** and joined **{group}**.",
        "left": f"You left **{group}**.",
    }.get(change.action, f"Group **{group}**: {change.action}.")
    if change.action == "created" and change.previous:
        text += f" (You left **{previous}**.)"
    return " ".join([text, *(user_text(n, 300) for n in change.notes)])


# Admin ----------------------------------------------------------------------------
def _schedule_lines(view: ScheduleView) -> list[str]:
    track = ", ".join(user_text(lesson, 64) for lesson in view.lessons) or "all lessons"
    if view.tags:
        track += f" · tags {', '.join(user_text(t, 40) for t in view.tags)}"
    lines = [
        f"**#{view.id}** in <#{view.channel_id}> at **{view.time}** ({view.timezone}) on {', '.join(view.weekdays)}"
        + ("" if view.enabled else " — ⏸ paused"),
        f"Track: {clip(track, 300)} ({view.remaining}/{view.track_size} not yet posted)"
        + (" · shuffled" if view.shuffle else ""),
        f"Open: {f'{view.open_minutes} min' if view.open_minutes else 'until the next post'}"
        + (" · results in a thread" if view.results_in_thread else "")
        + (f" · pings <@&{view.ping_role}>" if view.ping_role else ""),
        f"Weekly recap: {'on ' + view.recap_weekday if view.recap_weekday else 'off'}",
    ]
    if view.next_utc:
        lines.append(f"Next post: {when(view.next_utc, 'F')} ({when(view.next_utc)})")
    if view.skipped_dates:
        lines.append("Skipping: " + ", ".join(d.isoformat() for d in view.skipped_dates))
    if view.warning:
        lines.append(f"⚠️ {view.warning}")
    return lines


def schedule_embed(view: ScheduleView, title: str = "Schedule") -> discord.Embed:
    return discord.Embed(title=title, colour=BRAND, description=clip("\n".join(_schedule_lines(view)), 4000))


def schedules_embed(views: list[ScheduleView]) -> discord.Embed:
    embed = discord.Embed(title="Daily question schedules", colour=BRAND)
    blocks = ["\n".join(_schedule_lines(v)) for v in views]
    embed.description = clip("\n\n".join(blocks) or "No schedules yet: /quizadmin schedule add creates one.", 4000)
    return embed


def outcome_text(outcome: PostOutcome) -> str:
    if outcome.status == "posted":
        return f"Posted today's question (post #{outcome.post_id})."
    if outcome.status == "failed":
        return f"Posting failed: {clip(outcome.detail, 500)}."
    return f"Post {outcome.status}{': ' + clip(outcome.detail, 300) if outcome.detail else ''}."


def missing_permissions_text(channel_id: int, missing: list[str]) -> str:
    names = ", ".join(f"**{name.replace('_', ' ').title()}**" for name in missing)
    return (f"I can't post daily questions in <#{channel_id}>: I'm missing {names} there. "
            "Give my role those permissions in the channel settings, then try again.")


HELP_LEARNER = (
    "**/lesson** `[lesson]` — read a lesson part by part, then answer its questions\n"
    "**/quiz** — a practice question\n"
    "**/review** `[remind]` — your due review cards; `remind:18:00` a DM on days cards are due, `off` stops it\n"
    "**/streak** — your day streak, freezes and points\n"
    "**/leaderboard** `[period] [group]` — who leads this week, month or all time (your rank included)\n"
    "**/group** `create|join|leave|list` — study groups\n"
    "Daily questions appear in the channels your admins picked: press a number (or Answer) to reply. "
    "Your verdict is shown only to you."
)
HELP_ADMIN = (
    "**/quizadmin schedule** `add|list|pause|resume|remove|post-now|skip` — daily questions per channel\n"
    "**/quizadmin content** `list|preview` — the lessons, and a schedule's next question"
)


def help_embed(is_admin: bool) -> discord.Embed:
    embed = discord.Embed(title="Quiz bot", colour=BRAND, description=HELP_LEARNER)
    if is_admin:
        embed.add_field(name="Admins (Manage Server)", value=HELP_ADMIN, inline=False)
    return embed


def apology(ref: int | str) -> str:
    return f"Sorry, something went wrong (ref {ref}). Please try again in a moment."
