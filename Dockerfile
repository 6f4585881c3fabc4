# syntax=docker/dockerfile:1
# quizbot container image.
#   docker build -t quizbot .
#   docker run --env-file .env -v quizbot-data:/data quizbot                 # the Discord bot (default)
#   docker run --env-file .env -v quizbot-data:/data quizbot run slack       # Socket Mode
#   docker run -it -v quizbot-data:/data quizbot console --user Ada          # the terminal course
# ENTRYPOINT is the `quizbot` command, so any subcommand works as the container's arguments.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: build the wheel and install it with its dependencies into a virtualenv ----
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY adapters/ adapters/
RUN python -m venv /opt/venv \
 && python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install --no-cache-dir /wheels/quizbot-*.whl

# ---- runtime: slim Python, the virtualenv, the lessons; no compilers, no source tree ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="quizbot" \
      org.opencontainers.image.description="A daily-quiz learning bot for Discord, Slack and the terminal"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    QUIZBOT_DATA_DIR=/data \
    QUIZBOT_CONTENT_DIR=/app/content \
    LOG_FORMAT=json \
    LOG_LEVEL=INFO
RUN groupadd --system --gid 10001 quizbot \
 && useradd --system --uid 10001 --gid quizbot --home-dir /app --no-create-home --shell /usr/sbin/nologin quizbot \
 && mkdir -p /data \
 && chown quizbot:quizbot /data
COPY --from=builder /opt/venv /opt/venv
COPY content/ /app/content/
WORKDIR /app
# Numeric, so the orchestrator can verify it is not root (runAsNonRoot).
USER 10001:10001
# The SQLite database (when DATABASE_URL is not set) lives here; mount a volume to keep it.
VOLUME ["/data"]
# Read-only: content validates, database reachable and at the newest migration. The bot creates and
# migrates its database when it starts, so the start period covers the first run.
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 CMD ["quizbot", "health"]
ENTRYPOINT ["quizbot"]
CMD ["run", "discord"]
