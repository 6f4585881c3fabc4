"""A loopback fake Slack for the Slack front door's tests (no request ever leaves 127.0.0.1)."""
from .server import Call, FakeSlack, default_user
from .signed import Reply, SlackRequests

__all__ = ["Call", "FakeSlack", "Reply", "SlackRequests", "default_user"]
