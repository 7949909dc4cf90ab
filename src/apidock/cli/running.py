"""What every command shares: settings read, work run on its own event loop with the database,
and a failure told in one line (exit 1, or 2 for a bad setting) instead of a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from apidock import migrations
from apidock.config import Settings, SettingsError, load_settings
from apidock.db import Database, create_engine
from apidock.errors import ApiError

T = TypeVar("T")


class BadSetting(click.ClickException):
    """A setting has a bad value: one line naming it, exit status 2."""

    exit_code = 2


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def call_or_exit(work: Callable[[], T]) -> T:
    """`work()`; a failure it reports (a bad setting, a refusal, the database's) in one line."""
    try:
        return work()
    except SettingsError as exc:
        raise BadSetting(str(exc)) from None
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    except migrations.MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    except (sa_exc.SQLAlchemyError, OSError) as exc:
        raise click.ClickException(f"database error: {_first_line(exc)}") from None


def shown_url(url: str) -> str:
    """A database URL as the commands show it: its password replaced by `***`."""
    return make_url(url).render_as_string(hide_password=True)


def read_settings() -> Settings:
    """The settings; a bad one stops the command in one line, before any work starts."""
    return call_or_exit(load_settings)


async def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database(create_engine(settings))
    try:
        return await work(database)
    finally:
        await database.dispose()


def run_on_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a new event loop with a database of its own, disposed of afterwards."""
    return call_or_exit(lambda: asyncio.run(_with_database(settings, work)))
