"""Failed-login counters per account and per client address, in process or in Redis.

A fixed window per key: the first failure opens it, `LOGIN_WINDOW_SECONDS` closes it. Past
the limit every login for that account or address is refused with 429 until the window
closes, even with the right password. With `REDIS_URL` the counters are shared by every
instance; without it they live in this process (bounded in size).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis

from apidock.config import Settings
from apidock.exceptions import TooManyRequests

MAX_MEMORY_KEYS = 100_000
KEY_PREFIX = "apidock:login-failures:"


class CounterStore(Protocol):
    async def get(self, key: str) -> tuple[int, int]:
        """The count under `key` and the seconds left in its window (0, 0 when none)."""
        ...

    async def increment(self, key: str, window: int) -> None:
        """Add one to `key`, opening a window of `window` seconds if none is open."""
        ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryCounterStore:
    """Counters in this process; the oldest keys are dropped past `MAX_MEMORY_KEYS`."""

    def __init__(self) -> None:
        self._counters: OrderedDict[str, tuple[int, float]] = OrderedDict()

    async def get(self, key: str) -> tuple[int, int]:
        entry = self._counters.get(key)
        if entry is None:
            return 0, 0
        count, closes_at = entry
        left = closes_at - time.monotonic()
        if left <= 0:
            del self._counters[key]
            return 0, 0
        return count, max(1, int(left + 0.999))

    async def increment(self, key: str, window: int) -> None:
        count, left = await self.get(key)
        closes_at = time.monotonic() + (left if count else window)
        self._counters[key] = (count + 1, closes_at)
        self._counters.move_to_end(key)
        while len(self._counters) > MAX_MEMORY_KEYS:
            self._counters.popitem(last=False)

    async def delete(self, key: str) -> None:
        self._counters.pop(key, None)

    async def close(self) -> None:
        self._counters.clear()


class RedisCounterStore:
    """Counters in Redis, shared by every instance."""

    def __init__(self, url: str) -> None:
        self._redis: Redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def get(self, key: str) -> tuple[int, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(KEY_PREFIX + key)
            pipe.ttl(KEY_PREFIX + key)
            raw, ttl = await pipe.execute()
        if raw is None or ttl is None or ttl < 0:
            return 0, 0
        return int(raw), max(1, int(ttl))

    async def increment(self, key: str, window: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(KEY_PREFIX + key)
            pipe.expire(KEY_PREFIX + key, window, nx=True)
            await pipe.execute()

    async def delete(self, key: str) -> None:
        await self._redis.delete(KEY_PREFIX + key)

    async def close(self) -> None:
        await self._redis.aclose()


class LoginLimiter:
    """Refuses logins for an account or an address that failed too often."""

    def __init__(self, settings: Settings, store: CounterStore | None = None) -> None:
        self.store = store or (
            RedisCounterStore(settings.redis_url) if settings.redis_url else MemoryCounterStore()
        )
        self._window = settings.login_window_seconds
        self._account_limit = settings.login_max_failures
        self._address_limit = settings.login_max_failures_per_ip

    async def check(self, *, account: str, address: str) -> None:
        """Raise 429 with `Retry-After` when either counter is at its limit."""
        for key, limit in self._keys(account, address):
            count, left = await self.store.get(key)
            if count >= limit:
                raise TooManyRequests(left, "Too many failed logins; try again later")

    async def failed(self, *, account: str, address: str) -> None:
        for key, _ in self._keys(account, address):
            await self.store.increment(key, self._window)

    async def succeeded(self, *, account: str) -> None:
        await self.store.delete(f"account:{account}")

    def _keys(self, account: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"account:{account}", self._account_limit),
            (f"address:{address}", self._address_limit),
        ]
