"""Checking a change to an app's description, and finding what refers to a component: pure
functions of the document's parts (no database, no HTTP), run off the event loop by the caller.

A change is checked in the whole document it makes (SPEC, "Editing"): the stored parts joined
(`descriptions.parts.join_document`) with the written part in its place, its references
resolved inside it only (`refs.check_references`: another file or a URL is refused, never
fetched) and the result validated as OpenAPI 3.1 (`validation.validate_openapi31`). Decisions:

- A problem is named by a pointer into what the request wrote (`Written`): the Operation
  Object of an API, the Components Object or the one component of a PUT, the body of an
  app's PATCH. A problem elsewhere in the document that the change caused (an operationId now
  used twice, a reference elsewhere to a component the PUT left out) has the field ``""`` and
  its message names its place in the document.
- An import is lenient (SPEC, "Import"): a stored description may hold problems a validator
  finds. Those are not the change's: a problem outside the written parts that the document
  had before the change is not reported, so that an app imported with a flaw can still be
  edited. A problem inside a written part always is: what is written must be valid.
- A reference the import would have rewritten (through an `$id` or `$anchor`) or dropped (not
  a string) is refused in a write: the app resolves references by pointer only.
- A security requirement must name a scheme of `components.securitySchemes` (OpenAPI 3.1:
  "Each name MUST correspond to a security scheme which is declared"); the validators leave
  that out, `redocly lint` does not, and every export must pass it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from apidock.descriptions.loading import MAX_PROBLEMS
from apidock.descriptions.parts import DescriptionParts, join_document
from apidock.descriptions.problems import DocumentRefused, Problem, Report, pointer, tokens_of
from apidock.descriptions.refs import check_references, find_references
from apidock.descriptions.refs_walk import pointer_of, shapes_of, walk
from apidock.descriptions.validation import validate_openapi31

UNDECLARED_SCHEME = "openapi.security.undeclared"
_OPERATION = shapes_of("openapi")["operation"]


@dataclass(frozen=True, slots=True)
class Written:
    """A part a request wrote: its pointer in the document, and in what the request sent."""

    document: str
    sent: str = ""


def change_problems(
    after: DescriptionParts, before: DescriptionParts, written: Sequence[Written]
) -> list[dict[str, str]]:
    """The 422 entries (`{"field", "message", "type"}`) of the change from `before` to
    `after`, which wrote the parts `written`; empty when the change may be stored.

    The documents are checked as copies: checking references may rewrite the document it
    checks, and the parts are the stored ones (shared by `after` and `before`)."""
    problems = _problems_of(_copy(join_document(after)))
    inside = [problem for problem in problems if _written_at(problem.pointer, written)]
    outside = [problem for problem in problems if not _written_at(problem.pointer, written)]
    if outside:
        known = {_key(problem) for problem in _problems_of(_copy(join_document(before)))}
        outside = [problem for problem in outside if _key(problem) not in known]
    return [_entry(problem, written) for problem in (inside + outside)[:MAX_PROBLEMS]]


def _reference_problems(document: dict[str, Any]) -> list[Problem]:
    """The references of `document` that do not resolve by pointer inside it."""
    report = Report()
    try:
        check_references(document, "openapi", report)
    except DocumentRefused as refused:
        return refused.problems
    return [*report.warnings, *report.lost]


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON document, by the C encoder and parser (no recursion in Python)."""
    copied: dict[str, Any] = json.loads(json.dumps(document))
    return copied


def _problems_of(document: dict[str, Any]) -> list[Problem]:
    """Every problem of `document`: its references first, then what validation finds."""
    problems = _reference_problems(document)
    return problems + validate_openapi31(document) + list(undeclared_schemes(document))


def _key(problem: Problem) -> tuple[str, str, str]:
    return (problem.pointer, problem.message, problem.type)


def _inside(at: str, part: str) -> bool:
    return at == part or at.startswith(part + "/")


def _written_at(at: str, written: Sequence[Written]) -> bool:
    return any(_inside(at, part.document) for part in written)


def _entry(problem: Problem, written: Sequence[Written]) -> dict[str, str]:
    for part in written:
        if _inside(problem.pointer, part.document):
            field = part.sent + problem.pointer[len(part.document) :]
            return {"field": field, "message": problem.message, "type": problem.type}
    where = problem.pointer or "its root"
    message = f"{problem.message} (at {where} in the app's document)"
    return {"field": "", "message": message, "type": problem.type}


def _requirements(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each Security Requirement Object of `document` with its pointer: the top level's, then
    those of every operation (paths, webhooks, callbacks, components), in document order."""
    lists: list[tuple[str, Any]] = [("", document.get("security"))]
    for node, shape, path, _ in walk(document, "openapi"):
        if shape is _OPERATION:
            lists.append((pointer_of(path), node.get("security")))
    for owner, listed in lists:
        if not isinstance(listed, list):
            continue
        for index, requirement in enumerate(listed):
            if isinstance(requirement, dict):
                yield f"{owner}/security/{index}", requirement


def undeclared_schemes(document: dict[str, Any]) -> Iterator[Problem]:
    """A problem at each name of a security requirement that no security scheme declares."""
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    declared = set(schemes) if isinstance(schemes, dict) else set()
    for at, requirement in _requirements(document):
        for name in requirement:
            if name not in declared:
                yield Problem(
                    at + pointer(name),
                    f"security scheme {name!r} is not declared in components.securitySchemes",
                    UNDECLARED_SCHEME,
                )


def needs_auth(operation: Mapping[str, Any], app_security: Any) -> bool:
    """Whether an operation's effective security (its own, else the app's) requires a scheme:
    the catalog's `need_auth`. An empty requirement, `{}`, makes authentication optional."""
    security = operation.get("security", app_security)
    return (
        isinstance(security, list)
        and bool(security)
        and all(isinstance(requirement, dict) and requirement for requirement in security)
    )


def referrers(document: dict[str, Any], kind: str, name: str) -> list[str]:
    """The pointers of what refers to the component `kind`/`name` of `document`, outside the
    component itself: each `$ref` to it or to anything inside it, and for a security scheme
    each security requirement naming it."""
    own = pointer("components", kind, name)
    found: list[str] = []
    for reference in find_references(document, "openapi"):
        if _targets(reference.target, kind, name) and not _inside(reference.at, own):
            found.append(reference.at)
    if kind == "securitySchemes":
        found.extend(
            at
            for at, requirement in _requirements(document)
            if name in requirement and not _inside(at, own)
        )
    return found


def _targets(target: str, kind: str, name: str) -> bool:
    if not target.startswith("#/"):
        return False
    try:
        tokens = tokens_of(unquote(target[1:], errors="surrogatepass"))
    except ValueError:
        return False
    return tokens[:3] == ["components", kind, name]
