"""A run as JUnit XML, the report CI systems read (Jenkins, GitLab, GitHub Actions reporters).

Decisions:
- `<testsuites>` holding one `<testsuite>` (as pytest writes it), with `tests`, `failures`,
  `errors`, `skipped` (always 0) and `time` on both; one `<testcase>` per case, its `name`
  the case's name and its `time` in seconds.
- A case that failed has one `<failure>`: `type` is the check of its first failure (or
  `several` when they are of different checks), `message` the first failure's message, and
  its text every failure on a line of its own (`[check] pointer: message`). One element, not
  one per failure: several readers of JUnit count or show only the first.
- A `transport` failure (the request never got an answer) is a `<failure type="transport">`
  like the others: SPEC lists it among the checks, and it is the service's failure to
  answer. `<error>` is kept for `CaseOutcome.error`, the runner's own trouble with a case;
  such a case counts as an error, not a failure, and its failures go in the error's text.
- Built with `xml.etree.ElementTree`, which escapes text and attributes. Characters that XML
  1.0 forbids (control characters other than tab, newline and carriage return, lone
  surrogates, U+FFFE and U+FFFF) are removed first: a hostile body quoted in a message
  cannot make the report unreadable.
- `timestamp` is written when given (ISO 8601, to the second), so the same run gives the same
  bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from apidock.contracts.exchange import Failure

_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class CaseOutcome:
    """One case of a run as JUnit reports it."""

    name: str
    classname: str
    duration_ms: float
    failures: list[Failure]
    error: str | None = None


def junit_xml(
    suite_name: str, outcomes: Sequence[CaseOutcome], *, timestamp: datetime | None = None
) -> bytes:
    """The JUnit XML report of `outcomes` (UTF-8, with its XML declaration)."""
    errors = sum(1 for outcome in outcomes if outcome.error is not None)
    failures = sum(1 for outcome in outcomes if outcome.error is None and outcome.failures)
    counts = {
        "tests": str(len(outcomes)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": _seconds(sum(outcome.duration_ms for outcome in outcomes)),
    }
    root = ET.Element("testsuites", {"name": _clean(suite_name), **counts})
    suite = ET.SubElement(root, "testsuite", {"name": _clean(suite_name), **counts})
    if timestamp is not None:
        suite.set("timestamp", timestamp.isoformat(timespec="seconds"))
    for outcome in outcomes:
        _testcase(suite, outcome)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _testcase(suite: ET.Element, outcome: CaseOutcome) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": _clean(outcome.name),
            "classname": _clean(outcome.classname),
            "time": _seconds(outcome.duration_ms),
        },
    )
    lines = "\n".join(_line(failure) for failure in outcome.failures)
    if outcome.error is not None:
        error = ET.SubElement(case, "error", {"message": _clean(outcome.error), "type": "error"})
        error.text = _clean("\n".join(filter(None, (outcome.error, lines))))
    elif outcome.failures:
        first = outcome.failures[0]
        checks = {failure.check for failure in outcome.failures}
        kind = first.check if len(checks) == 1 else "several"
        failure = ET.SubElement(case, "failure", {"message": _clean(first.message), "type": kind})
        failure.text = _clean(lines)


def _line(failure: Failure) -> str:
    where = f" {failure.pointer}" if failure.pointer else ""
    return f"[{failure.check}]{where}: {failure.message}"


def _seconds(milliseconds: float) -> str:
    return f"{max(milliseconds, 0.0) / 1000:.3f}"


def _clean(text: str) -> str:
    return _FORBIDDEN.sub("", text)
