"""Password hashing runs in threads of its own, behind the event loop."""

from __future__ import annotations

import os
import threading

from apidock.auth.passwords import HASHING_NICENESS, PasswordHasher
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
