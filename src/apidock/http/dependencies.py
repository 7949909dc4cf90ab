"""The request's session and Core runner, as dependencies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.db.core import CoreRunner
from apidock.db.engine import Database

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
