"""Review reminders in the terminal: the setting, and the reminder itself, printed as a notice in the
session (the terminal has no direct messages)."""
from __future__ import annotations

from adapters.console.render import escape
from bot.views import ReminderCard, ReminderSetting


def setting(s: ReminderSetting) -> str:
    if s.local_time is None:
        return "Review reminders are off. 'review remind 18:00' shows a notice here on days with cards due."
    return (f"Review reminder at [bold]{s.local_time}[/bold] ({escape(s.timezone)}) on days with cards due. "
            "'review remind off' stops it.")


def notice(card: ReminderCard) -> str:
    cards = f"{card.due} review card{'s' if card.due != 1 else ''}"
    return (f"[bold magenta]🔁 Reminder for {escape(card.display_name)}:[/bold magenta] {cards} due today. "
            "Type 'review' to go through them.")
