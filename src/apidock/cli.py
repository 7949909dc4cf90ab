"""The `apidock` command: serve, migrate, deploy, list routes, shell, profile, create users.

Thin on purpose: each command parses its options, loads the settings and calls the code that
does the work (`deploy`, the services, `shell`, `profiling`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import fastapi.routing
import uvicorn
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import exc as sa_exc
from starlette.routing import Mount, Route

import apidock
from apidock import __version__, migrations, server
from apidock import shell as repl
from apidock.adopt import AdoptReport
from apidock.adopt import adopt as run_adopt
from apidock.auth.passwords import PasswordHasher, usable_cpus
from apidock.config import Settings, SettingsError, load_settings
from apidock.database import Database, create_engine
from apidock.deploy import DeployReport
from apidock.deploy import deploy as run_deploy
from apidock.exceptions import ApiError
from apidock.main import create_app
from apidock.permissions import permission_names
from apidock.profiling import ProfilerMiddleware
from apidock.roles import service as role_service
from apidock.users import service as user_service

T = TypeVar("T")

APP_FACTORY = "apidock.main:create_app"
PACKAGE_DIR = Path(apidock.__file__).parent


class BadSetting(click.ClickException):
    """A setting has a bad value: one line naming it, exit status 2."""

    exit_code = 2


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise BadSetting(str(exc)) from None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` on a new event loop; a failure it reports becomes one line and exit 1."""
    try:
        return asyncio.run(work())
    except SettingsError as exc:
        raise BadSetting(str(exc)) from None
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    except migrations.MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    except (sa_exc.SQLAlchemyError, OSError) as exc:
        raise click.ClickException(f"database error: {_first_line(exc)}") from None


async def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database(create_engine(settings), settings)
    try:
        return await work(database)
    finally:
        await database.dispose()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apidock")
def cli() -> None:
    """API Dock: document the HTTP APIs of your applications and test them.

    Settings come from the environment and from `.env` in the current directory
    (see README, "Configuration").
    """


def main() -> None:
    """The console script `apidock`."""
    cli(prog_name="apidock")


# --- serve and profile ---------------------------------------------------------------------

_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
_port = click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
_forwarded_allow_ips = click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    envvar="FORWARDED_ALLOW_IPS",
    show_envvar=True,
    help="Comma-separated addresses of the reverse proxies whose X-Forwarded-For and "
    "X-Forwarded-Proto headers are trusted ('*' trusts any).",
)


@cli.command()
@_host
@_port
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    envvar="WEB_CONCURRENCY",
    show_envvar=True,
    help="Number of worker processes.",
)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log one line per request (behind a proxy that logs, leaving it out saves CPU).",
)
@_forwarded_allow_ips
def serve(
    host: str, port: int, workers: int, reload: bool, access_log: bool, forwarded_allow_ips: str
) -> None:
    """Serve the API with uvicorn (uvloop, httptools with bounds on each request head)."""
    # a bad setting stops here, in one line, before any worker starts
    settings = _settings()
    if reload and workers > 1:
        raise click.UsageError("--reload runs a single process; leave out --workers")
    if workers > 1 and settings.password_hash_concurrency is None:
        # the usable CPUs shared among the workers (apidock.auth.passwords tells why)
        share = max(1, usable_cpus() // workers)
        os.environ["PASSWORD_HASH_CONCURRENCY"] = str(share)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        reload_dirs=[str(PACKAGE_DIR)] if reload else None,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        access_log=access_log,
        http=server.PROTOCOL,
        timeout_keep_alive=settings.timeout_keep_alive,
        limit_concurrency=settings.limit_concurrency,
        backlog=settings.backlog,
    )


@cli.command()
@_host
@_port
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the reports.  [default: profiles under the var directory]",
)
@_forwarded_allow_ips
def profile(host: str, port: int, output: Path | None, forwarded_allow_ips: str) -> None:
    """Serve one process with a profiler writing one cProfile report (.prof) per request.

    Requests are profiled one at a time. Read a report with `python -m pstats FILE`.
    """
    settings = _settings()
    directory = (output or settings.var_dir / "profiles").resolve()
    click.echo(f"Writing one profile per request under {directory}", err=True)
    uvicorn.run(
        ProfilerMiddleware(create_app(settings), directory),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )


# --- db -------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Migrate the database schema (Alembic)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head, the newest)."""
    settings = _settings()

    async def work(database: Database) -> str | None:
        await migrations.upgrade(database.engine, revision)
        return await migrations.current_revision(database.engine)

    current = _run(lambda: _with_database(settings, work))
    click.echo(f"Database at revision {current or 'base'}")


# "-1" would otherwise be taken for an unknown option
@db.command(context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('-1' steps back one, 'base' removes every table)."""
    settings = _settings()

    async def work(database: Database) -> str | None:
        await migrations.downgrade(database.engine, revision)
        return await migrations.current_revision(database.engine)

    current = _run(lambda: _with_database(settings, work))
    click.echo(f"Database at revision {current or 'base'}")


@db.command()
def adopt() -> None:
    """Take over a database made by the Flask api-dock: record it as this project's first revision.

    The database is recognised by its tables and columns. One already at a revision of this
    project is left alone; any other is refused, with the differences listed, and nothing is
    changed. Then run `apidock db upgrade` and `apidock deploy`.
    """
    settings = _settings()

    async def work(database: Database) -> AdoptReport:
        return await run_adopt(database.engine)

    report = _run(lambda: _with_database(settings, work))
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
    """Show the revision the database is at ('base' when it has none)."""
    settings = _settings()

    async def work(database: Database) -> str | None:
        return await migrations.current_revision(database.engine)

    click.echo(_run(lambda: _with_database(settings, work)) or "base")


@db.command()
@click.option("-v", "--verbose", is_flag=True, help="Show each revision's file too.")
def history(verbose: bool) -> None:
    """List the migrations, newest first; the head is marked."""
    _settings()
    try:
        revisions = migrations.history()
    except migrations.MigrationError as exc:
        raise click.ClickException(str(exc)) from None
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
    settings = _settings()
    try:
        path = migrations.revision(
            message, autogenerate=autogenerate, database_url=settings.database_url
        )
    except migrations.MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    except (sa_exc.SQLAlchemyError, OSError) as exc:
        raise click.ClickException(f"database error: {_first_line(exc)}") from None
    if path is None:
        click.echo("No change between the models and the database: no migration written")
    else:
        click.echo(f"Wrote {path}")


# --- deploy and users -----------------------------------------------------------------------


@cli.command()
def deploy() -> None:
    """Upgrade the schema, seed the roles and create the root administrator.

    Safe to run again: the four seeded roles (known by their seed key, whatever their title
    now) get their defined permissions back, or are created again if deleted, the root
    administrator (APP_ROOT_ADMIN) gets the administrator role and normal status back, and
    nothing else changes. Its password comes from APP_ROOT_ADMIN_PASSWORD or is generated
    and shown once, when the administrator is created; an existing password is kept.
    """
    settings = _settings()

    async def work(database: Database) -> DeployReport:
        return await run_deploy(database, settings, hasher=PasswordHasher(settings))

    report = _run(lambda: _with_database(settings, work))
    if report.migrated:
        click.echo(
            f"Database upgraded from {report.revision_before or 'base'} to {report.revision_after}"
        )
    else:
        click.echo(f"Database already at {report.revision_after}")
    if report.roles.created:
        click.echo(f"Roles created: {', '.join(report.roles.created)}")
    for wanted, title in report.roles.retitled.items():
        click.echo(
            f"The title {wanted!r} is held by a role deploy did not make, left as it is: "
            f"the seeded role is {title!r}"
        )
    if report.roles.updated:
        click.echo(f"Roles reset to their definition: {', '.join(report.roles.updated)}")
    if not report.roles.changed:
        click.echo("Roles already as defined")
    if report.users_given_default_role:
        click.echo(
            f"Users without a role given the default role: {report.users_given_default_role}"
        )
    name = report.admin_name
    if report.admin_created:
        click.echo(f"Root administrator {name!r} created")
    elif report.admin_reinstated:
        click.echo(f"Root administrator {name!r} given back its role and normal status")
    else:
        click.echo(f"Root administrator {name!r} already in place")
    if report.generated_password is not None:
        click.echo(
            f"Password of {name!r}, shown only this once: {report.generated_password}\n"
            "Keep it somewhere safe, or set APP_ROOT_ADMIN_PASSWORD before the first deploy."
        )


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.UsageError("--password-stdin: standard input holds no password")
    return password


def _check_password(value: str) -> str:
    try:
        return user_service.validate_password(value)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@cli.command("create-user")
@click.argument("name")
@click.option("--role", help="Title of the user's role.  [default: the default role]")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
def create_user(name: str, role: str | None, password_stdin: bool) -> None:
    """Create a user NAME, with a password typed twice (or read from standard input)."""
    settings = _settings()
    try:
        name = user_service.normalize_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    if password_stdin:
        password = _check_password(_password_from_stdin())
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, value_proc=_check_password
        )

    async def work(database: Database) -> str:
        password_hash = await PasswordHasher(settings).hash(password)
        async with database.transaction() as session:
            if role is None:
                found = await role_service.get_default(session)
            else:
                found = await role_service.get_by_title(session, title=role)
            if found is None:
                wanted = "default role" if role is None else f"role {role!r}"
                raise click.ClickException(f"There is no {wanted}; has `apidock deploy` run?")
            user = await user_service.create(
                session, name=name, password_hash=password_hash, role_id=found.id
            )
            return f"User {user.name!r} created with id {user.id} and role {found.title!r}"

    click.echo(_run(lambda: _with_database(settings, work)))


# --- introspection --------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRow:
    methods: str
    path: str
    name: str
    permission: str


def _marker_bits(marker: Any) -> int:
    """The bit set a `permissions` marker stands for: one flag, or an iterable of flags."""
    if isinstance(marker, int):
        return marker
    bits = 0
    for flag in marker:
        bits |= int(flag)
    return bits


def _required_bits(dependant: Dependant) -> int:
    """Every permission required by `dependant`'s dependencies, however deep."""
    bits = 0
    for dependency in dependant.dependencies:
        marker = getattr(dependency.call, "permissions", None)
        if marker is not None:
            bits |= _marker_bits(marker)
        bits |= _required_bits(dependency)
    return bits


def _flat_routes(app: FastAPI) -> Iterable[Any]:
    """Every route of `app`, those of included routers too, with their full paths.

    FastAPI 0.16x keeps an included router as one entry of `app.routes` and resolves its
    routes lazily; `iter_route_contexts` walks them with the prefix and the router's
    dependencies applied. Older releases copy the routes into `app.routes`.
    """
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    return iterate(app.routes) if iterate is not None else app.routes


def route_table(app: FastAPI) -> list[RouteRow]:
    """One row per route of `app`: methods, path, name and the permissions it requires."""
    rows: list[RouteRow] = []
    for route in _flat_routes(app):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute):
            names = permission_names(_required_bits(route.dependant))
            permission = ",".join(names) or "-"
            rows.append(RouteRow(_methods(route.methods), route.path, route.name, permission))
        elif isinstance(original, Route):
            rows.append(RouteRow(_methods(route.methods), route.path, route.name, "-"))
        elif isinstance(original, Mount):
            rows.append(RouteRow("GET,HEAD", f"{route.path}/{{path}}", route.name or "-", "-"))
    return sorted(rows, key=lambda row: (row.path, row.methods))


def _methods(methods: Iterable[str] | None) -> str:
    return ",".join(sorted(methods or ())) or "-"


@cli.command()
def routes() -> None:
    """List the routes: method, path, name and the permissions each requires."""
    app = create_app(_settings())
    table = [
        astuple(row)
        for row in (RouteRow("METHOD", "PATH", "NAME", "PERMISSION"), *route_table(app))
    ]
    widths = [max(len(cells[column]) for cells in table) for column in range(len(table[0]))]
    for cells in table:
        line = "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        click.echo(line.rstrip())


@cli.command()
def shell() -> None:
    """Open a Python shell where `await` works, with app, settings, a session and the models."""
    repl.run(_settings())
