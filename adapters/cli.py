"""The `quizbot` command: the composition root that wires the core to its front doors (lazily, so `--help` is fast)."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC
from pathlib import Path
from typing import NoReturn

import typer

from adapters.format_cli import add_format_commands
from adapters.item_cli import add_item_commands
from adapters.schedule_cli import schedule_app

app = typer.Typer(help="A daily-quiz learning bot for Discord, Slack and the terminal.", no_args_is_help=True,
                  add_completion=False)
content_app = typer.Typer(help="Check, list, import and export lesson content.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(content_app, name="content")
app.add_typer(db_app, name="db")
app.add_typer(schedule_app, name="schedule")
add_item_commands(content_app)
add_format_commands(content_app)
LOG_FILE = "quizbot.log"  # in the data folder (QUIZBOT_DATA_DIR), for the terminal session


@app.callback()
def _startup() -> None:
    # Logging is set up once, before any command runs (not for `--help`): LOG_LEVEL, LOG_FORMAT=text|json.
    configure_logging()


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def load_settings():
    from pydantic import ValidationError

    from bot.settings import Settings
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(f"invalid configuration: {problems}")


def configure_logging(to_file: bool = False) -> Path | None:
    """Operators' logs on stderr; with `to_file` (a terminal session) in data/quizbot.log instead, unless
    LOG_LEVEL asks for them. Returns the log file's path when logs go to a file."""
    import logging
    import os

    from pydantic import ValidationError

    from bot.logs import setup_logging
    from bot.settings import Settings
    try:
        settings = Settings()
        level, fmt = settings.log_level, settings.log_format
        path = settings.data_dir / LOG_FILE if to_file and "log_level" not in settings.model_fields_set else None
    except ValidationError:  # the command itself reports bad configuration; still log in the asked format
        level, fmt, path = os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "text"), None
    if path is not None:
        try:
            setup_logging(level, fmt, path=path.expanduser().resolve())
            logging.captureWarnings(True)  # library warnings are log lines too, not text in the session
            return path
        except OSError as err:
            typer.echo(f"cannot write the log file {path} ({err.strerror}): logging to stderr", err=True)
    setup_logging(level, fmt)
    return None


async def start_app(db: Path | None):
    """Build the app or exit with a clear reason (bad content, unreachable database)."""
    from bot.app import StartupError
    from bot.app import start_app as start
    try:
        return await start(load_settings(), db)
    except StartupError as err:
        fail(f"refusing to start: {err}")


def run_async(coro):
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        typer.echo("")


@content_app.command("validate")
def content_validate(paths: list[Path] = typer.Argument(None, help="files or folders (default: the shipped content)")) -> None:
    """Check every lesson file; print each problem as 'file: line: location: what is wrong'."""
    from bot.content.loader import DEFAULT_CONTENT_DIR, validate_paths
    catalog, problems = validate_paths(paths or [DEFAULT_CONTENT_DIR])
    for problem in problems:
        typer.echo(str(problem))
    if catalog is None:  # there is a catalog exactly when nothing is wrong
        fail(f"{len(problems)} problem(s) found.")
    typer.echo(f"ok: {len(catalog.lessons)} lessons, {len(catalog.questions)} questions")


@content_app.command("lint")
def content_lint(paths: list[Path] = typer.Argument(None, help="files or folders (default: the content folder)"),
                 as_json: bool = typer.Option(False, "--json", help="findings and figures as JSON"),
                 codes: bool = typer.Option(False, "--codes", help="list the check codes and exit")) -> None:
    """Item-writing checks: 'file:line: CODE severity: message (hint)' and a summary; exit 1 on any error."""
    from bot.content.lint import RULES, lint_paths
    if codes:
        for rule in RULES.values():
            typer.echo(f"{rule.code:<21} {rule.severity:<8} {rule.scope:<9} {rule.hint}")
        return
    report = lint_paths(paths or [load_settings().content_dir])
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo("\n".join([*map(str, report.findings), *report.summary_lines()]))
    if report.errors:
        raise typer.Exit(1)


@content_app.command("list")
def content_list(as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
                 paths: list[Path] = typer.Argument(None)) -> None:
    """List lessons with their question counts."""
    from bot.content.loader import validate_paths
    catalog, problems = validate_paths(paths or [load_settings().content_dir])
    if catalog is None:
        fail("\n".join(map(str, problems)))
    lessons = catalog.summary()
    if as_json:
        typer.echo(json.dumps({"lessons": lessons, "total_lessons": len(lessons),
                               "total_questions": len(catalog.questions)}, indent=2))
        return
    for i, lesson in enumerate(lessons, 1):
        typer.echo(f"{i:>2}. {lesson['title']} [{lesson['id']}] — {lesson['questions']} questions")
    typer.echo(f"{len(lessons)} lessons, {len(catalog.questions)} questions")


@content_app.command("grade-check")
def content_grade_check(corpus: Path | None = typer.Option(None, "--corpus", help="folder of labelled answers "
                                                                "(default: tests/grading_corpus)"),
                        as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
                        paths: list[Path] = typer.Argument(None, help="content files or folders (default: the content folder)")) -> None:
    """Grade a labelled corpus of answers; precision and recall per free-text question. Exit 1 if below target."""
    from bot.content.grade_check import DEFAULT_CORPUS_DIR, grade_check, load_corpus
    from bot.content.loader import validate_paths
    catalog, problems = validate_paths(paths or [load_settings().content_dir])
    if catalog is None:
        fail("\n".join(map(str, problems)))
    report = grade_check(catalog, *load_corpus(corpus or DEFAULT_CORPUS_DIR))
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else "\n".join(report.lines()))
    if not report.passes:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(db: Path | None = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)")) -> None:
    """Apply the schema migrations (the bot also does this when it starts)."""
    from bot.app import StartupError, migrate_database
    try:
        asyncio.run(migrate_database(load_settings().resolved_database_url(db)))
    except StartupError as err:
        fail(f"refusing to start: {err}")
    typer.echo("database is up to date")


VERBOSE = typer.Option(False, "--verbose", "-v", help="show the operational logs on stderr (default: data/quizbot.log)")


@app.command("console")
def console(user: str = typer.Option("you", help="your learner name (several names share a leaderboard)"),
            db: Path | None = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)"),
            verbose: bool = VERBOSE) -> None:
    """Take the course in the terminal: no account or token needed."""
    serve_door("console", db, user=user, verbose=verbose)


def serve_door(platform: str, db: Path | None, *, user: str = "you", http: bool = False, port: int = 3000,
               verbose: bool = False) -> None:
    """Run one front door from the registry (adapters.doors) until it ends or is stopped."""
    from adapters.doors import DOORS, DoorOptions, run_door

    if platform not in DOORS:
        fail(f"unknown front door '{platform}': use {', '.join(list(DOORS)[:-1])} or {list(DOORS)[-1]}")
    # A terminal session is for the learner: migration and scheduler lines go to a file unless asked for.
    log_path = configure_logging(to_file=True) if DOORS[platform].terminal and not verbose else None
    settings = load_settings()
    options = DoorOptions(user=user, http=http, port=port, log_path=log_path, data_dir=settings.data_dir)
    if DOORS[platform].terminal:
        run_async(run_door(platform, settings, db, options))  # Ctrl-C ends the session with a new line
    else:
        asyncio.run(run_door(platform, settings, db, options))  # SIGINT/SIGTERM stop it cleanly


@app.command("simulate")
def simulate_cmd(days: int = typer.Option(20, min=1, max=3650, help="how many daily posts to run"),
                 learners: int = typer.Option(8, min=1, max=500, help="how many simulated learners"),
                 seed: int = typer.Option(1, help="random seed: the same seed gives the same run"),
                 timezone: str = typer.Option("Europe/Berlin", help="the community's time zone"),
                 weekdays: str = typer.Option("mon-fri", help="posting days, e.g. mon-fri or daily"),
                 db: Path | None = typer.Option(None, help="SQLite file to keep (default: a throwaway one)")) -> None:
    """Run a daily schedule in virtual time with simulated learners; print posts, results, streaks, leaderboard."""
    import tempfile
    from datetime import datetime

    from rich.console import Console

    from adapters.console.simulate import simulate

    async def main(path: Path) -> int:
        bot_app = await start_app(path)
        try:
            report = await simulate(bot_app.engine, Console(), days, learners, seed,
                                    datetime(2026, 1, 5, 6, 0, tzinfo=UTC), timezone, weekdays)
        finally:
            await bot_app.close()
        return 0 if report["mismatches"] == 0 else 1

    with tempfile.TemporaryDirectory() as tmp:
        code = run_async(main(db or Path(tmp) / "simulation.db"))
    raise typer.Exit(code)


@app.command("run")
def run(platform: str = typer.Argument("console", help="console | discord | slack"),
        http: bool = typer.Option(False, "--http", help="Slack: serve HTTP (Events API) instead of Socket Mode"),
        port: int = typer.Option(3000, help="Slack HTTP mode: port to listen on"),
        user: str = typer.Option("you", help="console: your learner name"),
        db: Path | None = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)"),
        verbose: bool = VERBOSE) -> None:
    """Run the bot on one front door (the terminal by default)."""
    serve_door(platform, db, user=user, http=http, port=port, verbose=verbose)


@app.command("health")
def health(db: Path | None = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)")) -> None:
    """Check that the content validates and the database is reachable and migrated; exit 1 if not. Changes nothing."""
    from pydantic import ValidationError

    from adapters.health import run_checks
    from bot.logs import Redactor, secret_values
    from bot.settings import Settings

    redact = Redactor(secret_values())
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        typer.echo(redact(f"FAIL config: {problems}"))
        raise typer.Exit(1) from None
    checks = run_checks(settings.content_dir, settings.resolved_database_url(db))
    for check in checks:
        typer.echo(redact(str(check)))
    raise typer.Exit(0 if all(check.ok for check in checks) else 1)


@app.command("bench")
def bench(as_json: bool = typer.Option(False, "--json", help="one JSON document on stdout (progress goes to stderr)"),
          database_url: str | None = typer.Option(None, "--database-url",
                                                     help="PostgreSQL server: a fresh database per scenario (default: fresh SQLite files)"),
          quick: bool = typer.Option(False, "--quick", help="smaller sizes (about a tenth)"),
          tiny: bool = typer.Option(False, "--tiny", hidden=True, help="smoke-test sizes"),
          only: str | None = typer.Option(None, "--only", help="scenarios to run, e.g. answers,fanout or 1,3")) -> None:
    """Benchmark the engine on fresh databases: answers, leaderboards, fan-out, content load."""
    from bot.bench.main import main as bench_main
    raise typer.Exit(bench_main(json_output=as_json, database_url=database_url,
                                profile="tiny" if tiny else "quick" if quick else "full", only=only))


PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@app.command("discord", context_settings=PASS_THROUGH, add_help_option=False)
def discord_tools(ctx: typer.Context) -> None:
    """Discord tools: sync, invite (see `quizbot discord --help`)."""
    from adapters.discord.cli import discord_app
    discord_app(ctx.args, prog_name="quizbot discord")


def main() -> None:
    app(prog_name="quizbot")


if __name__ == "__main__":
    main()
