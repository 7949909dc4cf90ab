"""The one HTTP client for everything API Dock fetches: guarded, pinned, capped.

Decisions:
- Written on httpcore's public API, not httpx.AsyncClient: nothing here reads the environment
  (no proxy variables, no `.netrc`, no SSL_CERT_FILE), keeps cookies or follows redirects by
  itself. httpx supplies the URL parser (the guard's) and the default TLS context (certifi).
- Every hop is checked by `check_url` and sent to its checked address (`PinnedPools`).
- Redirects are followed only when asked, at most `max_redirects`, each Location resolved
  against the current URL and checked again. Methods change as browsers change them (the Fetch
  standard): 303 becomes GET (HEAD stays HEAD), 301 and 302 turn a POST into a GET, 307 and 308
  keep method and body; a GET drops the body and its Content-* headers. Authorization, Cookie and
  Proxy-Authorization are dropped when a hop leaves the origin.
- One deadline (`total_seconds`) covers the whole send: resolving, connecting, every hop and the
  body. The body is read as it streams and the exchange stopped once it passes `max_body_bytes`,
  before decoding and after (a compressed body may not inflate past the cap either).
- Host, Content-Length and Transfer-Encoding are the client's to write: the caller's are dropped,
  so the Host header is always the URL's and the framing always matches the body. Headers are
  validated before anything is sent; their values never appear in an error message.
- `elapsed_ms` runs from the start of `send` to the end of the last body, redirects included.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

from apidock import __version__
from apidock.outbound.decoding import (
    ACCEPTED_ENCODINGS,
    BodyOverLimit,
    UndecodableBody,
    decode_body,
)
from apidock.outbound.guard import Resolver, Target, check_url
from apidock.outbound.pinning import PinnedPools

__all__ = ["Fetched", "OutboundClient", "OutboundLimits", "TransportFailed"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CLIENT_FRAMED = frozenset({b"host", b"content-length", b"transfer-encoding"})
_BODY_HEADERS = frozenset(
    {b"content-type", b"content-encoding", b"content-language", b"content-location"}
)
_ORIGIN_CREDENTIALS = frozenset({b"authorization", b"cookie", b"proxy-authorization"})
_METHODS_WITH_BODY = frozenset({b"POST", b"PUT", b"PATCH"})
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_FORBIDDEN_IN_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class OutboundLimits:
    """The caps of one send."""

    connect_seconds: float = 5.0
    total_seconds: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """An answer: the last response of the send, its body decoded."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    url: str
    elapsed_ms: float
    redirects: list[str] = field(default_factory=list)


class TransportFailed(Exception):
    """The exchange did not complete: no connection, a timeout, a cap, a broken answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe_size(size: int) -> str:
    """`size` bytes as a person reads it: 10 MiB, 64 KiB, 1000 bytes."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def _where(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.host == target.address:
        return f"{host}:{target.port}"
    return f"{host}:{target.port} ({target.address})"


def _raised_by_tls(error: BaseException) -> bool:
    # httpcore's pool re-raises `from None`: the ssl error is left in the context, not the cause
    cause = error.__cause__ or error.__context__
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _encoded_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    encoded = []
    for name, value in headers:
        raw_name, raw_value = name.encode("utf-8"), value.encode("utf-8")
        if not _TOKEN.match(raw_name) or _FORBIDDEN_IN_VALUE.search(raw_value):
            raise TransportFailed(f"the request header {name!r} is not valid HTTP")
        encoded.append((raw_name, raw_value))
    return encoded


def _request_headers(
    url: httpx.URL, method: bytes, headers: list[tuple[bytes, bytes]], content: bytes | None
) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    defaults = [
        (b"Accept", b"*/*"),
        (b"Accept-Encoding", ACCEPTED_ENCODINGS.encode("ascii")),
        (b"User-Agent", f"apidock/{__version__}".encode("ascii")),
    ]
    result = [(b"Host", url.netloc)]
    result += [(name, value) for name, value in defaults if name.lower() not in names]
    result += [(name, value) for name, value in headers if name.lower() not in _CLIENT_FRAMED]
    if content is not None:
        result.append((b"Content-Length", str(len(content)).encode("ascii")))
    elif method in _METHODS_WITH_BODY:
        result.append((b"Content-Length", b"0"))
    return result


def _next_hop(
    status: int, method: bytes, content: bytes | None, headers: list[tuple[bytes, bytes]]
) -> tuple[bytes, bytes | None, list[tuple[bytes, bytes]]]:
    """The method, body and headers of the request a redirect with `status` leads to."""
    becomes_get = (status == 303 and method not in (b"GET", b"HEAD")) or (
        status in (301, 302) and method == b"POST"
    )
    if not becomes_get:
        return method, content, headers
    kept = [(name, value) for name, value in headers if name.lower() not in _BODY_HEADERS]
    return b"GET", None, kept


def _location(current: httpx.URL, location: str, target: Target) -> httpx.URL | str:
    """Where a redirect leads: its Location resolved against the current URL."""
    try:
        return current.join(location)
    except httpx.InvalidURL:
        # an absolute Location httpx cannot parse (`http://0177.0.0.1/`) goes to the guard as it
        # is, which reads such spellings or refuses the URL
        if _is_absolute(location):
            return location
        raise TransportFailed(
            f"the redirect from {_where(target)} has a Location that is not a URL"
        ) from None


def _is_absolute(location: str) -> bool:
    try:
        return bool(urlsplit(location).scheme)
    except ValueError:
        return False


def _same_origin(one: httpx.URL, other: httpx.URL) -> bool:
    return (one.scheme, one.raw_host, one.port) == (other.scheme, other.raw_host, other.port)


class OutboundClient:
    """Guarded HTTP requests, many at once through one instance."""

    def __init__(
        self,
        limits: OutboundLimits = OutboundLimits(),
        *,
        resolve: Resolver | None = None,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self._limits = limits
        self._resolve = resolve
        self._pools = PinnedPools(httpx.create_ssl_context(verify=verify, trust_env=False))

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        content: bytes | None = None,
        allow_hosts: Collection[str] = (),
        follow_redirects: bool = False,
    ) -> Fetched:
        """One request, redirects followed if asked; Refused (nothing sent) or TransportFailed."""
        started = time.perf_counter()
        raw_method = method.upper().encode("utf-8")
        if not _TOKEN.match(raw_method):
            raise TransportFailed(f"{method!r} is not an HTTP method")
        encoded = _encoded_headers(headers)
        deadline = asyncio.timeout(self._limits.total_seconds)
        try:
            async with deadline:
                return await self._follow(
                    raw_method, url, encoded, content, allow_hosts, follow_redirects, started
                )
        except TimeoutError as error:
            if not deadline.expired():
                raise TransportFailed(f"timed out: {_reason(error)}") from None
            raise TransportFailed(
                f"no complete answer within {self._limits.total_seconds:g} s"
            ) from None

    async def _follow(
        self,
        method: bytes,
        url: str,
        headers: list[tuple[bytes, bytes]],
        content: bytes | None,
        allow_hosts: Collection[str],
        follow_redirects: bool,
        started: float,
    ) -> Fetched:
        redirects: list[str] = []
        current: str | httpx.URL = url
        for hop in range(self._limits.max_redirects + 1):
            parsed, target = await check_url(current, allow_hosts, resolve=self._resolve)
            status, response_headers, body = await self._exchange(
                target, parsed, method, headers, content
            )
            location = _header(response_headers, b"location")
            if not follow_redirects or status not in _REDIRECT_STATUSES or location is None:
                return Fetched(
                    status=status,
                    headers=[
                        (n.decode("latin-1"), v.decode("latin-1")) for n, v in response_headers
                    ],
                    body=body,
                    url=str(parsed),
                    elapsed_ms=(time.perf_counter() - started) * 1000,
                    redirects=redirects,
                )
            if hop == self._limits.max_redirects:
                break
            following = _location(parsed, location.decode("latin-1"), target)
            redirects.append(str(parsed))
            method, content, headers = _next_hop(status, method, content, headers)
            if not isinstance(following, httpx.URL) or not _same_origin(parsed, following):
                headers = [(n, v) for n, v in headers if n.lower() not in _ORIGIN_CREDENTIALS]
            current = following
        raise TransportFailed(f"more than {self._limits.max_redirects} redirects")

    async def _exchange(
        self,
        target: Target,
        url: httpx.URL,
        method: bytes,
        headers: list[tuple[bytes, bytes]],
        content: bytes | None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        limits = self._limits
        request = httpcore.Request(
            method,
            httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=target.port, target=url.raw_path
            ),
            headers=_request_headers(url, method, headers, content),
            content=content or b"",
            extensions={
                "timeout": {
                    "connect": limits.connect_seconds,
                    "read": limits.total_seconds,
                    "write": limits.total_seconds,
                    "pool": limits.total_seconds,
                }
            },
        )
        try:
            async with self._pools.pool_for(target) as pool:
                response = await pool.handle_async_request(request)
                try:
                    raw = await self._read_capped(response)
                finally:
                    await response.aclose()
            content_encoding = ", ".join(
                value.decode("latin-1")
                for name, value in response.headers
                if name.lower() == b"content-encoding"
            )
            body = decode_body(raw, content_encoding, limits.max_body_bytes)
        except BodyOverLimit:
            raise TransportFailed(
                f"the body is over {describe_size(limits.max_body_bytes)}"
            ) from None
        except UndecodableBody as error:
            raise TransportFailed(str(error)) from None
        except httpcore.ConnectTimeout:
            raise TransportFailed(
                f"connecting to {_where(target)} took over {limits.connect_seconds:g} s"
            ) from None
        except httpcore.ConnectError as error:
            if _raised_by_tls(error):
                raise TransportFailed(
                    f"the TLS handshake with {_where(target)} failed: {_reason(error)}"
                ) from None
            raise TransportFailed(
                f"could not connect to {_where(target)}: {_reason(error)}"
            ) from None
        except httpcore.TimeoutException:
            raise TransportFailed(f"{_where(target)} did not answer in time") from None
        except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as error:
            raise TransportFailed(
                f"the exchange with {_where(target)} failed: {_reason(error)}"
            ) from None
        return response.status, response.headers, body

    async def _read_capped(self, response: httpcore.Response) -> bytes:
        cap = self._limits.max_body_bytes
        body = bytearray()
        async for chunk in response.aiter_stream():
            body += chunk
            if len(body) > cap:
                raise BodyOverLimit
        return bytes(body)

    async def aclose(self) -> None:
        """Close every kept-alive connection; call once the sends are done."""
        await self._pools.aclose()


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
