"""A loopback fake Discord (REST + gateway) that the real discord.py bot connects to in tests."""
from .server import TOKEN, Call, FakeDiscord, InteractionRecord, Reply, buttons, custom_ids, message_text

__all__ = ["TOKEN", "Call", "FakeDiscord", "InteractionRecord", "Reply", "buttons", "custom_ids", "message_text"]
