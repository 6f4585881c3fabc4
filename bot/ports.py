"""What the core needs from a front door to post on a schedule. Each platform implements it."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from bot.errors import BadInput
from bot.recap_views import RecapView
from bot.views import PostCard, ReminderCard, ResultsView

FRONT_DOORS = ("console", "discord", "slack")  # the platforms a schedule can post to


def require_front_door(platform: str, registered: Iterable[str] = ()) -> str:
    """A shipped door, or one this process registered a sender for (an embedding, the benchmark)."""
    if platform not in FRONT_DOORS and platform not in registered:
        raise BadInput(f"Unknown platform '{str(platform)[:30]}': use {', '.join(FRONT_DOORS[:-1])} or {FRONT_DOORS[-1]}.",
                       field="platform")
    return platform


class SendError(Exception):
    """A send that failed; `retryable` False means trying again cannot help (e.g. missing permission)."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class RateLimited(SendError):
    """The platform said "too many requests": wait `retry_after` seconds. Not a failure of the post,
    so it costs no attempt; `everywhere` means the whole bot is limited, not just this channel."""

    def __init__(self, message: str, retry_after: float, everywhere: bool = False):
        super().__init__(message, retryable=True)
        self.retry_after, self.everywhere = max(float(retry_after), 0.0), everywhere


class Unreachable(SendError):
    """The person cannot be sent a direct message (DMs closed, user gone): trying again cannot help."""

    def __init__(self, message: str):
        super().__init__(message, retryable=False)


class PostSender(Protocol):
    async def post_question(self, card: PostCard) -> str:
        """Send the daily question; return the platform's message reference."""

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        """Close the post (disable answers) and show the results; return a reference if a new message was made."""


@runtime_checkable
class DirectMessenger(Protocol):
    """A door's sender that can message one person privately (review reminders)."""

    async def send_reminder(self, card: ReminderCard) -> str:
        """Send the reminder; return the platform's message reference. Raises Unreachable when the person
        takes no direct messages from the bot, SendError otherwise."""


@runtime_checkable
class RecapSender(Protocol):
    async def post_recap(self, recap: RecapView) -> str:
        """Send a schedule's weekly recap (its chart attached when `recap.chart` is set); return a reference."""


def recap_sender(sender: object) -> RecapSender | None:
    """The sender as a RecapSender, or None for a door that shows no recaps (its schedules get none)."""
    return sender if isinstance(sender, RecapSender) else None


class SenderRouter:
    """Routes each post to the front door of its platform."""

    def __init__(self, senders: dict[str, PostSender] | None = None):
        self.senders: dict[str, PostSender] = dict(senders or {})

    def register(self, platform: str, sender: PostSender) -> None:
        self.senders[platform] = sender

    def unregister(self, platform: str) -> None:
        self.senders.pop(platform, None)

    def for_platform(self, platform: str) -> PostSender | None:
        return self.senders.get(platform)

    def messenger(self, platform: str) -> DirectMessenger | None:
        """The platform's sender, if it can send direct messages."""
        sender: object = self.senders.get(platform)  # a PostSender that may also be a DirectMessenger
        return sender if isinstance(sender, DirectMessenger) else None

    def messaging_platforms(self) -> list[str]:
        """The platforms whose sender here can send direct messages."""
        return sorted(p for p in self.senders if self.messenger(p) is not None)


SEND_ERRORS = (SendError, TimeoutError, OSError)  # a send that did not go through (OSError: the network)
