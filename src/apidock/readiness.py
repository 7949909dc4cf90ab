"""Whether the database is ready for this code: it answers, and its schema is at the newest
revision of the migrations this code carries.

`/readyz` asks `ReadinessCheck`, which asks the database at most once every `READINESS_TTL`
seconds (one small query, `SELECT version_num FROM alembic_version`) and the migrations once
(their head cannot change while the process runs): a probe every second costs one query every
two, and a database migrated, downgraded or restored is noticed within two seconds. `apidock
serve` and `apidock db current` read the same `SchemaState`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from apidock import migrations
from apidock.errors import ServiceUnavailable

READINESS_TTL = 2.0  # seconds an answer of the database is reused
VERSION_TABLE = "alembic_version"
_VERSION_QUERY = text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 (a constant)

logger = logging.getLogger("apidock.readiness")


@dataclass(frozen=True, slots=True)
class CodeRevisions:
    """What the migrations of this code hold: their head and every revision they know."""

    head: str | None
    known: frozenset[str]


def code_revisions() -> CodeRevisions:
    """Read the migrations (a file system walk: done once); `MigrationError` when they cannot
    be found or have forked into several heads."""
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    try:
        known = frozenset(script.revision for script in scripts.walk_revisions())
        heads = scripts.get_heads()
    except CommandError as exc:
        raise migrations.MigrationError(str(exc)) from exc
    if len(heads) > 1:
        raise migrations.MigrationError(f"several heads ({', '.join(heads)}): merge them first")
    return CodeRevisions(head=heads[0] if heads else None, known=known)


@dataclass(frozen=True, slots=True)
class SchemaState:
    """The revision the database is at, against what the code needs."""

    revision: str | None  # None: no revision recorded (never migrated)
    code: CodeRevisions

    @property
    def head(self) -> str | None:
        return self.code.head

    @property
    def at_head(self) -> bool:
        return self.revision == self.code.head

    @property
    def known(self) -> bool:
        """Whether the database's revision is one of this code's migrations."""
        return self.revision is None or self.revision in self.code.known

    def problem(self, subject: str = "The database") -> str | None:
        """What keeps the code from using the database and the command that fixes it; None at
        head. `subject` names the database (the command line gives its URL)."""
        if self.at_head:
            return None
        head = self.code.head
        if self.revision is None:
            return (
                f"{subject} has no schema yet (no revision); the code needs {head}: "
                "run `apidock deploy`"
            )
        if not self.known:
            return (
                f"{subject} is at revision {self.revision}, which this code does not know "
                f"(it needs {head}): run the release that migrated it, or downgrade the "
                "database with that release"
            )
        return (
            f"{subject} is at revision {self.revision}, the code needs {head}: "
            "run `apidock db upgrade`"
        )

    def summary(self) -> dict[str, Any]:
        """The revisions, for the `data` of the answer."""
        return {"revision": self.revision, "head": self.code.head}


def _has_version_table(connection: Any) -> bool:
    return bool(inspect(connection).has_table(VERSION_TABLE))


async def _recorded_revision(connection: AsyncConnection) -> str | None:
    try:
        revisions = sorted((await connection.execute(_VERSION_QUERY)).scalars())
    except sa_exc.DBAPIError:
        # Only a missing table makes the query fail on a database that answers; asked
        # only then, so that a ready database costs one statement. Anything else (the
        # database lost in between) is raised as it came.
        await connection.rollback()
        if await connection.run_sync(_has_version_table):
            raise
        return None
    # several rows would be a forked history, which this project never has: shown as they are
    return ",".join(revisions) or None


async def schema_state(engine: AsyncEngine, code: CodeRevisions) -> SchemaState:
    """Ask the database of `engine` which revision it is at; the driver's error when it
    cannot be reached."""
    async with engine.connect() as connection:
        return SchemaState(revision=await _recorded_revision(connection), code=code)


@dataclass(frozen=True, slots=True)
class Readiness:
    """One answer of the check: ready, or why not (`problem`) with what is known."""

    problem: str | None = None
    data: dict[str, Any] | None = None
    # the database could not be asked (a 503 with `Retry-After`, as the API's)
    unavailable: bool = False

    @property
    def ready(self) -> bool:
        return self.problem is None


class ReadinessCheck:
    """`/readyz`'s question, answered from the database at most once every `ttl` seconds.

    Probes arriving together wait for one query rather than each sending their own.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ttl: float = READINESS_TTL,
        clock: Callable[[], float] = time.monotonic,
        read_code: Callable[[], CodeRevisions] = code_revisions,
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self.clock = clock
        self._read_code = read_code
        self._code: CodeRevisions | None = None
        self._answer: Readiness | None = None
        self._asked_at = 0.0
        self._lock = asyncio.Lock()

    def _fresh(self) -> Readiness | None:
        if self._answer is not None and self.clock() - self._asked_at < self.ttl:
            return self._answer
        return None

    async def check(self) -> Readiness:
        """Ready, or the problem: the database unavailable, or its schema not at head."""
        answer = self._fresh()
        if answer is not None:
            return answer
        async with self._lock:
            answer = self._fresh()
            if answer is None:
                answer = await self._ask()
                if not answer.ready and answer != self._answer:
                    logger.warning("not ready: %s", answer.problem)
                self._answer, self._asked_at = answer, self.clock()
            return answer

    async def _ask(self) -> Readiness:
        try:
            if self._code is None:
                # the migrations' files are read off the event loop, once
                self._code = await asyncio.to_thread(self._read_code)
        except migrations.MigrationError as exc:
            return Readiness(problem=f"The migrations cannot be read: {exc}")
        try:
            state = await schema_state(self.engine, self._code)
        except (sa_exc.SQLAlchemyError, OSError) as error:
            logger.debug("readiness: database unavailable: %s", type(error).__name__)
            return Readiness(problem=ServiceUnavailable.message, unavailable=True)
        return Readiness(problem=state.problem(), data=None if state.at_head else state.summary())
