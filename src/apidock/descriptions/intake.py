"""Taking a document in: from the bytes sent to the parts API Dock stores, with the report.

The steps, each a module of this package: read the bytes within bounds (`loading`), tell the
format (`formats`), refuse references outside the document and repair the lenient cases
(`refs`), convert to OpenAPI 3.1 (`from_openapi30`, `from_swagger2`, `from_postman`), make the
lenient fixes (`lenient`), check the result (`validation`), and cut it into parts (`parts`).

What a validator still finds after the fixes is a `warnings` entry, not a refusal: SPEC asks
an import to be lenient where a real tool must be, and to refuse only what it lists (a
document that doesn't parse, an unknown format, a reference that resolves nowhere or points
outside, too deep, too many operations). The whole run is CPU-bound and synchronous: the
caller runs it off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apidock.descriptions.formats import SourceFormat, detect_format
from apidock.descriptions.from_openapi30 import convert_openapi30
from apidock.descriptions.from_postman import convert_postman
from apidock.descriptions.from_swagger2 import convert_swagger2
from apidock.descriptions.lenient import make_lenient_fixes
from apidock.descriptions.loading import Limits, load_document
from apidock.descriptions.parts import DescriptionParts, count_examples, split_document
from apidock.descriptions.problems import DocumentRefused, Problem, Report, pointer
from apidock.descriptions.refs import check_references
from apidock.descriptions.validation import validate_openapi31

if TYPE_CHECKING:
    from apidock.config import Settings


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """The bounds of one import (settings IMPORT_MAX_BYTES, _DEPTH and _OPERATIONS)."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 100
    max_operations: int = 20_000

    @classmethod
    def of(cls, settings: Settings) -> IntakeLimits:
        """The bounds the settings give an import."""
        return cls(
            max_bytes=settings.import_max_bytes,
            max_depth=settings.import_max_depth,
            max_operations=settings.import_max_operations,
        )


@dataclass(slots=True)
class Intake:
    """A document taken in: its OpenAPI 3.1 form, its parts, the report and its counts."""

    source: SourceFormat
    document: dict[str, Any]
    parts: DescriptionParts
    report: Report

    def counts(self) -> dict[str, int]:
        """The report's numbers: operations, schemas (components) and named examples."""
        components = self.document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        return {
            "operations": len(self.parts.operations),
            "schemas": len(schemas) if isinstance(schemas, dict) else 0,
            "examples": count_examples(self.document),
        }

    def as_report(self) -> dict[str, Any]:
        """The `report` of the import's answer (SPEC, "Import")."""
        report = self.report.as_dict()
        return {"format": report["format"], **self.counts(), **report}


def take_in(raw: bytes, *, media_type: str | None, limits: IntakeLimits = IntakeLimits()) -> Intake:
    """Read, convert, fix and check `raw` (see the module's doc); raises `DocumentRefused`
    (422, nothing to write) or `PayloadTooLarge` (413)."""
    source_document = load_document(
        raw,
        media_type=media_type,
        limits=Limits(max_bytes=limits.max_bytes, max_depth=limits.max_depth),
    )
    source = detect_format(source_document)
    report = Report(format=source.label)
    document = _converted(source, source_document, report)
    # The converters map what they move; the fixes and checks after them speak of the 3.1
    # document, whose pointers are the source's own for OpenAPI input.
    make_lenient_fixes(document, report)
    for problem in validate_openapi31(document):
        report.warn(problem.pointer, problem.message, problem.type)
    parts = split_document(document, report)
    if len(parts.operations) > limits.max_operations:
        message = (
            f"The document holds {len(parts.operations)} operations; an import takes at most "
            f"{limits.max_operations} (IMPORT_MAX_OPERATIONS)"
        )
        raise DocumentRefused([Problem(pointer("paths"), message, "document.operations")])
    return Intake(source=source, document=document, parts=parts, report=report)


def _converted(source: SourceFormat, document: dict[str, Any], report: Report) -> dict[str, Any]:
    if source.family == "postman":
        return convert_postman(document, report)
    # references are checked on the document as sent, so that their pointers are the user's
    check_references(document, source.family, report)
    if source.family == "swagger":
        return convert_swagger2(document, report)
    if source.version.startswith("3.0"):
        # the loaded document is this import's own: converted in place, not copied
        return convert_openapi30(document, report, in_place=True)
    return document
