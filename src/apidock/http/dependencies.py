"""The request's session, unit of work and Core runner, as dependencies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.db.core import CoreRunner
from apidock.db.engine import Database
from apidock.request_logs import REQUEST_ID, chosen_request_id, new_request_id
from apidock.work import UnitOfWork

# Methods that never write: their transaction may start deferred on SQLite.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; its one transaction commits before the response is sent."""
    database: Database = request.app.state.database
    async with database.transaction(write=request.method not in READ_ONLY_METHODS) as session:
        yield session


async def get_core(request: Request) -> CoreRunner:
    """The runner of Core statements for the hottest paths (see `CoreRunner`)."""
    database: Database = request.app.state.database
    return database.core


CoreDep = Annotated[CoreRunner, Depends(get_core)]

# scope="function": the commit runs before the response leaves, so a failed commit is
# answered as an error and never acknowledged as a success.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def client_address(request: Request) -> str:
    """The client's IP address (uvicorn resolves trusted proxy headers before this)."""
    return request.client.host if request.client else "unknown"


async def request_id(request: Request) -> str:
    """The request's id, as its log lines and its answer's `X-Request-ID` give it
    (`apidock.http.request_log`): its `X-Request-ID` when that is a plain token of at most 64
    characters, otherwise one made up (a client's odd header is not stored)."""
    given = REQUEST_ID.get() or chosen_request_id(request.headers.get("x-request-id"))
    return given or new_request_id()


ClientAddress = Annotated[str, Depends(client_address)]
RequestId = Annotated[str, Depends(request_id)]


async def get_work(
    session: SessionDep, address: ClientAddress, request_id: RequestId
) -> UnitOfWork:
    """The request's unit of work; authenticating the caller names its actor."""
    return UnitOfWork(session=session, address=address, request_id=request_id)


WorkDep = Annotated[UnitOfWork, Depends(get_work)]
