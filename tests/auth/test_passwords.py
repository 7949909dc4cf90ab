"""Password hashing runs in threads of its own, behind the event loop."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from apidock.auth.passwords import HASHING_NICENESS, PasswordHasher, usable_cpus
from apidock.config import Settings


async def test_hashing_threads_run_behind_the_event_loop(settings: Settings) -> None:
    hasher = PasswordHasher(settings)
    try:
        stored = await hasher.hash("correct horse battery")
        assert stored.startswith("$argon2id$")
        assert await hasher.verify("correct horse battery", stored) == (True, None)
        workers = [t for t in threading.enumerate() if t.name.startswith("apidock-hashing")]
        assert workers
        base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        for worker in workers:
            assert worker.native_id is not None
            niceness = os.getpriority(os.PRIO_PROCESS, worker.native_id)
            assert niceness == min(19, base + HASHING_NICENESS)
    finally:
        hasher.close()


async def test_unknown_and_broken_hashes_verify_as_no(settings: Settings) -> None:
    hasher = PasswordHasher(settings)
    try:
        assert await hasher.verify("anything at all", None) == (False, None)
        assert await hasher.verify("anything at all", "not-a-hash") == (False, None)
    finally:
        hasher.close()


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        pytest.param(None, "affinity", id="no cgroup file"),
        pytest.param("max 100000\n", "affinity", id="no quota"),
        pytest.param("50000 100000\n", 1, id="half a CPU"),
        pytest.param("100000 100000\n", 1, id="one CPU"),
        pytest.param("150000 100000\n", "two at most", id="one and a half CPUs"),
        pytest.param("garbage\n", "affinity", id="unreadable"),
    ],
)
def test_usable_cpus_follow_affinity_and_the_cgroup_quota(
    tmp_path: Path, cpu_max: str | None, expected: object
) -> None:
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    affinity = len(os.sched_getaffinity(0))
    wanted = {"affinity": affinity, "two at most": min(affinity, 2)}.get(str(expected), expected)
    assert usable_cpus(str(path)) == wanted


def test_hashing_concurrency_defaults_to_the_usable_cpus(settings: Settings) -> None:
    default = PasswordHasher(settings.model_copy(update={"password_hash_concurrency": None}))
    chosen = PasswordHasher(settings.model_copy(update={"password_hash_concurrency": 3}))
    try:
        assert default.concurrency == usable_cpus()
        assert chosen.concurrency == 3
    finally:
        default.close()
        chosen.close()
