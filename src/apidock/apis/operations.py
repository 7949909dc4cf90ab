"""An API's operation: the OpenAPI Operation Object it holds when described, the catalog
columns that follow it, and a change of either checked in the app's whole document.

Decisions:
- `operation` in a PATCH replaces the whole Operation Object. An API made through the
  original's routes (no operation) given one becomes described: from then on its export is
  its operation, no longer built from its rows. An operation cannot be taken away (null is
  refused): delete the API to start again.
- The catalog's columns follow the operation as an import sets them: `title` from `summary`,
  else `operationId`, else `METHOD path` (cut to 80 characters; the operation keeps its own);
  `description`; `need_auth` when its effective security (its own, else the app's) requires a
  scheme; `status` deprecated when `deprecated: true`, otherwise a deprecated API becomes
  released and a developing or released one keeps its status.
- For a described API, `title`, `description` and `status` are views of the operation:
  writing them writes `summary`, `description` and `deprecated` (after an `operation` given
  in the same body), so the catalog and the export never disagree. `need_auth` has no such
  place: given, it must agree with the operation's security (422 otherwise).
- A change to a described API's operation, or its path or method (which moves the operation
  in the document), is checked in the app's whole document (`apps.description`), under the
  app's lock; its problems are 422 with JSON Pointers into the Operation Object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from apidock.apis.models import Api, ApiStatus
from apidock.apps.description import described_operations, parts_of, refuse_invalid
from apidock.apps.description_checks import Written, needs_auth
from apidock.apps.models import App
from apidock.catalog import service as catalog
from apidock.descriptions.parts import OperationPart
from apidock.descriptions.problems import pointer
from apidock.errors import NotFound
from apidock.work import UnitOfWork

TITLE_MAX = 80
# the columns that are views of a described API's operation, and its place in the document;
# the fields a change of a described API's operation may come from
_VIEWS = {"title": "summary", "description": "description", "status": "deprecated"}
DESCRIBED_FIELDS = frozenset({*_VIEWS, "operation", "need_auth", "request_url", "request_method"})


def touches_operation(api: Api, values: Mapping[str, Any]) -> bool:
    """Whether a PATCH of `api` with `values` writes an operation, or what follows it."""
    return "operation" in values or (
        api.operation is not None and bool(values.keys() & DESCRIBED_FIELDS)
    )


def title_of(operation: Mapping[str, Any], path: str, method: str) -> str:
    """The catalog's title of an operation: its summary, its operationId, or `METHOD path`."""
    for key in ("summary", "operationId"):
        value = operation.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:TITLE_MAX]
    return f"{method.upper()} {path}"[:TITLE_MAX]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _status_of(operation: Mapping[str, Any], given: str | None, current: int | None) -> str:
    if operation.get("deprecated") is True:
        return "deprecated"
    if given is not None:
        return given
    if current in (int(ApiStatus.DEVELOPING), int(ApiStatus.RELEASED)):
        return ApiStatus(current).name.lower()
    return "released"


def _write_views(operation: dict[str, Any], values: Mapping[str, Any]) -> None:
    if "title" in values:
        operation["summary"] = values["title"]
    if "description" in values:
        if values["description"] is None:
            operation.pop("description", None)
        else:
            operation["description"] = values["description"]
    if "status" in values:
        if values["status"] == "deprecated":
            operation["deprecated"] = True
        else:
            operation.pop("deprecated", None)


async def describe(work: UnitOfWork, *, api: Api, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (a PATCH's, in the API's names) with the operation they make and the columns
    that follow it, once the app's document with it is valid OpenAPI 3.1 (422 otherwise).
    The caller holds the app's lock."""
    app = await work.live(App, api.app_id) if api.app_id is not None else None
    if app is None:
        raise NotFound("API not found")
    given = "operation" in values
    operation = dict(values["operation"] if given else api.operation or {})
    _write_views(operation, values)
    need_auth = needs_auth(operation, app.security)
    if values.get("need_auth", need_auth) != need_auth:
        raise catalog.invalid(
            "need_auth",
            "follows the security of the API's operation (or of its app): change "
            "`operation.security` instead",
        )
    path = values.get("request_url", api.request_url)
    method = values.get("request_method", api.request_method).lower()
    described = await described_operations(work.session, app_id=app.id)
    before = parts_of(app, [part for _, part in described])
    placed = dict(described)
    placed[api.id] = OperationPart(path, method, operation)
    after = dataclasses.replace(before, operations=[placed[key] for key in sorted(placed)])
    at = pointer("paths", path, method)
    if given:
        written = [Written(at)]
    else:
        keys = [_VIEWS[name] for name in _VIEWS if name in values]
        written = [Written(f"{at}/{key}", f"/{key}") for key in keys]
    await refuse_invalid(after=after, before=before, written=written)
    return {
        **values,
        "operation": operation,
        "title": title_of(operation, path, method),
        "description": _text(operation.get("description")),
        "need_auth": need_auth,
        "status": _status_of(operation, values.get("status"), api.status),
    }
