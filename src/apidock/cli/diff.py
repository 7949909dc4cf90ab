"""`apidock diff OLD NEW`: what changed between two descriptions, by oasdiff's rules and
levels, as a step of a CI pipeline.

Each side is a file in any format an import takes (read as the import reads it, to OpenAPI
3.1: `descriptions.intake.take_in`), or `APP@X`, revision X (a number) or release X (a
version) of the app whose slug is APP, read from the database the settings name. Two files
need no database and no settings. The exit status is the gate: 1 when a change is at
`--fail-on` or graver, 0 otherwise (always 0 without `--fail-on`), and 2 when a side cannot
be read (no such file, a document import would refuse, an unknown app, revision or release,
no database), so that a broken step never passes for a clean diff.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from apidock.apps import service as app_service
from apidock.cli.running import read_settings, run_on_database
from apidock.db import Database
from apidock.descriptions.intake import take_in
from apidock.descriptions.problems import DocumentRefused
from apidock.diffing.changes import Change, Level, at_least
from apidock.diffing.engine import diff_documents
from apidock.diffing.report import changelog_markdown, changelog_text, summary
from apidock.errors import ApiError, NotFound
from apidock.revisions import service as revision_service


class BadInput(click.ClickException):
    """A side that cannot be read: one line saying why, exit status 2."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class AppSide:
    """`APP@X`: revision or release X of the app whose slug is APP."""

    text: str
    slug: str
    reference: str


def _side(text: str) -> Path | AppSide:
    path = Path(text)
    if path.is_file():
        return path
    slug, at, reference = text.rpartition("@")
    if not at:
        raise BadInput(f"{text}: no such file (an app's side is APP@X)")
    if not slug or not reference:
        raise BadInput(f"{text}: give APP@X, the app's slug and a revision number or version")
    return AppSide(text, slug, reference)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        document: dict[str, Any] = take_in(raw, media_type=None).document
    except OSError as error:
        raise BadInput(f"{path}: {error.strerror or error}") from None
    except DocumentRefused as refused:
        problems = "; ".join(
            f"{problem.pointer}: {problem.message}" for problem in refused.problems
        )
        raise BadInput(f"{path}: {refused.message}: {problems}") from None
    except ApiError as error:  # too large, too deep
        raise BadInput(f"{path}: {error.message}") from None
    return document


def _read_apps(sides: list[AppSide]) -> dict[str, dict[str, Any]]:
    """The documents of the app sides, read in one read-only transaction."""
    if not sides:
        return {}
    settings = read_settings()

    async def read(database: Database) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        async with database.transaction(write=False) as session:
            for side in sides:
                app = await app_service.get_by_slug(session, slug=side.slug)
                if app is None:
                    raise BadInput(f"{side.text}: no app has the slug {side.slug!r}")
                try:
                    found[side.text] = await revision_service.document_at(
                        session, app=app, reference=side.reference
                    )
                except NotFound as missing:
                    raise BadInput(f"{side.text}: {missing.message}") from None
        return found

    try:
        return run_on_database(settings, read)
    except BadInput:
        raise
    except click.ClickException as error:  # the database's failure: not a clean diff
        raise BadInput(error.message) from None


def _output(changes: list[Change], form: str, old: str, new: str) -> str:
    if form == "json":
        body = {"changes": [change.as_json() for change in changes], "summary": summary(changes)}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if form == "markdown":
        return changelog_markdown(changes, title=f"Changes from {old} to {new}")
    return changelog_text(changes)


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "warning"]),
    help="Exit 1 when a change is of this level or graver (warning: breaking ones too).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="One line a change, the diff route's JSON, or a Markdown changelog.",
)
def diff(old: str, new: str, fail_on: Literal["breaking", "warning"] | None, form: str) -> None:
    """The changes from OLD to NEW, each a file (OpenAPI 3.1/3.0, Swagger 2.0 or Postman,
    JSON or YAML) or APP@X (revision number or release version X of the app with slug APP,
    from the database). Exits 1 when a change meets --fail-on, 2 when a side can't be read."""
    sides = [_side(old), _side(new)]
    from_apps = _read_apps([side for side in sides if isinstance(side, AppSide)])
    old_document, new_document = (
        from_apps[side.text] if isinstance(side, AppSide) else _read_file(side) for side in sides
    )
    changes = diff_documents(old_document, new_document)
    click.echo(_output(changes, form, old, new), nl=False)
    threshold: Level | None = fail_on
    if threshold is not None and any(at_least(change.level, threshold) for change in changes):
        sys.exit(1)
