"""Deploys started together (replicas of a container, each `serve --deploy`) take turns: one
migrates and seeds, the others wait for it and then find the database at head, on every
database."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from sqlalchemy.ext.asyncio import create_async_engine

from apidock import migrations
from apidock.config import to_async_url
from apidock.deploy_lock import deploy_lock
from tests.test_cli import _child_environment, current_revision, snapshot

DEPLOYS = 3


def _start_deploy(environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "apidock", "deploy"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_environment(environment),
    )


def test_deploys_started_together_take_turns(
    database_url: str, environment: dict[str, str]
) -> None:
    started = [_start_deploy({**environment, "DATABASE_URL": database_url}) for _ in range(DEPLOYS)]
    outputs = [process.communicate(timeout=240) for process in started]

    for process, (out, err) in zip(started, outputs, strict=True):
        assert process.returncode == 0, (out, err)
    said = [out for out, _ in outputs]
    # exactly one migrated the empty database and made the administrator; the others came after
    assert sum("Database upgraded from base" in out for out in said) == 1, said
    assert sum("Database already at" in out for out in said) == DEPLOYS - 1, said
    assert sum("Root administrator 'sysop' created" in out for out in said) == 1, said
    rows = snapshot(database_url)
    assert [row["name"] for row in rows["users"]] == ["sysop"]
    assert sorted(row["title"] for row in rows["roles"]) == [
        "Administrator",
        "Developer",
        "QA",
        "User",
    ]
    assert current_revision() == migrations.head_revision()


def test_a_deploy_waits_for_the_lock_another_holds(
    database_url: str, environment: dict[str, str]
) -> None:
    """While the lock is held, a deploy says it waits and migrates nothing; it goes on when the
    lock is let go (orderings, not a clock: the lock is held until the deploy says it waits)."""

    async def hold_until_told() -> tuple[subprocess.Popen[str], str]:
        engine = create_async_engine(to_async_url(database_url))
        try:
            async with deploy_lock(engine):
                waiting = _start_deploy({**environment, "DATABASE_URL": database_url})
                assert waiting.stderr is not None
                told = await asyncio.wait_for(asyncio.to_thread(waiting.stderr.readline), 120)
                assert waiting.poll() is None, waiting.communicate()
                assert await migrations.current_revision(engine) is None
            return waiting, told
        finally:
            await engine.dispose()

    waiting, told = asyncio.run(hold_until_told())
    out, err = waiting.communicate(timeout=240)
    assert told.startswith("The database's deploy lock is held: waiting for another deploy"), told
    assert waiting.returncode == 0, (out, err)
    assert "Database upgraded from base" in out
