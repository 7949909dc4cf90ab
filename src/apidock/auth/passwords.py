"""Password hashing: argon2id for new hashes; bcrypt and werkzeug's PBKDF2 verified and replaced.

Hashing costs tens of milliseconds of CPU, so it runs in threads of its own, never on the
event loop, and at the lowest scheduling priority, so that on a busy core the event loop
goes first and other requests stay fast while logins are hashed.

At most `PASSWORD_HASH_CONCURRENCY` hashes run at once; by default one per CPU the process
may use. More threads than CPUs hash no faster, and they hold up the event loop: a hashing
thread needs the GIL for a moment before and after each hash, and when it holds it while
another low-priority hashing thread has its CPU, the event loop waits for the GIL behind
both. On one core, two hashing threads took /healthz p99 during logins from 3 ms to 6 ms;
one thread left it at 3 ms and hashed faster (docs/benchmarks.md). Hashing threads of other
workers compete for the same CPUs, so `apidock serve --workers N` divides them among its workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import math
import os
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from apidock.config import Settings

# werkzeug's format: pbkdf2:sha256:<iterations>$<salt>$<hex digest> (iterations optional)
_WERKZEUG_PBKDF2 = re.compile(
    r"^pbkdf2:(?P<algorithm>sha256|sha512|sha1)(?::(?P<iterations>\d{1,7}))?"
    r"\$(?P<salt>[^$]{1,128})\$(?P<digest>[0-9a-f]{32,128})$"
)
_WERKZEUG_DEFAULT_ITERATIONS = 50_000  # werkzeug's default before 0.15, when none was written


class WerkzeugPbkdf2Hasher:
    """Verifies the Flask original's werkzeug hashes; never makes new ones."""

    @classmethod
    def identify(cls, hash: str | bytes) -> bool:
        text = hash.decode() if isinstance(hash, bytes) else hash
        return _WERKZEUG_PBKDF2.match(text) is not None

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        raise NotImplementedError("werkzeug hashes are only verified, then replaced by argon2id")

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        text = hash.decode() if isinstance(hash, bytes) else hash
        match = _WERKZEUG_PBKDF2.match(text)
        if match is None:
            return False
        secret = password.encode() if isinstance(password, str) else password
        iterations = int(match["iterations"] or _WERKZEUG_DEFAULT_ITERATIONS)
        digest = hashlib.pbkdf2_hmac(match["algorithm"], secret, match["salt"].encode(), iterations)
        return hmac.compare_digest(digest.hex(), match["digest"])

    def check_needs_rehash(self, hash: str | bytes) -> bool:
        return True


HASHING_NICENESS = 19
CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"


def usable_cpus(cpu_max_path: str = CGROUP_CPU_MAX) -> int:
    """CPUs this process may use: its CPU affinity, lowered by a cgroup v2 CPU quota.

    A container limited with `--cpus 1.5` still sees every CPU of its host in its
    affinity; its quota (`cpu.max`: "150000 100000") allows two at most.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    with contextlib.suppress(OSError, ValueError):
        with open(cpu_max_path, encoding="ascii") as limits:
            quota, period = limits.read().split()[:2]
        if quota != "max":
            cpus = min(cpus, math.ceil(int(quota) / int(period)))
    return max(1, cpus)


def _behind_the_event_loop() -> None:
    """Lower this hashing thread's priority (Linux schedules each thread on its own)."""
    thread = threading.get_native_id()
    with contextlib.suppress(OSError, AttributeError):
        niceness = os.getpriority(os.PRIO_PROCESS, thread) + HASHING_NICENESS
        os.setpriority(os.PRIO_PROCESS, thread, min(19, niceness))
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))


class PasswordHasher:
    """Hash and verify passwords in worker threads, with the cost from the settings."""

    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    memory_cost=settings.argon2_memory_cost,
                    time_cost=settings.argon2_time_cost,
                    parallelism=settings.argon2_parallelism,
                ),
                BcryptHasher(),
                WerkzeugPbkdf2Hasher(),
            )
        )
        self.concurrency = settings.password_hash_concurrency or usable_cpus()
        self._executor = ThreadPoolExecutor(
            max_workers=self.concurrency,
            thread_name_prefix="apidock-hashing",
            initializer=_behind_the_event_loop,
        )
        # verified for unknown users, so that "no such user" takes as long as a wrong password
        self._dummy_hash = self._hash.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        """A new argon2id hash of `password`."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._hash.hash, password)

    async def verify(self, password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        """Whether `password` matches, and a new hash when the stored one should be replaced.

        An unknown or missing hash verifies the dummy hash and answers no, in the same time.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._verify_sync, password, stored_hash)

    def close(self) -> None:
        """Let the hashing threads end once their work is done."""
        self._executor.shutdown(wait=False)

    def _verify_sync(self, password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        if stored_hash:
            try:
                return self._hash.verify_and_update(password, stored_hash)
            except UnknownHashError:
                pass
            except ValueError:
                # bcrypt 5 refuses passwords over 72 bytes instead of truncating them
                return False, None
        self._hash.verify(password, self._dummy_hash)
        return False, None
