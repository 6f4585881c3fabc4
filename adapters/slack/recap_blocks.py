"""The weekly recap for Slack: the text that goes with the uploaded chart (files_upload_v2's initial
comment, mrkdwn) and, when there is no chart, the same as a message. Names go through user_text:
shown as typed, never read as a mention."""
from __future__ import annotations

from adapters.slack.blocks import escape, truncate, user_text
from bot.recap_views import RecapLearner, RecapView

COMMENT_MAX = 3500  # well under Slack's 4,000 characters for a message's text


def _ranked(rows: tuple[RecapLearner, ...]) -> str:
    return ", ".join(f"{i}. {user_text(r.name)} ({r.points} pts, {r.correct}/{r.answers})" for i, r in enumerate(rows, 1))


def recap_text(view: RecapView) -> str:
    lines = [f"*🗓 Weekly recap · {view.week_start:%d %b} – {view.week_end:%d %b}*",
             f"*{view.answers}* answers, *{view.share_correct:.0%}* correct · "
             + " · ".join(f"{d.day:%a} {d.answers}" for d in view.days)]
    if view.top_learners:
        lines.append(f"*Top learners:* {_ranked(view.top_learners)}")
    if view.top_groups:
        lines.append(f"*Top study groups:* {_ranked(view.top_groups)}")
    if view.streaks:
        lines.append("*Longest streaks:* " + ", ".join(f"🔥 {user_text(n)} ({d})" for n, d in view.streaks))
    if view.hardest is not None:
        h = view.hardest
        lines.append(f"*Hardest question* ({h.correct}/{h.answers} right): {escape(truncate(h.prompt, 300))}\n"
                     f"*Answer:* {escape(truncate(h.right_answer, 200))} — {escape(truncate(h.explanation, 400))}")
    if view.improved is not None:
        i = view.improved
        lines.append(f"*Most improved:* {user_text(i.name)} ({i.before:.0%} → {i.after:.0%} correct)")
    return truncate("\n".join(lines), COMMENT_MAX)
