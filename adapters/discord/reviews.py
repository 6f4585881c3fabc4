"""Spaced review on Discord, rendered: a due card (drawn like any personal question), "all caught up",
the reminder setting and the reminder DM. Pure functions, like render.py."""
from __future__ import annotations

import discord

from adapters.discord import render
from bot.views import QuestionCard, ReminderCard, ReminderSetting, ReviewStatus


def due_text(status: ReviewStatus) -> str:
    if status.due:
        return f"{status.due} card{'s' if status.due != 1 else ''} due"
    if status.next_due is not None:
        return f"Nothing due: your next card is due {render.when(status.next_due)}"
    return "Nothing to review yet: answer lesson or practice questions first"


def review_embed(card: QuestionCard, status: ReviewStatus) -> discord.Embed:
    embed = render.question_embed(card, heading=f"Review · {card.lesson_title}")
    embed.set_footer(text=f"{due_text(status)} · {embed.footer.text or ''}")
    return embed


def caught_up_embed(status: ReviewStatus) -> discord.Embed:
    return discord.Embed(title="All caught up 🎉", colour=render.GOOD,
                         description=f"{due_text(status)}.\n/quiz gives a practice question meanwhile.")


def reminder_setting_text(setting: ReminderSetting) -> str:
    if setting.local_time is None:
        return "Review reminders are off. `/review remind:18:00` sends you a DM on days with cards due."
    return (f"I'll send you a DM at **{setting.local_time}** ({render.user_text(setting.timezone, 64)}) on days "
            "you have review cards due. `/review remind:off` stops it.")


def reminder_text(card: ReminderCard) -> str:
    cards = f"{card.due} review card{'s' if card.due != 1 else ''}"
    return (f"🔁 You have {cards} due today. Type **/review** in the server to go through them. "
            "(`/review remind:off` stops these reminders.)")
