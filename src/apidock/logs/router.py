"""Routes of the audit log: `/logs`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import AfterValidator, BeforeValidator

from apidock.auth.dependencies import CurrentUser, require
from apidock.auth.schemas import Principal
from apidock.db.pages import paginate
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.logs import service
from apidock.logs.schemas import LogCreate, LogPage, LogRead
from apidock.permissions import Permission
from apidock.schemas import Envelope, Id

router = APIRouter(prefix="/logs", tags=["logs"])

# RFC 3339, as OpenAPI's `date-time` says: pydantic alone would also read `0.5` as a Unix time
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _rfc3339_text(value: object) -> object:
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("a time such as 2024-01-01T00:00:00Z, with its timezone")
    return value


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


Moment = Annotated[datetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_utc)]

LogReader = Annotated[Principal, Depends(require(Permission.READ_LOGS))]


@router.get("", responses=error_responses(401, 403, 422))
async def list_logs(
    _: LogReader,
    session: SessionDep,
    page: PageDep,
    user_id: Annotated[Id | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=256)] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[Id | None, Query()] = None,
    since: Annotated[Moment | None, Query(description="From this time on (inclusive)")] = None,
    until: Annotated[Moment | None, Query(description="Before this time")] = None,
) -> Envelope[LogPage]:
    """List audit rows, newest first, by user, action, target and time. Requires: read_logs."""
    statement = service.search(
        user_id=user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
    )
    rows, meta = await paginate(session, statement, page)
    return Envelope(data=LogPage.model_validate(meta | {"logs": rows}))


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 401, 422))
async def create_log(_: CurrentUser, body: LogCreate, work: WorkDep) -> Envelope[LogRead]:
    """Record an event of the signed-in client, as `client.<action>`. Requires: signed in."""
    log = await service.create(work, log_in=body)
    return Envelope(message="Event recorded.", data=LogRead.model_validate(log))
