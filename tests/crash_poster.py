"""One bot process for the crash tests: open the database, run one scheduler pass at a virtual
`now`, exit. The test kills it with SIGKILL while it is inside the send.

    python tests/crash_poster.py DB_URL NOW_ISO SENT_FILE DELAY_SECONDS [before|after|reveal-before|reveal-after]

The sender stands in for a chat platform. It prints "SENDING <post_id>" (flushed) when the
engine hands it a post, then:
  before (default): sleeps DELAY_SECONDS, then delivers (appends one line to SENT_FILE);
  after:            delivers at once, prints "SENT <post_id>", then sleeps DELAY_SECONDS
                    before returning (the process dies with the message out but unrecorded).
Like a platform that honours message nonces, it delivers a card whose nonce it has already
delivered only once (the same message reference is returned).
The reveal modes deliver posts at once and do the same with the results (an edit of the post):
"REVEALING <post_id>", then the delay before or after appending to SENT_FILE.results ("REVEALED").
"""
from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.content import load_catalog  # noqa: E402
from bot.db import Store  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.ports import SenderRouter  # noqa: E402
from bot.views import PostCard, ResultsView  # noqa: E402


class SlowPlatform:
    def __init__(self, sent_file: Path, delay: float, mode: str):
        self.sent_file, self.delay, self.mode = sent_file, delay, mode

    def _deliver(self, card: PostCard) -> str:
        lines = self.sent_file.read_text().splitlines() if self.sent_file.exists() else []
        for line in lines:
            if line.split()[5] == card.nonce:
                return line.split()[4]  # a nonce seen before: the platform does not post again
        ref = f"msg-{card.post_id}-{len(lines) + 1}"
        with open(self.sent_file, "a") as f:
            f.write(f"{card.post_id} {card.local_date} {card.question.question_id} {card.claim_token} {ref} {card.nonce}\n")
            f.flush()
            os.fsync(f.fileno())
        return ref

    async def post_question(self, card: PostCard) -> str:
        print(f"SENDING {card.post_id}", flush=True)
        if self.mode.startswith("reveal"):
            return self._deliver(card)
        if self.mode == "after":
            ref = self._deliver(card)
            print(f"SENT {card.post_id}", flush=True)
            if self.delay:
                await asyncio.sleep(self.delay)
            return ref
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._deliver(card)

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        print(f"RESULTS {card.post_id}", flush=True)
        if not self.mode.startswith("reveal"):
            return None
        print(f"REVEALING {card.post_id}", flush=True)
        if self.mode == "reveal-before":
            await asyncio.sleep(self.delay)
        with open(self.sent_file.with_suffix(".results"), "a") as f:  # the post edited to show the results
            f.write(f"{card.post_id} {card.message_ref} {results.answered}\n")
            f.flush()
            os.fsync(f.fileno())
        print(f"REVEALED {card.post_id}", flush=True)
        if self.mode == "reveal-after":
            await asyncio.sleep(self.delay)
        return None


async def main(url: str, now_iso: str, sent_file: str, delay: float, mode: str) -> None:
    now = datetime.fromisoformat(now_iso)
    store = Store(url)
    try:
        catalog = load_catalog([HERE / "fixtures" / "content"])
        platform = SlowPlatform(Path(sent_file), delay, mode)
        engine = Engine(store, catalog, router=SenderRouter({"console": platform}))
        for outcome in await engine.tick(now):
            print(f"OUTCOME {outcome.status} {outcome.post_id} {outcome.local_date}", flush=True)
        print("DONE", flush=True)
    finally:
        await store.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0], args[1], args[2], float(args[3]), args[4] if len(args) > 4 else "before"))
