"""The parts of a mock request that are read only when needed: the query's pairs and the
cookies, parsed once per request on first use.

The query string is read as the URL standard reads it (`+` is a space, `%xx` bytes decoded as
UTF-8, an invalid sequence replaced), cookies as `name=value` pairs split at `;` (RFC 6265);
the first of two cookies of one name counts, as browsers send the most specific first.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from apidock.mocking.exchange import MockRequest
from apidock.mocking.security import Credentials


class RequestParts:
    """A request with its query and cookies parsed on first use."""

    __slots__ = ("_cookies", "_query", "request")

    def __init__(self, request: MockRequest) -> None:
        self.request = request
        self._query: list[tuple[str, str]] | None = None
        self._cookies: dict[str, str] | None = None

    def query(self) -> list[tuple[str, str]]:
        """The query's `(name, value)` pairs, in order, blank values kept."""
        if self._query is None:
            text = self.request.query_string.decode("latin-1")
            self._query = parse_qsl(text, keep_blank_values=True) if text else []
        return self._query

    def cookies(self) -> dict[str, str]:
        """The request's cookies by name."""
        if self._cookies is None:
            cookies: dict[str, str] = {}
            for pair in self.request.headers.get("cookie", "").split(";"):
                name, equals, value = pair.partition("=")
                name = name.strip()
                if equals and name and name not in cookies:
                    cookies[name] = value.strip().strip('"')
            self._cookies = cookies
        return self._cookies

    def credentials(self) -> Credentials:
        """What the security schemes may look at."""
        return Credentials(
            self.request.headers,
            frozenset(name for name, _ in self.query()),
            frozenset(self.cookies()),
        )
