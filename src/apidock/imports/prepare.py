"""An import made ready in a process of its own: the document read, converted, checked and
encoded, so that the server's process only writes rows.

Reading a large document holds Python's global lock for long stretches (the JSON parser, the
collector's full passes over millions of new objects): in a thread of the server, every
other request would wait through them. In a separate process (`imports.pool`) they hold that
process's lock only; what comes back is small and flat: the report, the group plan, the
small app parts, and the large ones and each operation as JSON text already encoded
(`db.EncodedJSON`), which the database gets as it is.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from typing import Any

from apidock.apis.models import ApiStatus
from apidock.apps.description_checks import needs_auth
from apidock.db import EncodedJSON
from apidock.descriptions.intake import IntakeLimits, take_in
from apidock.descriptions.parts import OperationPart
from apidock.descriptions.problems import DocumentRefused, Problem, pointer
from apidock.imports.tree import PlannedGroup, plan_groups

TITLE_MAX = 80
REQUEST_URL_MAX = 256


@dataclass(frozen=True, slots=True)
class PreparedApi:
    """One operation as the API row holding it: its catalog columns and its JSON text."""

    title: str
    description: str | None
    request_url: str
    request_method: str
    need_auth: bool
    status: int
    operation: EncodedJSON
    group: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """Everything an import writes, read and encoded (see the module's doc)."""

    report: dict[str, Any]
    info: dict[str, Any]
    small_parts: dict[str, Any]
    large_parts: dict[str, EncodedJSON | None]
    groups: list[PlannedGroup] = field(default_factory=list)
    apis: list[PreparedApi] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, Any]:
        """What the audit row keeps: the format and the counts."""
        return {key: self.report[key] for key in ("format", "operations", "schemas", "examples")}


# The app's parts by size: the large ones are written as encoded text (and never read back
# into the request that imports them), the small ones as values (the answer shows them).
SMALL_PARTS = ("servers", "security", "tags", "external_docs", "json_schema_dialect", "extensions")
LARGE_PARTS = ("components", "webhooks", "paths")


def prepare_import(raw: bytes, media_type: str | None, limits: IntakeLimits) -> PreparedImport:
    """Read `raw` and make its rows ready; raises DocumentRefused or PayloadTooLarge.

    The cyclic collector is off meanwhile: a document's values hold no cycles, and its full
    passes over millions of new objects cost a 10 MB import two pauses of 100-200 ms
    (bench/import_speed.py); the process is its own, and replaced after a few imports.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _prepare(raw, media_type, limits)
    finally:
        if enabled:
            gc.enable()


def _prepare(raw: bytes, media_type: str | None, limits: IntakeLimits) -> PreparedImport:
    intake = take_in(raw, media_type=media_type, limits=limits)
    parts = intake.parts
    _check_templates(parts.operations)
    plan = plan_groups(parts.tags, parts.operations, intake.report)
    report = intake.as_report()  # after the plan: its warnings belong in it
    apis = [
        _prepared_api(part, group, parts.security)
        for part, group in zip(parts.operations, plan.operation_groups, strict=True)
    ]
    return PreparedImport(
        report=report,
        info=parts.info,
        small_parts={name: getattr(parts, name) for name in SMALL_PARTS},
        large_parts={name: _encoded(getattr(parts, name)) for name in LARGE_PARTS},
        groups=plan.groups,
        apis=apis,
    )


def encode(value: Any) -> EncodedJSON:
    """`value` as compact JSON text, non-ASCII kept as it is (every database here takes UTF-8)."""
    return EncodedJSON(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _encoded(value: Any) -> EncodedJSON | None:
    return None if value is None else encode(value)


def _check_templates(operations: list[OperationPart]) -> None:
    problems = [
        Problem(
            pointer("paths", part.path),
            f"a path template takes at most {REQUEST_URL_MAX} characters",
            "document.path",
        )
        for part in operations
        if len(part.path) > REQUEST_URL_MAX
    ]
    if problems:
        raise DocumentRefused(problems[:100])


def text_of(value: Any) -> str:
    """A document's value read as text (a version may be a number)."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def _prepared_api(
    part: OperationPart,
    group: tuple[str, ...] | None,
    default_security: list[Any] | None,
) -> PreparedApi:
    operation = part.operation
    title = (
        text_of(operation.get("summary")).strip()
        or text_of(operation.get("operationId")).strip()
        or f"{part.method.upper()} {part.path}"
    )
    description = operation.get("description")
    deprecated = operation.get("deprecated") is True
    return PreparedApi(
        title=title[:TITLE_MAX],
        description=description if isinstance(description, str) else None,
        request_url=part.path,
        request_method=part.method.upper(),
        need_auth=needs_auth(operation, default_security),
        status=int(ApiStatus.DEPRECATED if deprecated else ApiStatus.RELEASED),
        operation=encode(operation),
        group=group,
    )
