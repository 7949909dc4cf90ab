"""A mock request and its answer as the HTTP layer hands them over and takes them back, and the
RFC 9457 problem answers of the mock's own errors.

Problems use the `about:blank` type, so their `title` is the status's reason phrase (RFC 9457,
section 4.2.1); what went wrong is the `detail`, and extension members carry what the client
can act on (`documented`, `available`, `allowed`, `errors`, `schemes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from apidock.mocking.encoding import json_bytes

PROBLEM_TYPE = "application/problem+json"
ERROR_SOURCE = "error"


@dataclass(frozen=True, slots=True)
class MockRequest:
    """A request to an app's mock, as the HTTP layer read it.

    `path` is what follows the mock's prefix, raw as sent (starting with `/`); `headers` have
    lower-case names, repeated ones joined with ", "; `strict` is the app's `mock_strict`."""

    method: str
    path: str
    query_string: bytes
    headers: Mapping[str, str]
    body: bytes
    strict: bool = False


@dataclass(frozen=True, slots=True)
class MockAnswer:
    """What the mock answers: `headers` include `content-type` when there is a body and never
    one the HTTP layer owns; `source` is for the mock log (an example's name, `example`,
    `generated`, or `error` for the mock's own problem answers)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source: str


def problem(
    status: int,
    detail: str,
    *,
    headers: tuple[tuple[str, str], ...] = (),
    **extensions: Any,
) -> MockAnswer:
    """An `application/problem+json` answer (RFC 9457) of the mock itself."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extensions,
    }
    return MockAnswer(
        status, (("content-type", PROBLEM_TYPE), *headers), json_bytes(body), ERROR_SOURCE
    )
