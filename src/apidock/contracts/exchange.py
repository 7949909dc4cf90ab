"""What a contract test saw and what it found wrong: the two values every module of this package
speaks in (`checks` re-exports them; it is where callers import them from)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CHECKS = ("status", "content-type", "schema", "header", "assertion", "time", "transport")
"""The kinds of failure, as a run's results name them (SPEC, "Environments and contract tests")."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing wrong with an exchange.

    `pointer` is the RFC 6901 pointer into the response body for a `schema` failure
    (`/items/0/name`, `""` for the whole body), the header's name for a `header` one, the
    JSONPath for an `assertion`, else None."""

    check: str
    message: str
    pointer: str | None


@dataclass(frozen=True, slots=True)
class Observed:
    """An answer as the runner received it: header names in lower case, a repeated header's
    values joined with `", "`, the whole body, and the time from sending to the last byte."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed_ms: float
