"""Connections made to the checked address only, pooled per checked target.

Decisions:
- httpcore's public extension point is the network backend: `PinnedBackend.connect_tcp` opens
  the socket to the checked address whatever host httpcore asks for (and refuses a host or port
  it was not made for), while httpcore keeps the URL's host for TLS (SNI and the certificate's
  name) and the request keeps it in the Host header. Nothing here resolves a name.
- One httpcore pool per `Target` (scheme, host, port and checked address), so a kept-alive
  connection is only reused for the same host at the same checked address: a name that resolves
  elsewhere on the next request, or a request checked against other `allow_hosts`, never rides a
  connection opened for another target. Pools are kept for the most recent `max_pools` targets;
  the least recently used idle ones are closed past that, never one a request is using.
"""

from __future__ import annotations

import ssl
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpcore

from apidock.outbound.guard import Target

_KEEPALIVE_SECONDS = 15.0
_KEEPALIVE_CONNECTIONS_PER_TARGET = 16


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """A network backend whose every TCP connection goes to one checked address."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._backend = httpcore.AnyIOBackend()

    # the parameters are httpcore's interface, `timeout` included
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if (host, port) != (self._target.host, self._target.port):
            raise httpcore.ConnectError(f"{host}:{port} is not the checked target")
        return await self._backend.connect_tcp(
            self._target.address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("outbound requests never use a Unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class PinnedPools:
    """httpcore connection pools, one per checked target, the recent ones kept alive."""

    def __init__(self, ssl_context: ssl.SSLContext, *, max_pools: int = 64) -> None:
        self._ssl_context = ssl_context
        self._max_pools = max_pools
        self._pools: OrderedDict[Target, httpcore.AsyncConnectionPool] = OrderedDict()
        self._in_use: Counter[Target] = Counter()

    @asynccontextmanager
    async def pool_for(self, target: Target) -> AsyncIterator[httpcore.AsyncConnectionPool]:
        """The pool of `target`, kept open for as long as the caller holds it."""
        pool = self._pools.get(target)
        if pool is None:
            pool = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl_context,
                max_connections=None,
                max_keepalive_connections=_KEEPALIVE_CONNECTIONS_PER_TARGET,
                keepalive_expiry=_KEEPALIVE_SECONDS,
                http1=True,
                http2=False,
                retries=0,
                network_backend=PinnedBackend(target),
            )
            self._pools[target] = pool
        self._pools.move_to_end(target)
        self._in_use[target] += 1
        try:
            await self._close_idle_pools_past_the_cap()
            yield pool
        finally:
            self._in_use[target] -= 1
            if not self._in_use[target]:
                del self._in_use[target]

    async def _close_idle_pools_past_the_cap(self) -> None:
        excess = len(self._pools) - self._max_pools
        idle = [target for target in self._pools if target not in self._in_use][: max(excess, 0)]
        # taken out of the map before any await, so no request can pick up a closing pool
        closing = [self._pools.pop(target) for target in idle]
        for pool in closing:
            await pool.aclose()

    async def aclose(self) -> None:
        """Close every pool and its connections."""
        closing = list(self._pools.values())
        self._pools.clear()
        for pool in closing:
            await pool.aclose()

    def __len__(self) -> int:
        return len(self._pools)
