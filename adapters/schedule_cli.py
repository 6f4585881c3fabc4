"""`quizbot schedule ...`: operators manage daily schedules straight on the database.

The running bot notices changes on its next safety tick (within a minute). A post-now for a
Discord or Slack schedule is claimed here and handed to the running bot of that platform.
"""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from adapters.console import render
from adapters.console.sender import ConsoleSender
from bot.clock import utc_now
from bot.errors import QuizError
from bot.ids import parse_id
from bot.ports import require_front_door
from bot.views import Actor, ScheduleSpec

schedule_app = typer.Typer(help="Daily schedules, for operators (acts as an admin of the community).",
                           no_args_is_help=True)
PLATFORM = typer.Option("console", help="console | discord | slack")
COMMUNITY = typer.Option("local", help="community id: 'local' for the terminal, a guild id, or a Slack team id")
DB = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)")


def operator(platform: str, community: str) -> Actor:
    require_front_door(platform)
    return Actor(platform, community, "operator", "operator", is_admin=True)


def run_on_engine(db: Path | None, action) -> None:
    from adapters.cli import run_async, start_app

    async def main() -> None:
        app = await start_app(db)
        console = Console()
        app.engine.router.register("console", ConsoleSender(console))
        try:
            console.print(await action(app.engine, utc_now()))
        except QuizError as err:
            typer.echo(str(err), err=True)
            raise typer.Exit(1) from None
        finally:
            await app.close()

    run_async(main())


@schedule_app.command("list")
def list_(platform: str = PLATFORM, community: str = COMMUNITY, db: Path | None = DB) -> None:
    """Schedules with their next post time (local and UTC) and how much of the track is left."""
    async def action(engine, now):
        return render.schedules(await engine.schedule_list(operator(platform, community), now))
    run_on_engine(db, action)


@schedule_app.command("add")
def add(channel: str = typer.Option(..., help="channel id (the terminal's channel is 'general')"),
        time: str = typer.Option(..., help="local time, 24-hour HH:MM"),
        days: str = typer.Option("mon-fri", help="e.g. mon-fri, daily, mon,wed,fri"),
        tz: str | None = typer.Option(None, help="IANA time zone (default: the community's)"),
        lessons: str = typer.Option("", help="comma-separated lesson ids or numbers (default: all)"),
        tags: str = typer.Option("", help="comma-separated tags"),
        shuffle: bool = typer.Option(False, help="shuffle the track (a fixed order per schedule)"),
        open_minutes: int | None = typer.Option(None, help="minutes a question stays open (default: until the next post)"),
        ping_role: str | None = typer.Option(None, help="role id to ping on each post"),
        platform: str = PLATFORM, community: str = COMMUNITY, db: Path | None = DB) -> None:
    """Create a schedule for a channel."""
    spec = ScheduleSpec(channel, time, days, tz, tuple(x for x in lessons.split(",") if x),
                        tuple(x for x in tags.split(",") if x), shuffle, open_minutes, ping_role)

    async def action(engine, now):
        return "created:\n" + render.schedules([await engine.schedule_create(operator(platform, community), spec, now)])
    run_on_engine(db, action)


def _simple(name: str, doc: str, call):
    def command(schedule: str = typer.Argument(..., metavar="SCHEDULE_ID", help="schedule number, from 'schedule list'"),
                platform: str = PLATFORM, community: str = COMMUNITY, db: Path | None = DB) -> None:
        try:
            schedule_id = parse_id(schedule, "schedule")  # before opening anything: no query sees a bad id
        except QuizError as err:
            typer.echo(str(err), err=True)
            raise typer.Exit(1) from None

        async def action(engine, now):
            return await call(engine, operator(platform, community), schedule_id, now)
        run_on_engine(db, action)
    command.__doc__ = doc
    schedule_app.command(name)(command)


async def _enabled(engine, actor, sid, now, on):
    return render.schedules([await engine.schedule_set_enabled(actor, sid, on, now)])


async def _remove(engine, actor, sid, now):
    view = await engine.schedule_remove(actor, sid)
    return f"removed schedule #{view.id} ({view.channel_id})"


async def _post_now(engine, actor, sid, now):
    outcome = await engine.schedule_post_now(actor, sid, now)
    if outcome.status == "failed" and actor.platform != "console":
        return f"claimed post #{outcome.post_id}; the running {actor.platform} bot sends it within a minute"
    return f"post #{outcome.post_id}: {outcome.status} {outcome.detail}".strip()


async def _skip(engine, actor, sid, now):
    return render.schedules([await engine.schedule_skip_next(actor, sid, now)])


_simple("pause", "Stop posting (open questions still close and reveal).", lambda e, a, s, n: _enabled(e, a, s, n, False))
_simple("resume", "Post again from the next slot.", lambda e, a, s, n: _enabled(e, a, s, n, True))
_simple("remove", "Delete a schedule (posted days and answers are kept).", _remove)
_simple("post-now", "Post today's question now (the scheduled run later today then does nothing).", _post_now)
_simple("skip", "Skip the next post.", _skip)


@schedule_app.command("recap")
def recap(schedule: str = typer.Argument(..., metavar="SCHEDULE_ID", help="schedule number, from 'schedule list'"),
          day: str = typer.Argument(..., metavar="DAY|off", help="the recap's weekday (mon..sun), or off"),
          platform: str = PLATFORM, community: str = COMMUNITY, db: Path | None = DB) -> None:
    """Move the weekly recap to another day, or turn it off (it goes out at the schedule's time, before the question)."""
    try:
        schedule_id = parse_id(schedule, "schedule")
    except QuizError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from None

    async def action(engine, now):
        return render.schedules([await engine.schedule_set_recap(operator(platform, community), schedule_id, day, now)])
    run_on_engine(db, action)
