"""`quizbot content import|export`: other tools' question files to lesson files and back.

An import is read, checked against the lesson folder it joins and linted before anything is written;
then it becomes a new lesson file (never over an existing one). Problems name file, line and field,
and exit 1 with nothing written.
"""
from __future__ import annotations

from pathlib import Path

import typer

from bot.content.formats import EXPORTERS, IMPORTERS, ImportOptions, Skipped

FORMATS_IN = " | ".join(IMPORTERS)
FORMATS_OUT = " | ".join(EXPORTERS)


def _show_skipped(skipped: list[Skipped], what: str) -> None:
    if skipped:
        typer.echo(f"{len(skipped)} question(s) {what}:")
        for s in skipped:
            typer.echo(f"  skipped {s}")


def import_file(file: Path, fmt: str, options: ImportOptions, out: Path | None, content_dir: Path) -> Path:
    """Write `file` as a new lesson file and return its path, or exit 1 having written nothing."""
    from adapters.cli import fail
    from bot.content.formats.pipeline import ImportFailed, next_order, plan_import, write_import

    if fmt not in IMPORTERS:
        fail(f"unknown import format '{fmt}': use {FORMATS_IN}")
    folder = out.parent if out is not None else content_dir
    if out is not None and out.suffix not in (".yml", ".yaml"):
        fail(f"{out}: a lesson file must end in .yml or .yaml")
    options = ImportOptions(options.lesson_id, options.title, options.summary, next_order(folder))
    try:
        plan = plan_import(IMPORTERS[fmt], file, options, folder)
    except ImportFailed as failed:
        _show_skipped(list(failed.skipped), "could not be represented")
        fail("\n".join([*map(str, failed.problems), f"{len(failed.problems)} problem(s): nothing written."]))
    target = out or folder / f"{options.order:02d}-{plan.lesson.id}.yml"
    _show_skipped(plan.skipped, "could not be represented and were skipped")
    for warning in plan.warnings:
        typer.echo(f"  {warning}")
    try:
        write_import(plan, target)
    except FileExistsError:
        fail(f"{target} already exists: nothing written (choose another --out, or remove the file first)")
    except OSError as err:
        fail(f"cannot write {target}: {err.strerror or err}")
    typer.echo(f"wrote {target}: lesson '{plan.lesson.id}' with {len(plan.lesson.questions)} question(s), "
               f"{len(plan.skipped)} skipped, {len(plan.warnings)} lint warning(s)")
    return target


def _find_lesson(lesson: str, content_dir: Path):
    from adapters.cli import fail
    from bot.content.loader import validate_paths
    from bot.content.sources.yaml_files import parse_lesson_file

    given = Path(lesson)
    if given.suffix in (".yml", ".yaml") and given.is_file():
        parsed = parse_lesson_file(given)
        if isinstance(parsed, list):
            fail("\n".join(map(str, parsed)))
        return parsed.lesson
    catalog, problems = validate_paths([content_dir])
    if catalog is None:
        fail("\n".join(map(str, problems)))
    found = catalog.find_lesson(lesson)
    if found is None:
        fail(f"no lesson '{lesson}' in {content_dir}: give its id, its number, the start of its title, or a "
             "lesson file")
    return found


def add_format_commands(content_app: typer.Typer) -> None:
    @content_app.command("import")
    def content_import(file: Path = typer.Argument(..., help="the file to import"),
                       fmt: str = typer.Option(..., "--format", "-f", help=FORMATS_IN),
                       lesson_id: str | None = typer.Option(None, "--lesson-id", help="the lesson's id "
                                                            "(default: from the file name)"),
                       title: str | None = typer.Option(None, "--title", help="the lesson's title (default: "
                                                        "the file's one category, or its name)"),
                       out: Path | None = typer.Option(None, "--out", help="the new lesson file (default: "
                                                       "NN-<lesson id>.yml in the content folder)")) -> None:
        """Import questions into a NEW lesson file, checked and linted first; exit 1 with nothing written on any
        problem. Questions the format has but a lesson cannot hold are listed with their line."""
        from adapters.cli import load_settings
        import_file(file, fmt, ImportOptions(lesson_id, title), out, load_settings().content_dir)

    @content_app.command("export")
    def content_export(lesson: str = typer.Argument(..., help="lesson id, number, title start, or a lesson file"),
                       fmt: str = typer.Option(..., "--format", "-f", help=FORMATS_OUT),
                       out: Path = typer.Option(..., "--out", help="the file to write (must not exist)")) -> None:
        """Export one lesson to another tool's format; questions that format cannot hold are listed."""
        from adapters.cli import fail, load_settings
        from bot.content.formats.pipeline import export_lesson

        if fmt not in EXPORTERS:
            fail(f"unknown export format '{fmt}': use {FORMATS_OUT}")
        found = _find_lesson(lesson, load_settings().content_dir)
        try:
            skipped = export_lesson(EXPORTERS[fmt], found, out)
        except FileExistsError:
            fail(f"{out} already exists: nothing written (choose another --out, or remove the file first)")
        except OSError as err:
            fail(f"cannot write {out}: {err.strerror or err}")
        _show_skipped(skipped, f"cannot be written as {EXPORTERS[fmt].label} and were left out")
        typer.echo(f"wrote {out}: {len(found.questions) - len(skipped)} question(s) of lesson '{found.id}'")
