"""`apidock import` and `apidock export`: descriptions in and out from the command line, through
the same services as `POST /apps/import` and `GET /apps/{id}/openapi.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from apidock.apps import service as app_service
from apidock.apps.models import App
from apidock.cli.running import read_settings, run_on_database
from apidock.cli.users import AUDIT_ADDRESS
from apidock.db import Database
from apidock.descriptions.intake import IntakeLimits
from apidock.errors import ApiError
from apidock.imports import service as import_service
from apidock.work import UnitOfWork


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="The new app's slug.  [default: made from the title]")
@click.option("--app-id", type=click.IntRange(min=1), help="Replace this app's description.")
def import_document(file: Path, slug: str | None, app_id: int | None) -> None:
    """Import FILE (OpenAPI 3.1/3.0, Swagger 2.0 or Postman, JSON or YAML, told by its
    content) as a new app, or as the description of app --app-id; print the report as JSON.

    Exits 1 when the document is refused, after printing why (each problem with its JSON
    Pointer). The audit row names no actor and has the address `cli`.
    """
    if slug is not None and app_id is not None:
        raise click.UsageError("give --slug or --app-id, not both")
    settings = read_settings()
    raw = file.read_bytes()
    limits = IntakeLimits.of(settings)

    async def work(database: Database) -> str:
        async with database.transaction() as session:
            try:
                imported = await import_service.import_document(
                    UnitOfWork(session=session, address=AUDIT_ADDRESS),
                    raw=raw,
                    media_type=None,
                    limits=limits,
                    slug=slug,
                    app_id=app_id,
                )
            except ApiError as error:
                if error.data:
                    click.echo(json.dumps(error.data, indent=2, ensure_ascii=False), err=True)
                raise
            answer = {
                "app": {
                    "id": imported.app.id,
                    "slug": imported.app.slug,
                    "title": imported.app.title,
                },
                "created": imported.created,
                "report": imported.report,
            }
            return json.dumps(answer, indent=2, ensure_ascii=False)

    click.echo(run_on_database(settings, work))


@click.command("export")
@click.argument("app")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@click.option("--yaml", "as_yaml", is_flag=True, help="YAML instead of JSON.")
def export_document(app: str, output: Path | None, as_yaml: bool) -> None:
    """Export APP (its id or its slug) as an OpenAPI 3.1.0 document, to standard output or
    to --output, the same bytes as GET /api/v1/apps/{id}/openapi.json (or .yaml)."""
    settings = read_settings()

    async def work(database: Database) -> list[bytes]:
        async with database.transaction(write=False) as session:
            found: App | None = None
            if app.isdigit():
                found = await UnitOfWork(session=session).live(App, int(app))
            if found is None:
                found = await app_service.get_by_slug(session, slug=app)
            if found is None:
                raise click.ClickException(f"No app has the id or slug {app!r}")
            return await app_service.export_openapi(
                session,
                app=found,
                syntax="yaml" if as_yaml else "json",
                mock_base=settings.mock_base_url,
            )

    pieces = run_on_database(settings, work)
    if output is None:
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
    else:
        with output.open("wb") as target:
            for piece in pieces:
                target.write(piece)
