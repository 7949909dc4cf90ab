"""Password attempts per account and per client address, reserved before the hash is checked.

A fixed window per key: the first attempt opens it, `LOGIN_WINDOW_SECONDS` closes it. Each
attempt (a login, a `/token` form, a `current_password` on `PATCH /users/me`) is reserved
before its hash is verified, in one atomic step that compares every counter with its limit
and counts the attempt on all of them or on none; so a burst of parallel requests gets at
most the limit through, however many arrive at once. A right password gives its reservation
back (and starts the account's count again); anything else leaves it counted. Past the limit
every attempt on that account or from that address is refused with 429 until the window
closes, even with the right password.

With `REDIS_URL` the counters are shared by every instance (the step is a Lua script);
without it they live in this process (bounded in size). A store that cannot be reached
within `REDIS_TIMEOUT`, or answers with an error or with nonsense, answers 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Protocol, TypeVar

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from apidock.config import Settings
from apidock.errors import StoreUnavailable, TooManyRequests
from apidock.metrics import LOGIN_RATE_LIMITED

logger = logging.getLogger("apidock")

MAX_MEMORY_KEYS = 100_000
KEY_PREFIX = "apidock:login-failures:"
# One client holds a whole IPv6 /64 (a home, a cloud instance): it is counted as one address.
IPV6_CLIENT_PREFIX = 64
LIMITED = "Too many failed password attempts; try again later"

T = TypeVar("T")


class CounterStore(Protocol):
    async def reserve(self, limits: Sequence[tuple[str, int]], window: int) -> int:
        """Add one to every key below its limit, or to none when one is at it, atomically.

        0 when counted; otherwise the seconds until the windows of the full keys close.
        """
        ...

    async def release(self, key: str) -> None:
        """Take one back from `key` (a reserved attempt that turned out right)."""
        ...

    async def carry_over(self, source: str, target: str) -> None:
        """Give `target` the count of `source` when it is higher, with the later window."""
        ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


def _seconds(left: float) -> int:
    return max(1, math.ceil(left))


class MemoryCounterStore:
    """Counters in this process; the oldest keys are dropped past `MAX_MEMORY_KEYS`.

    No method awaits anything: each runs whole before another request's, which is what makes
    `reserve` atomic in one event loop.
    """

    def __init__(self) -> None:
        self._counters: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def _current(self, key: str) -> tuple[int, float]:
        """The count under `key` and when its window closes (0, 0 when none is open)."""
        entry = self._counters.get(key)
        if entry is None:
            return 0, 0.0
        if entry[1] <= time.monotonic():
            del self._counters[key]
            return 0, 0.0
        return entry

    def _set(self, key: str, count: int, closes_at: float) -> None:
        self._counters[key] = (count, closes_at)
        self._counters.move_to_end(key)
        while len(self._counters) > MAX_MEMORY_KEYS:
            self._counters.popitem(last=False)

    def _add(self, key: str, window: int) -> None:
        count, closes_at = self._current(key)
        self._set(key, count + 1, closes_at if count else time.monotonic() + window)

    async def reserve(self, limits: Sequence[tuple[str, int]], window: int) -> int:
        full: list[float] = []
        for key, limit in limits:
            count, closes_at = self._current(key)
            if count >= limit:
                full.append(closes_at)
        if full:
            return _seconds(max(full) - time.monotonic())
        for key, _ in limits:
            self._add(key, window)
        return 0

    async def release(self, key: str) -> None:
        count, closes_at = self._current(key)
        if count > 1:
            self._counters[key] = (count - 1, closes_at)
        else:
            self._counters.pop(key, None)

    async def carry_over(self, source: str, target: str) -> None:
        count, closes_at = self._current(source)
        current, target_closes_at = self._current(target)
        if count > current:
            self._set(target, count, max(closes_at, target_closes_at))

    async def delete(self, key: str) -> None:
        self._counters.pop(key, None)

    async def close(self) -> None:
        self._counters.clear()


# KEYS: the counters; ARGV[1]: the window in seconds; ARGV[1 + i]: the limit of KEYS[i].
# A counter left without an expiry (by hand, say) is given one, so that no key stays full.
_RESERVE = """
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then
    local left = redis.call('PTTL', key)
    if left < 0 then
      redis.call('EXPIRE', key, ARGV[1])
      left = tonumber(ARGV[1]) * 1000
    end
    wait = math.max(wait, math.ceil(left / 1000), 1)
  end
end
if wait > 0 then
  return wait
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 or redis.call('PTTL', key) < 0 then
    redis.call('EXPIRE', key, ARGV[1])
  end
end
return 0
"""

# A window that closed meanwhile is not opened again by a negative count.
_RELEASE = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 1 then
  redis.call('DECR', KEYS[1])
elseif count == 1 then
  redis.call('DEL', KEYS[1])
end
"""

_CARRY_OVER = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = redis.call('PTTL', KEYS[1])
if left > 0 and count > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], count, 'PX', math.max(left, redis.call('PTTL', KEYS[2])))
end
"""

# What says the store cannot serve now: not only a lost connection or a timeout, but any
# error Redis answers (MISCONF, BUSY, MASTERDOWN, LOADING, OOM…) and bytes that are not its
# protocol (another server on the port). A lost NOSCRIPT is no error: redis-py loads the
# script again. No attempt can be decided without the store, so each is 503, never 500.
_UNREACHABLE = (redis_errors.RedisError, OSError, TimeoutError)


class RedisCounterStore:
    """Counters in Redis, shared by every instance; each operation bounded by `timeout`."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self._timeout = timeout
        self._redis: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            # one retry on a fresh connection: a pooled one may have died with a restart
            retry=Retry(NoBackoff(), 1),
        )
        self._reserve = self._redis.register_script(_RESERVE)
        self._release = self._redis.register_script(_RELEASE)
        self._carry_over = self._redis.register_script(_CARRY_OVER)

    async def _reached(self, operation: Awaitable[T]) -> T:
        """`operation`'s result; `StoreUnavailable` (503) when Redis does not answer in time."""
        try:
            async with asyncio.timeout(self._timeout):
                return await operation
        except _UNREACHABLE as error:
            logger.warning("shared store unavailable: %s", type(error).__name__)
            raise StoreUnavailable() from None

    async def reserve(self, limits: Sequence[tuple[str, int]], window: int) -> int:
        keys = [KEY_PREFIX + key for key, _ in limits]
        args = [window, *(limit for _, limit in limits)]
        wait = await self._reached(self._reserve(keys=keys, args=args))
        if not isinstance(wait, int) or wait < 0:
            # the script answers a count of seconds; anything else is a store not to be trusted
            logger.warning("shared store unavailable: unexpected answer to a reservation")
            raise StoreUnavailable()
        return wait

    async def release(self, key: str) -> None:
        await self._reached(self._release(keys=[KEY_PREFIX + key]))

    async def carry_over(self, source: str, target: str) -> None:
        await self._reached(self._carry_over(keys=[KEY_PREFIX + source, KEY_PREFIX + target]))

    async def delete(self, key: str) -> None:
        await self._reached(self._redis.delete(KEY_PREFIX + key))

    async def close(self) -> None:
        await self._redis.aclose()


def address_key(address: str) -> str:
    """The counter of a client address: IPv4 as it is, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network((ip, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)


class LoginLimiter:
    """Limits the passwords tried for an account and from an address, before any is hashed."""

    def __init__(self, settings: Settings, store: CounterStore | None = None) -> None:
        self.store = store or (
            RedisCounterStore(settings.redis_url, settings.redis_timeout)
            if settings.redis_url
            else MemoryCounterStore()
        )
        self._window = settings.login_window_seconds
        self._account_limit = settings.login_max_failures
        self._address_limit = settings.login_max_failures_per_ip
        self._checking: set[int] = set()

    async def reserve(self, *, account: str, address: str) -> None:
        """Count an attempt on `account` from `address`, or raise 429 when either is full."""
        limits = [
            (f"account:{account}", self._account_limit),
            (f"address:{address_key(address)}", self._address_limit),
        ]
        wait = await self.store.reserve(limits, self._window)
        if wait:
            LOGIN_RATE_LIMITED.labels("limit").inc()
            raise TooManyRequests(wait, LIMITED)

    async def succeeded(self, *, account: str, address: str | None = None) -> None:
        """The right password: the account's count starts again, the address's attempt is back."""
        await self.store.delete(f"account:{account}")
        if address is not None:
            await self.store.release(f"address:{address_key(address)}")

    @contextlib.asynccontextmanager
    async def attempt(self, *, account: str, address: str) -> AsyncIterator[None]:
        """Reserve an attempt around a password check; it stays counted unless the block ends.

        The block ends when the password was right. A wrong one raises, as does any failure
        within the block: the attempt counts, so that nothing is learnt from a check whose
        answer was lost.
        """
        await self.reserve(account=account, address=address)
        yield
        # the password was right: a store gone since then only leaves the attempt counted
        with contextlib.suppress(StoreUnavailable):
            await self.succeeded(account=account, address=address)

    async def forgive(self, *, account: str) -> None:
        """`account`'s failed attempts forgotten (its password was reset): it may sign in at
        once. The counts of the addresses the attempts came from stay."""
        await self.store.delete(f"account:{account}")

    async def renamed(self, *, old: str, new: str) -> None:
        """A renamed account keeps its count: a new name is no new set of guesses."""
        if old != new:
            await self.store.carry_over(f"account:{old}", f"account:{new}")

    @contextlib.asynccontextmanager
    async def one_check_at_a_time(self, user_id: int) -> AsyncIterator[None]:
        """At most one password check for `user_id` in flight in this process; 429 for others.

        Per process: with several instances, each lets one through, and the shared counters
        still bound the attempts of a window.
        """
        if user_id in self._checking:
            LOGIN_RATE_LIMITED.labels("check_under_way").inc()
            raise TooManyRequests(1, "A password check of this account is under way")
        self._checking.add(user_id)
        try:
            yield
        finally:
            self._checking.discard(user_id)
