"""Turn engine views into terminal text. User-supplied text is escaped so it cannot inject markup."""
from __future__ import annotations

import re
from pathlib import Path

from rich.markup import escape as escape_markup
from rich.table import Table

from bot.recap_views import RecapView
from bot.views import (
    GroupChange,
    GroupView,
    LeaderboardView,
    LessonListing,
    MasteryView,
    PostCard,
    QuestionCard,
    ResultsView,
    ReviewCard,
    ReviewStatus,
    ScheduleView,
    SnippetCard,
    StreakView,
    Verdict,
)

# What a terminal would act on rather than show: C0/C1 controls (ESC starts colour, cursor and title
# sequences), bidi overrides that reorder the line, line separators, lone surrogates. Newline and tab stay.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape(text: str) -> str:
    """Any text for the terminal: control characters shown as \\x1b or \\u202e (never acted on), markup escaped."""
    return escape_markup(UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text))


HELP = """\
[bold]Commands[/bold]
  lessons                      list the lessons and your progress
  lesson <number|name>         take a lesson: read its parts, then answer its questions
  next                         (in a lesson) show the next part
  practice                     one practice question
  review                       your due review cards, most overdue first, one at a time (no points; keeps your streak)
  mastery                      per lesson: questions mastered (remembered for 3 weeks or more), answered, in all
  streak                       your day streak, freezes, points, reviews due and mastery
  leaderboard \\[week|month|all] \\[group]   who leads (you are always shown)
  groups                       list study groups
  group create <name> | group join <name> | group leave | group board \\[period]
  daily \\[answer]             show or answer the channel's daily question
  schedule list | schedule add HH:MM \\[days] \\[tz=Zone] \\[lessons=1,2] \\[tags=a,b] \\[shuffle] \\[open=MIN]
  schedule pause|resume|remove|skip|post-now <id>   (you are this terminal's admin)
  user <name>                  switch learner (try a leaderboard with several)
  help                         this list
  quit                         leave
Answer a question with its number or in words."""



def answer_not_recorded(reason: str) -> str:
    return f"[red]answer not recorded: {escape(reason)}[/red] — the question stays open: answer it again later."


def internal_error(log_path) -> str:
    where = f" (details in {escape(str(log_path))})" if log_path else " (details in the log)"
    return f"[red]That did not work: an internal error{where}.[/red] The session goes on."


def logs_note(path) -> str:
    if path is None:
        return "[dim]Operational logs: on stderr.[/dim]"
    return f"[dim]Operational logs: {escape(str(path))} (--verbose shows them here).[/dim]"


PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}


def lessons(items: list[LessonListing]) -> Table:
    table = Table(title="Lessons", show_lines=False)
    for col in ("#", "Lesson", "Questions", "Done", "Mastered"):
        table.add_column(col)
    for item in items:
        done = "✓" if item.completed else f"{item.answered}/{item.questions}"
        table.add_row(str(item.number), escape(item.title), str(item.questions), done, f"{item.mastered}/{item.questions}")
    return table


def mastery(view: MasteryView) -> Table:
    table = Table(title=f"Mastery — {view.mastered} of {view.questions} questions mastered")
    for col in ("Lesson", "Mastered", "Answered", "Questions"):
        table.add_column(col)
    for item in view.lessons:
        table.add_row(escape(item.title), str(item.mastered), str(item.answered), str(item.questions))
    return table


def review_head(got: ReviewCard) -> str:
    lesson = escape(got.card.lesson_title) if got.card else ""
    return f"Review ({lesson}) · {got.status.due} due"


def review_done(status: ReviewStatus) -> str:
    if status.next_due is None:
        return "Nothing to review yet: answer some questions ('lesson 1', 'practice') and they come back here when due."
    return f"Nothing due for review. The next card is due {status.next_due:%a %Y-%m-%d %H:%M} UTC."


def snippet(card: SnippetCard) -> str:
    hint = "[dim](type 'next' or press Enter for the questions)[/dim]" if card.is_last \
        else "[dim](type 'next' or press Enter to continue)[/dim]"
    return (f"[bold]{escape(card.lesson_title)}[/bold] — part {card.index + 1}/{card.total}: "
            f"[bold]{escape(card.title)}[/bold]\n{escape(card.body)}\n{hint}")


def question(card: QuestionCard, head: str | None = None, prefix: str = "") -> str:
    if head is None:
        head = f"Question {card.position}/{card.of}" if card.of else f"Practice ({escape(card.lesson_title)})"
    lines = [f"[bold]{head}[/bold] · difficulty {card.difficulty}", escape(card.prompt)]
    lines += [f"  {c.label}. {escape(c.text)}" for c in card.choices]
    hint = "a number" if card.choices else "a few words"
    lines.append(f"[dim]Answer with {prefix}{hint}.[/dim]")
    return "\n".join(lines)


def verdict(v: Verdict) -> str:
    if v.status == "closed":
        return "[yellow]This question is closed: answers no longer count.[/yellow]"
    if v.correct:
        head = "[green]✔ Correct![/green]"
    elif v.note:
        head = f"[cyan]{escape(v.note)}[/cyan]"
    elif v.close:
        head = "[yellow]≈ Close, but not quite.[/yellow]"
    else:
        head = "[red]✘ Not quite.[/red]"
    if v.status == "repeat":
        head = "[dim]You already answered this one; your first answer stands.[/dim]\n" + head
    lines = [head]
    if not v.correct:
        lines.append(f"Your answer: {escape(v.your_answer)}")
    lines.append(f"Answer: [bold]{escape(v.right_answer)}[/bold]")
    lines.append(escape(v.explanation))
    if v.review:
        lines.append(f"Review: no points (reviews are for memory) · total {v.total_points} · streak {v.streak} day(s)")
    else:
        lines.append(f"+{v.points} points · total {v.total_points} · streak {v.streak} day(s)")
    return "\n".join(lines)


def streak(s: StreakView) -> str:
    today = "answered today ✓" if s.answered_today else "not answered yet today"
    accuracy = f"{s.correct / s.answers:.0%}" if s.answers else "–"
    return (f"🔥 Streak: [bold]{s.current}[/bold] day(s) ({today}) · best {s.best} · freezes {s.freezes}/2\n"
            f"Points: {s.points} · answers: {s.answers} · accuracy: {accuracy}\n"
            f"Reviews: {s.reviews_due} due · mastered {s.mastered} of {s.answered_questions} answered "
            f"({s.questions} questions in all)")


def leaderboard(board: LeaderboardView) -> Table | str:
    what = "Groups" if board.kind == "groups" else "Leaderboard"
    title = f"{what} — {PERIOD_TITLE[board.period]}" + (f" — group {escape(board.group)}" if board.group else "")
    if not board.rows:
        return f"{title}: nobody has scored yet."
    table = Table(title=title)
    cols = ("#", "Group", "Pts/member", "Active", "Accuracy") if board.kind == "groups" \
        else ("#", "Learner", "Points", "Accuracy", "Streak")
    for col in cols:
        table.add_column(col)
    rows = list(board.rows)
    if board.me and board.me not in rows:
        rows.append(board.me)
    for r in rows:
        name = escape(r.name) + (" (you)" if r.is_me else "")
        last = str(r.members) if board.kind == "groups" else f"{r.accuracy:.0%}"
        tail = f"{r.accuracy:.0%}" if board.kind == "groups" else str(r.streak)
        table.add_row(str(r.rank), name, str(r.points), last, tail, style="bold" if r.is_me else None)
    return table


def groups(items: list[GroupView]) -> str:
    if not items:
        return "No study groups yet: 'group create <name>' starts one."
    return "\n".join(f"{'→ ' if g.is_mine else '  '}{escape(g.name)} — {g.members} member(s), {g.points} points"
                     for g in items)


def group_change(change: GroupChange) -> str:
    text = {
        "created": f"Created group {escape(change.group)} and joined it.",
        "joined": f"You joined {escape(change.group)}.",
        "moved": f"You left {escape(change.previous or '')} and joined {escape(change.group)}.",
        "left": f"You left {escape(change.group)}.",
    }[change.action]
    if change.action == "created" and change.previous:
        text += f" (You left {escape(change.previous)}.)"
    return " ".join([text, *map(escape, change.notes)])


def post(card: PostCard) -> str:
    closes = f" · closes {card.closes_at:%Y-%m-%d %H:%M} UTC" if card.closes_at else ""
    return (f"[bold magenta]📣 Daily question in #{escape(card.channel_id)}[/bold magenta] ({card.local_date}){closes}\n"
            + question(card.question, escape(card.question.lesson_title), "'daily' and "))


def results(res: ResultsView) -> str:
    lines = [f"[bold magenta]📊 Results[/bold magenta]: {escape(res.prompt)}",
             f"Answer: [bold]{escape(res.right_answer)}[/bold] — {res.answered} answered, {res.share_correct:.0%} correct"]
    for c in res.choices:
        bar = "█" * round(c.share * 20)
        lines.append(f"  {c.label}. {escape(c.text)} {bar} {c.share:.0%}{' ✔' if c.correct else ''}")
    lines.append(escape(res.explanation))
    if res.top_streaks:
        lines.append("🔥 Longest streaks: " + ", ".join(f"{escape(n)} ({d})" for n, d in res.top_streaks))
    return "\n".join(lines)


def recap(view: RecapView, chart: Path | None) -> str:
    """The weekly recap: a one-line summary, the chart's path, then the figures."""
    lines = [f"[bold magenta]🗓 Weekly recap[/bold magenta] {view.week_start:%d %b}–{view.week_end:%d %b}: "
             f"{view.answers} answers, {view.share_correct:.0%} correct"
             + (f"; top: {escape(view.top_learners[0].name)}" if view.top_learners else "")]
    if chart is not None:
        lines.append(f"Chart: {escape(str(chart))}")
    lines.append("Per day: " + ", ".join(f"{d.day:%a} {d.answers}" for d in view.days))
    if view.top_learners:
        lines.append("Top learners: " + ", ".join(f"{escape(r.name)} ({r.points})" for r in view.top_learners))
    if view.top_groups:
        lines.append("Top groups: " + ", ".join(f"{escape(r.name)} ({r.points})" for r in view.top_groups))
    if view.streaks:
        lines.append("🔥 Longest streaks: " + ", ".join(f"{escape(n)} ({d})" for n, d in view.streaks))
    if view.hardest is not None:
        h = view.hardest
        lines.append(f"Hardest: {escape(h.prompt)} — {h.correct}/{h.answers} right. Answer: [bold]{escape(h.right_answer)}"
                     f"[/bold]. {escape(h.explanation)}")
    if view.improved is not None:
        lines.append(f"Most improved: {escape(view.improved.name)} ({view.improved.before:.0%} → {view.improved.after:.0%})")
    return "\n".join(lines)


def schedules(items: list[ScheduleView]) -> str:
    if not items:
        return "No schedules yet: 'schedule add 09:00 mon-fri' posts a daily question here."
    out = []
    for s in items:
        state = "active" if s.enabled else "paused"
        nxt = (f"next {s.next_local:%a %Y-%m-%d %H:%M %Z} ({s.next_utc:%H:%M} UTC)" if s.next_utc else "no upcoming post")
        track = ", ".join(s.lessons) or "all lessons"
        if s.tags:
            track += f" tagged {', '.join(s.tags)}"
        out.append(f"#{s.id} {escape(s.channel_name or s.channel_id)} — {s.time} {','.join(s.weekdays)} {s.timezone} — "
                   f"{state}, {nxt}; track {escape(track)}{' (shuffled)' if s.shuffle else ''}: "
                   f"{s.remaining}/{s.track_size} not yet posted; weekly recap "
                   f"{'on ' + s.recap_weekday if s.recap_weekday else 'off'}")
        if s.queued_question_id:
            out.append(f"   queued next: {s.queued_question_id}")
        if s.skipped_dates:
            out.append(f"   skipping: {', '.join(map(str, s.skipped_dates))}")
        if s.warning:
            out.append(f"   [yellow]⚠ {escape(s.warning)}[/yellow]")
    return "\n".join(out)
