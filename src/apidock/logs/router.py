"""Routes of the audit log: `/logs`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from apidock.auth.dependencies import ClientAddress, CurrentUser, require
from apidock.auth.schemas import Principal
from apidock.database import SessionDep
from apidock.exceptions import Unprocessable, error_responses
from apidock.logs import service
from apidock.logs.schemas import LogCreate, LogPage, LogRead
from apidock.pagination import PageDep, paginate
from apidock.permissions import Permission
from apidock.schemas import Envelope

router = APIRouter(prefix="/logs", tags=["logs"])

LogReader = Annotated[Principal, Depends(require(Permission.READ_LOGS))]


@router.get("", responses=error_responses(401, 403, 422))
async def list_logs(
    _: LogReader,
    session: SessionDep,
    page: PageDep,
    user_id: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str | None, Query(max_length=256)] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[int | None, Query(ge=1)] = None,
    since: Annotated[datetime | None, Query(description="From this time on (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time")] = None,
) -> Envelope[LogPage]:
    """List audit rows, newest first, by user, action, target and time. Requires: read_logs."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise Unprocessable(
                "Times need a timezone, such as 2024-01-01T00:00:00Z",
                data=[{"field": f"query.{name}", "message": "no timezone", "type": "value_error"}],
            )
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
async def create_log(
    user: CurrentUser, body: LogCreate, session: SessionDep, address: ClientAddress
) -> Envelope[LogRead]:
    """Record an event of the signed-in client, as `client.<action>`. Requires: signed in."""
    log = await service.create(session, log_in=body, actor_id=user.id, ip=address)
    return Envelope(message="Event recorded.", data=LogRead.model_validate(log))
