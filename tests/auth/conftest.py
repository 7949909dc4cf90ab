"""A probe router with a signed-in route and a permission-guarded route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from apidock.auth.dependencies import CurrentUser, require
from apidock.auth.schemas import Principal
from apidock.permissions import Permission
from apidock.schemas import Envelope
from tests.conftest import make_client

probe = APIRouter(prefix="/probe")


@probe.get("/me")
async def me(user: CurrentUser) -> Envelope[int]:
    return Envelope(data=user.id)


@probe.get("/logs")
async def logs(
    user: Annotated[Principal, Depends(require(Permission.READ_LOGS, Permission.READ_USERS))],
) -> Envelope[int]:
    return Envelope(data=user.id)


@pytest.fixture
async def auth_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    app.include_router(probe)
    async with make_client(app) as http:
        yield http
