"""Security: the requirements of each operation and of the document, and the security schemes
of `components`. oasdiff reports all of these as `info` (a client learns it from the
changelog; whether a new requirement breaks it depends on credentials it may already have).

A security list is a set of alternatives (OR), each a set of schemes with their scopes (AND).
Alternatives are matched whole first (same schemes, same scopes); a left-over alternative
whose set of schemes appears once on each side is the same alternative with other scopes;
the rest were added or removed. An operation's alternative `{}` (anonymous access) is left
out, as oasdiff does; the document's is kept.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apidock.diffing.changes import Change, Level, declare
from apidock.diffing.resolve import child
from apidock.diffing.walk import OperationPair, Walk, is_extension, mapping, quoted, sequence

RULES: dict[str, Level] = {
    "api-security-added": "info",
    "api-security-removed": "info",
    "api-security-scope-added": "info",
    "api-security-scope-removed": "info",
    "api-global-security-added": "info",
    "api-global-security-removed": "info",
    "api-global-security-scope-added": "info",
    "api-global-security-scope-removed": "info",
    "api-security-component-added": "info",
    "api-security-component-removed": "info",
    "api-security-component-type-changed": "info",
    "api-security-component-oauth-url-changed": "info",
    "api-security-component-oauth-token-url-changed": "info",
    "api-security-component-oauth-scope-added": "info",
    "api-security-component-oauth-scope-removed": "info",
    "api-security-component-oauth-scope-changed": "info",
}
declare(RULES)


@dataclass(frozen=True, slots=True)
class Alternative:
    """One security requirement object: each scheme with its scopes, and its index."""

    scopes: dict[str, frozenset[str]]
    index: int

    @property
    def schemes(self) -> frozenset[str]:
        return frozenset(self.scopes)

    @property
    def whole(self) -> tuple[tuple[str, frozenset[str]], ...]:
        return tuple(sorted(self.scopes.items(), key=lambda item: item[0]))

    def label(self) -> str:
        return (
            " and ".join(quoted(name) for name in sorted(self.scopes)) or "anonymous access (`{}`)"
        )


def alternatives(node: Any) -> list[Alternative]:
    found = []
    for index, requirement in enumerate(sequence(node)):
        if isinstance(requirement, dict):
            scopes = {
                name: frozenset(scope for scope in sequence(value) if isinstance(scope, str))
                for name, value in mapping(requirement).items()
            }
            found.append(Alternative(scopes, index))
    return found


@dataclass(slots=True)
class RequirementsDiff:
    added: list[Alternative]
    removed: list[Alternative]
    rescoped: list[tuple[Alternative, Alternative]]


def diff_requirements(old: list[Alternative], new: list[Alternative]) -> RequirementsDiff:
    """Added, removed and re-scoped alternatives (see the module's doc)."""
    unmatched_new: dict[tuple[tuple[str, frozenset[str]], ...], deque[Alternative]] = {}
    for alternative in new:
        unmatched_new.setdefault(alternative.whole, deque()).append(alternative)
    old_left: list[Alternative] = []
    for alternative in old:
        same = unmatched_new.get(alternative.whole)
        if same:
            same.popleft()
        else:
            old_left.append(alternative)
    new_left = [alternative for group in unmatched_new.values() for alternative in group]
    old_by_schemes = _group_by_schemes(old_left)
    new_by_schemes = _group_by_schemes(new_left)
    result = RequirementsDiff([], [], [])
    for schemes, group in old_by_schemes.items():
        partners = new_by_schemes.get(schemes, [])
        if len(group) == 1 and len(partners) == 1:
            result.rescoped.append((group[0], partners[0]))
        else:
            result.removed += group
    for schemes, group in new_by_schemes.items():
        if not (len(group) == 1 and len(old_by_schemes.get(schemes, [])) == 1):
            result.added += group
    return result


def _group_by_schemes(found: list[Alternative]) -> dict[frozenset[str], list[Alternative]]:
    groups: dict[frozenset[str], list[Alternative]] = {}
    for alternative in found:
        groups.setdefault(alternative.schemes, []).append(alternative)
    return groups


def compare_operation_security(pair: OperationPair) -> list[Change]:
    """The operation's own `security` list (an inherited one is the document's business)."""
    return list(
        _requirement_changes(
            "api-security",
            pair.label,
            (pair.old.get("security"), child(pair.old_pointer, "security")),
            (pair.new.get("security"), child(pair.new_pointer, "security")),
            keep_anonymous=False,
        )
    )


def compare_global_security(walk: Walk) -> list[Change]:
    """The document's `security` list."""
    return list(
        _requirement_changes(
            "api-global-security",
            None,
            (walk.old.document.get("security"), "/security"),
            (walk.new.document.get("security"), "/security"),
            keep_anonymous=True,
        )
    )


def _requirement_changes(
    prefix: str,
    label: str | None,
    old: tuple[Any, str],
    new: tuple[Any, str],
    *,
    keep_anonymous: bool,
) -> Iterator[Change]:
    found = diff_requirements(alternatives(old[0]), alternatives(new[0]))
    where = "the document" if label is None else "the endpoint"
    for alternative in found.removed:
        if alternative.scopes or keep_anonymous:
            yield Change.of(
                f"{prefix}-removed",
                operation=label,
                pointer=child(old[1], alternative.index),
                message=f"the security requirement {alternative.label()} was removed from {where}",
            )
    for alternative in found.added:
        if alternative.scopes or keep_anonymous:
            yield Change.of(
                f"{prefix}-added",
                operation=label,
                pointer=child(new[1], alternative.index),
                message=f"the security requirement {alternative.label()} was added to {where}",
            )
    for before, after in found.rescoped:
        for scheme in sorted(after.scopes):
            for scope in sorted(before.scopes[scheme] - after.scopes[scheme]):
                yield Change.of(
                    f"{prefix}-scope-removed",
                    operation=label,
                    pointer=child(old[1], before.index, scheme),
                    message=f"the scope {quoted(scope)} of the security scheme {quoted(scheme)} "
                    f"was removed from {where}",
                )
            for scope in sorted(after.scopes[scheme] - before.scopes[scheme]):
                yield Change.of(
                    f"{prefix}-scope-added",
                    operation=label,
                    pointer=child(new[1], after.index, scheme),
                    message=f"the scope {quoted(scope)} of the security scheme {quoted(scheme)} "
                    f"was added to {where}",
                )


def compare_security_schemes(walk: Walk) -> list[Change]:
    """`components/securitySchemes`: schemes added, removed, retyped, their OAuth flows'
    URLs and scopes."""
    old = mapping(mapping(walk.old.document.get("components")).get("securitySchemes"))
    new = mapping(mapping(walk.new.document.get("components")).get("securitySchemes"))
    changes: list[Change] = []
    for name in sorted(old.keys() - new.keys()):
        changes.append(
            _component(
                "api-security-component-removed",
                child("/components/securitySchemes", name),
                f"the security scheme {quoted(name)} was removed",
            )
        )
    for name in sorted(new.keys() - old.keys()):
        changes.append(
            _component(
                "api-security-component-added",
                child("/components/securitySchemes", name),
                f"the security scheme {quoted(name)} was added",
            )
        )
    for name in sorted(old.keys() & new.keys()):
        pointer = child("/components/securitySchemes", name)
        old_scheme, _ = walk.old.deref(old[name], pointer)
        new_scheme, new_pointer = walk.new.deref(new[name], pointer)
        changes += _compare_scheme(name, mapping(old_scheme), mapping(new_scheme), new_pointer)
    return changes


def _component(rule: str, pointer: str, message: str) -> Change:
    return Change.of(rule, operation=None, pointer=pointer, message=message)


def _compare_scheme(
    name: str, old: dict[str, Any], new: dict[str, Any], pointer: str
) -> list[Change]:
    scheme = f"the security scheme {quoted(name)}"
    changes: list[Change] = []
    if old.get("type") != new.get("type"):
        changes.append(
            _component(
                "api-security-component-type-changed",
                child(pointer, "type"),
                f"the type of {scheme} changed from {quoted(old.get('type'))} to "
                f"{quoted(new.get('type'))}",
            )
        )
    old_flows, new_flows = mapping(old.get("flows")), mapping(new.get("flows"))
    for flow in sorted(old_flows.keys() & new_flows.keys()):
        if is_extension(flow):
            continue
        old_flow, new_flow = mapping(old_flows[flow]), mapping(new_flows[flow])
        at = child(pointer, "flows", flow)
        for field, rule in (
            ("authorizationUrl", "api-security-component-oauth-url-changed"),
            ("tokenUrl", "api-security-component-oauth-token-url-changed"),
        ):
            if old_flow.get(field) != new_flow.get(field):
                changes.append(
                    _component(
                        rule,
                        child(at, field),
                        f"the {field} of the {flow} flow of {scheme} changed from "
                        f"{quoted(old_flow.get(field))} to {quoted(new_flow.get(field))}",
                    )
                )
        changes += _scope_changes(
            scheme,
            flow,
            mapping(old_flow.get("scopes")),
            mapping(new_flow.get("scopes")),
            child(at, "scopes"),
        )
    return changes


def _scope_changes(
    scheme: str, flow: str, old: dict[str, Any], new: dict[str, Any], pointer: str
) -> list[Change]:
    where = f"the {flow} flow of {scheme}"
    changes = [
        _component(
            "api-security-component-oauth-scope-removed",
            child(pointer, scope),
            f"the scope {quoted(scope)} was removed from {where}",
        )
        for scope in sorted(old.keys() - new.keys())
    ]
    changes += [
        _component(
            "api-security-component-oauth-scope-added",
            child(pointer, scope),
            f"the scope {quoted(scope)} was added to {where}",
        )
        for scope in sorted(new.keys() - old.keys())
    ]
    changes += [
        _component(
            "api-security-component-oauth-scope-changed",
            child(pointer, scope),
            f"the description of the scope {quoted(scope)} of {where} changed",
        )
        for scope in sorted(old.keys() & new.keys())
        if old[scope] != new[scope]
    ]
    return changes
