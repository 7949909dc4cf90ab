"""Regular expressions from cases and descriptions, run in linear time by RE2 (google-re2).

Decisions:
- RE2 never backtracks: `(a+)+$` against a long string costs what any pattern costs, so a case
  author cannot make a run spin. The price is RE2's syntax: no backreferences and no
  lookaround. A pattern RE2 refuses is refused with RE2's reason, and a backreference (`\\1`,
  `\\k<name>`, `(?P=name)`) is named as such, since it is the usual surprise.
- Patterns are compiled once and kept (`MAX_CACHED` of them); RE2's own compile-time memory
  bound (8 MiB) refuses a pattern whose automaton would be huge. At most `MAX_PATTERN`
  characters. Errors are not logged by RE2 (`log_errors` off): a refused pattern is the
  caller's to report.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

MAX_PATTERN = 1024
MAX_CACHED = 512

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_BACKREFERENCE = re.compile(r"\\[1-9]|\\k<|\\k'|\\k\{|\\g\{?-?[0-9]|\(\?P=")


class LinearPattern(Protocol):
    """What this package uses of a compiled RE2 pattern."""

    def search(self, text: str) -> object | None: ...

    def fullmatch(self, text: str) -> object | None: ...


class PatternRefused(ValueError):
    """A pattern RE2 cannot run; the message says why."""


@lru_cache(maxsize=MAX_CACHED)
def linear_pattern(pattern: str) -> LinearPattern:
    """`pattern` compiled by RE2; raises PatternRefused."""
    if len(pattern) > MAX_PATTERN:
        raise PatternRefused(f"The pattern is longer than {MAX_PATTERN} characters")
    try:
        compiled: LinearPattern = re2.compile(pattern, options=_OPTIONS)
    except re2.error as error:
        if _BACKREFERENCE.search(pattern):
            raise PatternRefused(
                "Backreferences are not allowed: patterns run on a linear-time engine (RE2)"
            ) from None
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", errors="replace")
        raise PatternRefused(f"RE2 cannot compile the pattern: {reason}") from None
    return compiled


def searches(pattern: str, text: str) -> bool:
    """Whether `pattern` (compiled by RE2) is found in `text`; False for a refused pattern."""
    try:
        return linear_pattern(pattern).search(text) is not None
    except PatternRefused:
        return False
