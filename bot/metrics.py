"""Process metrics in Prometheus' format: answers, posts, failures and answer latency."""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

ANSWERS = Counter("quizbot_answers_total", "Answers handled, by outcome", ["status"])
ANSWER_SECONDS = Histogram("quizbot_answer_seconds", "From an answer's arrival to its committed verdict",
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
BATCH_SIZE = Histogram("quizbot_answer_batch_size", "Answers committed together",
                       buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500))
POSTS = Counter("quizbot_posts_total", "Scheduled post attempts and reveals, by outcome", ["status"])


def exposition() -> tuple[bytes, str]:
    """The body and content type of a /metrics response."""
    return generate_latest(), CONTENT_TYPE_LATEST
