"""What the routes of runs take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StrictBool

from apidock.schemas import ApiModel, Id, PageMeta, RequestModel

MAX_CASES_A_RUN = 10_000


class RunCreate(RequestModel):
    environment: Id = Field(description="The environment whose base URL is called")
    cases: Annotated[list[Id], Field(max_length=MAX_CASES_A_RUN)] | None = Field(
        default=None, description="The cases to run, in order; absent: every case of the app"
    )
    strict: StrictBool = Field(
        default=False, description="Also flag properties the schemas don't declare"
    )


class RunQueued(ApiModel):
    id: int
    status: str


class RunCounts(ApiModel):
    total: int
    passed: int
    failed: int


class FailureRead(ApiModel):
    check: str
    message: str
    pointer: str | None


class CaseResultRead(ApiModel):
    case: int | None
    api: int | None
    name: str
    passed: bool
    request: dict[str, Any]
    response: dict[str, Any] | None
    duration_ms: float
    failures: list[FailureRead]


class RunSummary(ApiModel):
    id: int
    app_id: int
    environment: int
    status: str
    strict: bool
    counts: RunCounts
    error: str | None
    executed_by: str | None = Field(description='"host:pid" of the process that ran it')
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class RunRead(RunSummary):
    results: list[CaseResultRead]


class RunPage(PageMeta):
    runs: list[RunSummary]
