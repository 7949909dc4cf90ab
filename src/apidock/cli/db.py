"""`apidock db`: migrate the schema (Alembic), and take over a Flask api-dock database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from apidock import migrations, readiness
from apidock.adopt import adopt as run_adopt
from apidock.cli.running import call_or_exit, read_settings, run_on_database, shown_url
from apidock.db import Database


@click.group()
def db() -> None:
    """Migrate the database schema (Alembic)."""


def _migrate(step: Callable[[AsyncEngine, str], Awaitable[None]], revision: str) -> None:
    """Move the schema to `revision` with `step`, then tell where the database is."""
    settings = read_settings()

    async def work(database: Database) -> str | None:
        await step(database.engine, revision)
        return await migrations.current_revision(database.engine)

    current = run_on_database(settings, work)
    click.echo(f"Database at revision {current or 'base'}")


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head, the newest)."""
    _migrate(migrations.upgrade, revision)


# "-1" would otherwise be taken for an unknown option
@db.command(context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('-1' steps back one, 'base' removes every table)."""
    _migrate(migrations.downgrade, revision)


@db.command()
def adopt() -> None:
    """Take over a database made by the Flask api-dock: record it as this project's first revision.

    The database is recognised by its tables and columns. One already at a revision of this
    project is left alone; any other is refused, with the differences listed, and nothing is
    changed. Then run `apidock db upgrade` and `apidock deploy`.
    """
    report = run_on_database(read_settings(), lambda database: run_adopt(database.engine))
    if not report.adopted:
        click.echo(
            f"Database already managed by API Dock, at revision {report.revision}: unchanged"
        )
        return
    replaced = f", replacing {', '.join(report.replaced)}" if report.replaced else ""
    click.echo(
        f"Flask api-dock database adopted at revision {report.revision}{replaced}.\n"
        "Next: `apidock db upgrade`, then `apidock deploy`."
    )


@db.command()
def current() -> None:
    """Show which database the settings name (its password hidden), the revision it is at
    ('base' when it has none) and whether that is the head, the newest of this code."""
    settings = read_settings()
    code = call_or_exit(readiness.code_revisions)
    state = run_on_database(
        settings, lambda database: readiness.schema_state(database.engine, code)
    )
    click.echo(f"Database: {shown_url(settings.database_url)}")
    click.echo(f"Revision: {state.revision or 'base'} ({_standing(state)})")


def _standing(state: readiness.SchemaState) -> str:
    if state.at_head:
        return "head"
    if state.revision is None:
        return f"not migrated; the head is {state.head}: run `apidock deploy`"
    if not state.known:
        return f"unknown to this code, whose head is {state.head}"
    return f"behind the head, {state.head}: run `apidock db upgrade`"


@db.command()
@click.option("-v", "--verbose", is_flag=True, help="Show each revision's file too.")
def history(verbose: bool) -> None:
    """List the migrations, newest first; the head is marked."""
    read_settings()
    revisions = call_or_exit(migrations.history)
    for info in revisions:
        parents = ", ".join(info.down_revisions) or "base"
        head = " (head)" if info.is_head else ""
        click.echo(f"{parents} -> {info.revision}{head}, {info.message}")
        if verbose:
            click.echo(f"    {info.path}")


@db.command()
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option(
    "--autogenerate", is_flag=True, help="Fill it with the differences between models and database."
)
def revision(message: str, autogenerate: bool) -> None:
    """Write a migration file under alembic/versions; read it before committing it."""
    settings = read_settings()
    path = call_or_exit(
        lambda: migrations.revision(
            message, autogenerate=autogenerate, database_url=settings.database_url
        )
    )
    if path is None:
        click.echo("No change between the models and the database: no migration written")
    else:
        click.echo(f"Wrote {path}")
