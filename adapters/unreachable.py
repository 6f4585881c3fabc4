"""The one-line refusal a front door gives when its platform cannot be reached at start-up."""
from __future__ import annotations

import asyncio

import aiohttp

# What a connection that never got an answer raises: refused, DNS failure, timeout.
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


def cannot_reach(platform: str, url: str, err: BaseException, setting: str) -> str:
    return f"cannot reach {platform} at {url} ({type(err).__name__}); check the network and {setting}."
