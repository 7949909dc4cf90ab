"""The answer of an import: the app, and the report of what was changed or not carried."""

from __future__ import annotations

from apidock.apps.schemas import AppRead
from apidock.schemas import ApiModel


class ReportEntry(ApiModel):
    pointer: str
    message: str


class ImportReport(ApiModel):
    format: str
    operations: int
    schemas: int
    examples: int
    warnings: list[ReportEntry]
    lost: list[ReportEntry]


class ImportRead(ApiModel):
    app: AppRead
    report: ImportReport
