"""Spaced review on Slack, rendered: the study modal's review steps, "all caught up", the reminder setting
and the reminder DM. Pure functions, like blocks.py and modals.py."""
from __future__ import annotations

from adapters.slack.blocks import actions, button, date_token, escape, section, verdict_blocks
from adapters.slack.modals import STUDY, StudyState, modal, question_view
from bot.views import ReminderCard, ReminderSetting, ReviewCard, ReviewStatus, Verdict

TITLE = "Review"


def due_text(status: ReviewStatus) -> str:
    if status.due:
        return f"{status.due} card{'s' if status.due != 1 else ''} due"
    if status.next_due is not None:
        return f"Nothing due: your next card is due {date_token(status.next_due)}"
    return "Nothing to review yet: answer lesson or practice questions first"


def caught_up_blocks(status: ReviewStatus) -> list[dict]:
    return [section(f"🎉 *All caught up.* {due_text(status)}.")]


def review_view(shown: ReviewCard) -> dict:
    """The next due card in the study modal, or "all caught up" (with when the next one is due)."""
    if shown.card is None:
        return modal(STUDY, TITLE, caught_up_blocks(shown.status))
    view = question_view(shown.card, StudyState("review", delivery=shown.card.delivery_id))
    view["blocks"].insert(0, section(f"🔁 _{due_text(shown.status)}_", block_id="due"))
    return view


def review_verdict_view(verdict: Verdict, state: StudyState, status: ReviewStatus) -> dict:
    """After a review answer: the next review while cards are due."""
    if status.due:
        nav = [actions(button(f"Next review ({status.due} due) ▸", "study_next", style="primary"), block_id="nav")]
    else:
        nav = caught_up_blocks(status)
    return modal(STUDY, TITLE, [*verdict_blocks(verdict), *nav], state.dump())


def reminder_setting_text(setting: ReminderSetting) -> str:
    if setting.local_time is None:
        return "Review reminders are off. `/quiz review remind 18:00` sends you a DM on days with cards due."
    return (f"I'll send you a DM at *{setting.local_time}* ({escape(setting.timezone)}) on days you have review "
            "cards due. `/quiz review remind off` stops it.")


def reminder_text(card: ReminderCard) -> str:
    cards = f"{card.due} review card{'s' if card.due != 1 else ''}"
    return (f"🔁 You have {cards} due today. Type `/quiz review` (or open my *Home* tab) to go through them. "
            "`/quiz review remind off` stops these reminders.")
