"""Engine views → Slack Block Kit. Pure functions: no I/O, no rules.

Every piece of text that did not come from this file goes through `escape` before it lands in
`mrkdwn`, so it can never become `<!channel>`, a mention or a link; what people typed (names, group
names, answers, error sentences quoting them) goes through `user_text`, which also keeps it from
styling or breaking the message's markup. `plain_text` objects are not
parsed by Slack, so they carry text as it is (only trimmed to Slack's length limits).
"""
from __future__ import annotations

import re
from datetime import datetime

from bot.views import GroupChange, GroupView, LeaderboardView, LessonListing, QuestionCard, ResultsView, SnippetCard, StreakView, Verdict

SECTION_MAX = 3000
BUTTON_MAX = 75
PLAIN_MAX = 150
SUBTEAM_RE = re.compile(r"^S[A-Z0-9]{2,20}$")
CHANNEL_RE = re.compile(r"^[CGD][A-Z0-9]{2,20}$")
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
ZWSP = "\u200b"
FORMATTING = re.compile(r"([*_~`])")
MENTION_WORD = re.compile(r"@(?=\w)")


def escape(text: object) -> str:
    """Slack's three control characters; everything else is shown as typed."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user_text(text: object) -> str:
    """What a person typed (a name, a group name, an answer) or a sentence quoting it (an engine error):
    one line, escaped, and inert. mrkdwn has no escape for *, _, ~ and `, so each is fenced in by
    zero-width spaces, which keeps it from opening or closing a style; a zero-width space after `@`
    keeps Slack from reading a bare @here, @channel or @name as a mention."""
    one_line = " ".join(str(text).split())
    return FORMATTING.sub(ZWSP + r"\1" + ZWSP, MENTION_WORD.sub("@" + ZWSP, escape(one_line)))


def truncate(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = PLAIN_MAX) -> dict:
    return {"type": "plain_text", "text": truncate(text, limit) or " ", "emoji": True}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": truncate(text, SECTION_MAX) or " "}


def section(text: str, block_id: str | None = None, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts if t][:10] or [mrkdwn(" ")]}


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text)}


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str | None = None, style: str | None = None,
           confirm: dict | None = None) -> dict:
    element = {"type": "button", "text": plain(text, BUTTON_MAX), "action_id": action_id}
    if value is not None:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def confirm_dialog(title: str, text: str, yes: str, no: str = "Cancel", style: str = "danger") -> dict:
    return {"title": plain(title, 100), "text": mrkdwn(text), "confirm": plain(yes, 30), "deny": plain(no, 30),
            "style": style}


def date_token(when: datetime, fmt: str = "{date_short_pretty} at {time}") -> str:
    """A time each reader sees in their own zone; the fallback is UTC."""
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{fmt}|{fallback}>"


def channel_ref(channel_id: str, name: str = "") -> str:
    if CHANNEL_RE.match(channel_id or ""):
        return f"<#{channel_id}>"
    return "#" + escape(name or channel_id)


# Help -------------------------------------------------------------------------------------
HELP = """*Daily quiz — what `/quiz` can do*
`/quiz lesson` — pick a lesson (or `/quiz lesson 2`, `/quiz lesson <name>`)
`/quiz practice` — one practice question
`/quiz review` — your due review cards, most overdue first
`/quiz review remind 18:00` — a DM on days cards are due (`/quiz review remind off` stops it)
`/quiz streak` — your day streak, freezes and points
`/quiz leaderboard [week|month|all] [group]` — who leads (you are always shown)
`/quiz group create <name>` · `join <name>` · `leave` · `list` · `board [period]` — study groups
`/quiz help` — this list
Daily questions appear in channels on a schedule: click a choice to answer. Open the app's *Home* tab for your stats."""


def help_message(unknown: str | None = None) -> tuple[str, list[dict]]:
    lead = f"I don't know '{user_text(truncate(unknown, 30))}'. " if unknown else ""
    text = lead + HELP
    return text, [section(text)]


def notice(text: str) -> tuple[str, list[dict]]:
    """A plain sentence (an engine error, a confirmation) as a message; it may quote what the user typed."""
    return user_text(text), [section(user_text(text))]


# Verdicts, streaks, boards -------------------------------------------------------------------
def verdict_lines(v: Verdict) -> list[str]:
    if v.status == "closed":
        return ["⏰ This question is closed: answers no longer count."]
    if v.correct:
        head = "✅ *Correct!*"
    elif v.note:
        head = f"💡 *{escape(v.note)}*"
    elif v.close:
        head = "🟡 *Close, but not quite.*"
    else:
        head = "❌ *Not quite.*"
    lines = []
    if v.status == "repeat":
        lines.append("_You already answered this one; your first answer stands._")
    lines.append(head)
    if not v.correct and v.your_answer:
        lines.append(f"Your answer: {user_text(v.your_answer)}")
    lines.append(f"*Answer:* {escape(v.right_answer)}")
    if v.explanation:
        lines.append(escape(v.explanation))
    return lines


def verdict_footer(v: Verdict) -> str:
    if v.status == "closed":
        return ""
    gain = "Review: no points, streak kept" if v.review else f"+{v.points} points"
    return f"{gain} · total {v.total_points} · 🔥 streak {v.streak} day(s)"


def verdict_blocks(v: Verdict) -> list[dict]:
    blocks = [section("\n".join(verdict_lines(v)))]
    footer = verdict_footer(v)
    if footer:
        blocks.append(context(footer))
    return blocks


def verdict_message(v: Verdict) -> tuple[str, list[dict]]:
    text = "\n".join(verdict_lines(v) + ([verdict_footer(v)] if verdict_footer(v) else []))
    return text, verdict_blocks(v)


def streak_text(s: StreakView) -> str:
    today = "answered today ✓" if s.answered_today else "not answered yet today"
    accuracy = f"{s.correct / s.answers:.0%}" if s.answers else "–"
    return (f"🔥 *Streak: {s.current} day(s)* ({today}) · best {s.best} · 🧊 freezes {s.freezes}/{s.freezes_max}\n"
            f"Points: {s.points} · answers: {s.answers} · accuracy: {accuracy}\n"
            f"🔁 Reviews: {s.reviews_due} due · 🧠 mastered {s.mastered} of {s.answered_questions} answered")


def streak_message(s: StreakView) -> tuple[str, list[dict]]:
    text = streak_text(s)
    return text, [section(text)]


def leaderboard_text(board: LeaderboardView) -> str:
    what = "Groups" if board.kind == "groups" else "Leaderboard"
    title = f"🏆 *{what} — {PERIOD_TITLE.get(board.period, board.period)}*"
    if board.group:
        title += f" — group {user_text(board.group)}"
    if not board.rows:
        return f"{title}\nNobody has scored yet."
    rows = list(board.rows)
    if board.me and board.me not in rows:
        rows.append(board.me)
    lines = [title]
    for r in rows:
        name = user_text(r.name) + (" (you)" if r.is_me else "")
        if board.kind == "groups":
            line = f"{r.rank}. {name} — {r.points} pts/member · {r.members} active · {r.accuracy:.0%} right"
        else:
            line = f"{r.rank}. {name} — {r.points} pts · {r.accuracy:.0%} right · 🔥{r.streak}"
        lines.append(f"*{line}*" if r.is_me else line)
    return "\n".join(lines)


def leaderboard_message(board: LeaderboardView) -> tuple[str, list[dict]]:
    text = leaderboard_text(board)
    return text, [section(text)]


def groups_message(items: list[GroupView]) -> tuple[str, list[dict]]:
    if not items:
        text = "No study groups yet: `/quiz group create <name>` starts one."
    else:
        text = "*Study groups*\n" + "\n".join(
            f"{'→ ' if g.is_mine else '• '}{user_text(g.name)} — {g.members} member(s), {g.points} points"
            + (" (yours)" if g.is_mine else "") for g in items)
    return text, [section(text)]


def group_change_message(change: GroupChange) -> tuple[str, list[dict]]:
    text = {
        "created": f"Created group *{user_text(change.group)}* and joined it.",
        "joined": f"You joined *{user_text(change.group)}*.",
        "moved": f"You left {user_text(change.previous or '')} and joined *{user_text(change.group)}*.",
        "left": f"You left {user_text(change.group)}.",
    }.get(change.action, user_text(change.group))
    if change.action == "created" and change.previous:
        text += f" (You left {user_text(change.previous)}.)"
    text = " ".join([text, *map(user_text, change.notes)])
    return text, [section(text)]


# Lessons and questions ------------------------------------------------------------------------
def lesson_list_blocks(items: list[LessonListing]) -> list[dict]:
    blocks = []
    for item in items[:45]:
        done = "✓ done" if item.completed else f"{item.answered}/{item.questions} answered"
        if item.mastered:
            done += f" · 🧠 {item.mastered} mastered"
        text = f"*{item.number}. {escape(item.title)}*\n{escape(truncate(item.summary, 200))}\n_{done}_"
        blocks.append(section(text, block_id=f"lesson:{item.id}"[:255],
                              accessory=button("Start", f"study_start:{item.id}"[:255], item.id)))
    return blocks or [section("There are no lessons yet.")]


def snippet_blocks(card: SnippetCard) -> list[dict]:
    return [section(f"*{escape(card.lesson_title)}* — part {card.index + 1}/{card.total}"),
            section(f"*{escape(card.title)}*\n{escape(card.body)}")]


def question_text(card: QuestionCard, head: str | None = None) -> str:
    if head is None and card.of:
        head = f"*Question {card.position}/{card.of}* · difficulty {card.difficulty}"
    elif head is None:
        head = f"*Practice* · _{escape(card.lesson_title)}_ · difficulty {card.difficulty}"
    lines = [head, escape(card.prompt)]
    lines += [f"*{c.label}.* {escape(c.text)}" for c in card.choices]
    return "\n".join(lines)


def choice_label(label: str, text: str) -> str:
    return truncate(f"{label}. {text}", BUTTON_MAX)


def stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * max(0, 3 - difficulty)


# Daily posts ------------------------------------------------------------------------------------
def post_message(card: QuestionCard, post_id: int, answered: int | None = None,
                 ping: str | None = None) -> tuple[str, list[dict]]:
    """The daily question with one button per choice (or one that opens a modal for free text)."""
    lines = [f"*Daily question* · _{escape(card.lesson_title)}_ · {stars(card.difficulty)}", f"*{escape(card.prompt)}*"]
    if card.choices:
        lines.append("\n".join(f"*{c.label}.* {escape(c.text)}" for c in card.choices))
    text = "\n".join(lines)
    if ping and SUBTEAM_RE.match(ping):
        text = f"<!subteam^{ping}> " + text
    blocks = [section(text, block_id=f"q:{post_id}")]
    if card.choices:
        buttons = [button(choice_label(c.label, c.text), f"post:{post_id}:{c.id}", c.id) for c in card.choices]
    else:
        buttons = [button("✍️ Answer", f"post_text:{post_id}", str(post_id), style="primary")]
    blocks.append(actions(*buttons, block_id=f"answer:{post_id}"))
    foot = ["Your answer and the explanation are shown only to you."]
    if card.closes_at is not None:
        foot.append(f"Closes {date_token(card.closes_at)}")
    if answered is not None:
        foot.append(f"*{answered}* answered so far")
    blocks.append(context(" · ".join(foot)))
    fallback = f"Daily question: {escape(card.prompt)}"
    return fallback, blocks


def results_message(card: QuestionCard, results: ResultsView, in_thread: bool = False) -> tuple[str, list[dict]]:
    """The closed post: no buttons, the right answer, how people answered, who is on a roll."""
    head = section(f"*Daily question — closed* · _{escape(card.lesson_title)}_\n*{escape(results.prompt)}*",
                   block_id=f"q:{results.post_id}")
    blocks = [head]
    if in_thread:
        blocks.append(context(f"{results.answered} answered · results in the thread 👇"))
        return f"Closed: {escape(results.prompt)}", blocks
    blocks += results_blocks(results)
    return f"Results: {escape(results.prompt)}", blocks


def results_blocks(results: ResultsView) -> list[dict]:
    blocks = [section(f"*Answer:* {escape(results.right_answer)}\n{escape(results.explanation)}")]
    if results.choices:
        lines = []
        for c in results.choices:
            mark = "✅" if c.correct else "▫️"
            lines.append(f"{mark} *{c.label}.* {escape(truncate(c.text, 120))}\n`{c.bar()}` {c.share:.0%} ({c.count})")
        blocks.append(section("\n".join(lines)))
    summary = f"{results.answered} answered · {results.share_correct:.0%} right"
    if results.top_streaks:
        summary += " · 🔥 on a roll: " + ", ".join(f"{user_text(n)} ({s})" for n, s in results.top_streaks)
    blocks.append(context(summary))
    return blocks
