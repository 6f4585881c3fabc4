"""`quizbot content stats|retire|unretire`: item analysis and retired questions, for operators on the database.

Stats read the answer log of one community (`--community`, the id the platform gives it) or of all; retire
and unretire act as an admin of one community (the running bot's next pick already skips or uses it)."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from bot.clock import utc_now
from bot.errors import QuizError
from bot.item_views import ItemAnalysis, ItemReport
from bot.views import Actor

DB = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)")


def percent(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def signed(x: float | None) -> str:
    return "–" if x is None else f"{x:+.2f}"


def choices_text(item: ItemReport) -> str:
    """'1✓ 62%/90%  2 20%/5% …': each choice's share among all and among the top quarter."""
    return "  ".join(f"{text.label}{'✓' if c.is_key else ''} {percent(c.share)}/{percent(c.top_share)}"
                     for c, text in zip(item.figures.choices, item.choices, strict=True))


def stats_table(report: ItemAnalysis) -> Table:
    where = report.community or "all communities"
    table = Table(title=f"Questions in {where}: {report.learners} learners (first attempts)", show_lines=False)
    for name in ("question", "n", "facility", "discr.", "27% idx", "effic.", "choices all/top ¼", "median s", "flags"):
        table.add_column(name, overflow="fold")
    for item in report.items:
        f = item.figures
        flags = "; ".join(flag.reason for flag in item.flags) + (" [retired]" if item.retired else "")
        table.add_row(item.question_id, str(f.attempts), percent(f.facility), signed(f.discrimination),
                      signed(f.upper_lower), percent(f.efficiency), choices_text(item),
                      "–" if f.median_seconds is None else f"{f.median_seconds:.0f}", flags.strip())
    return table


def add_item_commands(content_app: typer.Typer) -> None:
    @content_app.command("stats")
    def content_stats(community: str | None = typer.Option(None, "--community", help="community id (default: all)"),
                      platform: str | None = typer.Option(None, "--platform", help="console | discord | slack, when "
                                                          "the id is on several"),
                      as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
                      db: Path | None = DB) -> None:
        """Item analysis from the answer log: facility, discrimination, choice shares, time, flags."""
        async def action(engine, now):
            report = await engine.operator_item_analysis(now, community, platform)
            if as_json:
                typer.echo(json.dumps(report.as_dict(), indent=2, default=str))
            else:
                Console(width=200).print(stats_table(report))
        run(db, action)

    def change(retired: bool):
        def command(question: str = typer.Argument(..., help="question id"),
                    community: str = typer.Option(..., "--community", help="community id ('local' for the terminal)"),
                    platform: str = typer.Option("console", "--platform", help="console | discord | slack"),
                    db: Path | None = DB) -> None:
            async def action(engine, now):
                actor = Actor(platform, community, "operator", "operator", is_admin=True)
                done = await engine.question_set_retired(actor, question, retired, now)
                state = "retired from the schedules" if done.retired else "back in the schedules"
                typer.echo(f"{done.question_id}: {state}{'' if done.changed else ' (already so)'}")
            run(db, action)
        command.__doc__ = ("Retire a question from a community's schedules (answers where it was posted still count)."
                           if retired else "Bring a retired question back into a community's schedules.")
        return command

    content_app.command("retire")(change(True))
    content_app.command("unretire")(change(False))


def run(db: Path | None, action) -> None:
    from adapters.cli import fail, run_async, start_app

    async def main() -> None:
        app = await start_app(db)
        try:
            await action(app.engine, utc_now())
        except QuizError as err:
            fail(str(err))
        finally:
            await app.close()

    run_async(main())
