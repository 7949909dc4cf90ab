"""Deprecation, sunset and stability, as oasdiff reads them.

An operation or a parameter is deprecated with `deprecated: true`, and may announce the day
it goes away with `x-sunset` (an RFC 3339 date or date-time). Removing something deprecated is
`info`; removing it before its sunset, or without deprecating it first, breaks clients. Once
a sunset is announced it may not be deleted while `deprecated` stays, nor moved earlier past
the grace period. The grace period (`min_sunset_days_*`, 0 by default as in oasdiff) makes the
sunset mandatory when it is above 0.

`x-stability-level` (draft → alpha → beta → stable; absent reads as stable) ranks operations:
those below the policy's threshold (beta by default) are left out of the comparison, and a
value outside the four is itself reported (`api-invalid-stability-level`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.resolve import child
from apidock.diffing.walk import DiffPolicy, excerpt

RULES: dict[str, Level] = {
    "api-invalid-stability-level": "breaking",
    "api-stability-decreased": "breaking",
    "api-stability-increased": "info",
    "endpoint-reactivated": "info",
    "endpoint-deprecated": "info",
    "endpoint-deprecated-with-sunset": "info",
    "api-deprecated-sunset-missing": "breaking",
    "api-deprecated-sunset-parse": "breaking",
    "api-sunset-date-too-small": "breaking",
    "sunset-deleted": "breaking",
    "api-sunset-date-changed-too-small": "breaking",
    "api-path-sunset-parse": "breaking",
    "api-path-removed-without-deprecation": "breaking",
    "api-path-removed-with-deprecation": "info",
    "api-path-removed-before-sunset": "breaking",
    "api-removed-without-deprecation": "breaking",
    "api-removed-with-deprecation": "info",
    "api-removed-before-sunset": "breaking",
    "request-parameter-reactivated": "info",
    "request-parameter-deprecated": "info",
    "request-parameter-deprecated-sunset-missing": "breaking",
    "request-parameter-sunset-parse": "breaking",
    "request-parameter-sunset-date-too-small": "breaking",
    "request-parameter-sunset-deleted": "breaking",
    "request-parameter-sunset-date-changed-too-small": "breaking",
    "request-parameter-removed": "warning",
    "request-parameter-removed-with-deprecation": "info",
    "request-parameter-removed-before-sunset": "breaking",
}
declare(RULES)

SUNSET = "x-sunset"
STABILITY = "x-stability-level"
_RANK: dict[str, int] = {"draft": 1, "alpha": 2, "beta": 3, "stable": 4}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


@dataclass(frozen=True, slots=True)
class RemovalIds:
    """The rules of removing one kind of thing (a path, an operation, a parameter)."""

    without_deprecation: str
    with_deprecation: str
    unreadable_sunset: str
    before_sunset: str


@dataclass(frozen=True, slots=True)
class DeprecationIds:
    """The rules of deprecating one kind of thing and of changing its sunset."""

    reactivated: str
    deprecated: str
    deprecated_with_sunset: str
    sunset_missing: str
    unreadable_sunset: str
    sunset_too_soon: str
    sunset_deleted: str
    sunset_moved_too_soon: str
    unreadable_changed_sunset: str


PATH_REMOVAL = RemovalIds(
    "api-path-removed-without-deprecation",
    "api-path-removed-with-deprecation",
    "api-path-sunset-parse",
    "api-path-removed-before-sunset",
)
OPERATION_REMOVAL = RemovalIds(
    "api-removed-without-deprecation",
    "api-removed-with-deprecation",
    "api-path-sunset-parse",
    "api-removed-before-sunset",
)
PARAMETER_REMOVAL = RemovalIds(
    "request-parameter-removed",
    "request-parameter-removed-with-deprecation",
    "request-parameter-sunset-parse",
    "request-parameter-removed-before-sunset",
)
OPERATION_DEPRECATION = DeprecationIds(
    "endpoint-reactivated",
    "endpoint-deprecated",
    "endpoint-deprecated-with-sunset",
    "api-deprecated-sunset-missing",
    "api-deprecated-sunset-parse",
    "api-sunset-date-too-small",
    "sunset-deleted",
    "api-sunset-date-changed-too-small",
    "api-path-sunset-parse",
)
PARAMETER_DEPRECATION = DeprecationIds(
    "request-parameter-reactivated",
    "request-parameter-deprecated",
    "request-parameter-deprecated",
    "request-parameter-deprecated-sunset-missing",
    "request-parameter-sunset-parse",
    "request-parameter-sunset-date-too-small",
    "request-parameter-sunset-deleted",
    "request-parameter-sunset-date-changed-too-small",
    "request-parameter-sunset-parse",
)


def stability_of(node: dict[str, Any]) -> str | None:
    """The node's `x-stability-level`: "" when unset, None when it is not one of the four."""
    value = node.get(STABILITY)
    if value is None:
        return ""
    return value if isinstance(value, str) and value in _RANK else None


def rank(stability: str) -> int:
    """The order of a (valid) level; unset counts as stable."""
    return _RANK.get(stability, _RANK["stable"])


def included(stability: str, policy: DiffPolicy) -> bool:
    """Whether an operation at `stability` is inside the policy's threshold."""
    return rank(stability) >= _RANK[policy.stability_threshold]


def grace_days(stability: str, policy: DiffPolicy) -> int:
    """The minimum days between a deprecation and the sunset, for this stability level."""
    if stability in ("draft", "alpha"):
        return 0
    if stability == "beta":
        return policy.min_sunset_days_beta
    return policy.min_sunset_days_stable


def sunset_date(value: Any) -> date | None:
    """An `x-sunset` value as a day: an RFC 3339 full-date or date-time; None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
        if _DATE_TIME.fullmatch(value):
            return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return None


def deprecated(node: dict[str, Any]) -> bool:
    return node.get("deprecated") is True


def invalid_stability(node: dict[str, Any], pointer: str, operation: str) -> Change:
    return Change.of(
        "api-invalid-stability-level",
        operation=operation,
        pointer=child(pointer, STABILITY),
        message=f"the stability level {excerpt(node.get(STABILITY))} is not draft, alpha, "
        "beta or stable",
    )


def removal(
    ids: RemovalIds,
    node: dict[str, Any],
    pointer: str,
    *,
    subject: str,
    operation: str,
    today: date,
) -> Change | None:
    """The change of removing `node` (at `pointer` in the old document), None when it was
    deprecated and its sunset has passed."""
    if not deprecated(node):
        return Change.of(
            ids.without_deprecation,
            operation=operation,
            pointer=pointer,
            message=f"{subject} was removed without being deprecated first",
        )
    if SUNSET not in node:
        return Change.of(
            ids.with_deprecation,
            operation=operation,
            pointer=pointer,
            message=f"{subject} was removed after being deprecated",
        )
    sunset = sunset_date(node[SUNSET])
    if sunset is None:
        return _unreadable_sunset(
            ids.unreadable_sunset, node, pointer, f"{subject} was removed", operation
        )
    if today < sunset:
        return Change.of(
            ids.before_sunset,
            operation=operation,
            pointer=pointer,
            message=f"{subject} was removed before its sunset date {sunset.isoformat()}",
        )
    return None


def _unreadable_sunset(
    rule: str, node: dict[str, Any], pointer: str, done: str, operation: str
) -> Change:
    """`node`'s `x-sunset` is not a date, said after what was `done` to it."""
    return Change.of(
        rule,
        operation=operation,
        pointer=child(pointer, SUNSET),
        message=f"{done}, and its sunset date {excerpt(node[SUNSET])} is not an RFC 3339 date",
    )


@dataclass(frozen=True, slots=True)
class _Deprecation:
    """What judging one node's deprecation needs: its rules, the phrase naming it, the
    operation, the grace period in days (None when the stability level is invalid), the day."""

    ids: DeprecationIds
    subject: str
    operation: str
    days: int | None
    today: date

    def change(self, rule: str, pointer: str, message: str) -> Change:
        return Change.of(rule, operation=self.operation, pointer=pointer, message=message)

    def deprecation(
        self, old: tuple[dict[str, Any], str], new: tuple[dict[str, Any], str]
    ) -> Change | None:
        """The change of `deprecated`, if it changed."""
        ids, subject = self.ids, self.subject
        (old_node, _), (new_node, pointer) = old, new
        if deprecated(old_node) == deprecated(new_node):
            return None
        at = child(pointer, "deprecated")
        if not deprecated(new_node):
            return self.change(ids.reactivated, at, f"{subject} is no longer deprecated")
        if self.days is None:
            return None
        days = self.days
        if SUNSET not in new_node:
            if days > 0:
                return self.change(
                    ids.sunset_missing,
                    at,
                    f"{subject} was deprecated without an x-sunset date, which the "
                    f"policy requires ({days} days ahead at least)",
                )
            return self.change(ids.deprecated, at, f"{subject} was deprecated")
        sunset = sunset_date(new_node[SUNSET])
        if sunset is None:
            return _unreadable_sunset(
                ids.unreadable_sunset,
                new_node,
                pointer,
                f"{subject} was deprecated",
                self.operation,
            )
        if (sunset - self.today).days < days:
            return self.change(
                ids.sunset_too_soon,
                child(pointer, SUNSET),
                f"{subject} was deprecated with the sunset date {sunset.isoformat()}, "
                f"less than {days} days from today",
            )
        return self.change(
            ids.deprecated_with_sunset,
            at,
            f"{subject} was deprecated, with the sunset date {sunset.isoformat()}",
        )

    def sunset_change(
        self, old: tuple[dict[str, Any], str], new: tuple[dict[str, Any], str]
    ) -> Change | None:
        """The change of `x-sunset` of a node that is deprecated in the new document."""
        ids, subject = self.ids, self.subject
        (old_node, old_pointer), (new_node, new_pointer) = old, new
        if not deprecated(new_node) or SUNSET not in old_node:
            return None
        if SUNSET not in new_node:
            return self.change(
                ids.sunset_deleted,
                child(old_pointer, SUNSET),
                f"the sunset date of {subject} was deleted while it stays deprecated",
            )
        if old_node[SUNSET] == new_node[SUNSET]:
            return None
        sunset, old_sunset = sunset_date(new_node[SUNSET]), sunset_date(old_node[SUNSET])
        if sunset is None or old_sunset is None:
            unreadable, at = (new_node, new_pointer) if sunset is None else (old_node, old_pointer)
            return self.change(
                ids.unreadable_changed_sunset,
                child(at, SUNSET),
                f"the sunset date {excerpt(unreadable[SUNSET])} of {subject} is not an "
                "RFC 3339 date",
            )
        if self.days is None:
            return None
        if old_sunset > sunset and (sunset - self.today).days < self.days:
            return self.change(
                ids.sunset_moved_too_soon,
                child(new_pointer, SUNSET),
                f"the sunset date of {subject} was moved earlier, from "
                f"{old_sunset.isoformat()} to {sunset.isoformat()}, which is less than "
                f"{self.days} days from today",
            )
        return None


def deprecation_changes(
    ids: DeprecationIds,
    old: tuple[dict[str, Any], str],
    new: tuple[dict[str, Any], str],
    *,
    subject: str,
    operation: str,
    stability: str | None,
    policy: DiffPolicy,
    today: date,
) -> list[Change]:
    """The changes of `deprecated`, then of `x-sunset`, between two versions of a node (each
    with its pointer). `stability` is the operation's (None: invalid, reported apart)."""
    judged = _Deprecation(
        ids, subject, operation, None if stability is None else grace_days(stability, policy), today
    )
    found = [judged.deprecation(old, new), judged.sunset_change(old, new)]
    return [change for change in found if change is not None]


def stability_change(
    old_stability: str, new_stability: str, pointer: str, *, operation: str, policy: DiffPolicy
) -> Change | None:
    """`api-stability-decreased`/`-increased`, reported when the level left was in scope."""
    if rank(old_stability) == rank(new_stability) or not included(old_stability, policy):
        return None
    rule = (
        "api-stability-decreased"
        if rank(new_stability) < rank(old_stability)
        else "api-stability-increased"
    )
    before, after = old_stability or "stable", new_stability or "stable"
    direction = "decreased" if rule == "api-stability-decreased" else "increased"
    return Change.of(
        rule,
        operation=operation,
        pointer=child(pointer, STABILITY),
        message=f"the stability level {direction} from {before} to {after}",
    )
