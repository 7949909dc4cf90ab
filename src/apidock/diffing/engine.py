"""`diff_documents`: every change between two OpenAPI 3.1 documents, in a stable order.

The walk goes paths → operations → parameters, request bodies, responses and headers (each
pair of schemas met on the way goes to `schemas.compare_schemas`), then what belongs to the
document: webhooks, security, component schemas, and last the version, which judges what
the rest found. It never raises on a document of the wrong shape: what it can't read it
takes as absent, and says what that absence means.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apidock.diffing import document, paths, security
from apidock.diffing.changes import Change
from apidock.diffing.paths import METHODS
from apidock.diffing.walk import DiffPolicy, Walk

_METHOD_RANK = {method.upper(): rank for rank, method in enumerate(METHODS)}


def diff_documents(
    old: dict[str, Any], new: dict[str, Any], *, policy: DiffPolicy | None = None
) -> list[Change]:
    """What changed from `old` to `new`, each change once, ordered by operation (path, then
    method; the document's own changes first), pointer and rule id."""
    walk = Walk.start(
        old if isinstance(old, dict) else {},
        new if isinstance(new, dict) else {},
        policy or DiffPolicy(),
    )
    changes = [
        *paths.compare_paths(walk),
        *document.compare_webhooks(walk),
        *security.compare_global_security(walk),
        *security.compare_security_schemes(walk),
        *document.compare_component_schemas(walk),
    ]
    changes += document.versioning(walk, changes)
    return ordered(changes)


def ordered(changes: Iterable[Change]) -> list[Change]:
    """`changes` without repeats, in the engine's order."""
    return sorted(dict.fromkeys(changes), key=_order)


def _order(change: Change) -> tuple[int, str, int, str, str, str, str]:
    if change.operation is None:
        return (0, "", 0, "", change.pointer, change.id, change.message)
    method, _, path = change.operation.partition(" ")
    return (
        1,
        path,
        _METHOD_RANK.get(method, len(_METHOD_RANK)),
        method,
        change.pointer,
        change.id,
        change.message,
    )
