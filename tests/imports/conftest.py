"""Users of each seeded role, with their bearer headers."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.users.models import User
from tests.factories import bearer, create_user


@pytest.fixture
async def admin(session: AsyncSession, settings: Settings) -> User:
    return await create_user(session, settings, role="Administrator")


@pytest.fixture
async def developer(session: AsyncSession, settings: Settings) -> User:
    return await create_user(session, settings, role="Developer")


@pytest.fixture
async def reader(session: AsyncSession, settings: Settings) -> User:
    return await create_user(session, settings, role="User")


@pytest.fixture
def admin_auth(app: FastAPI, admin: User) -> dict[str, str]:
    return bearer(app, admin)


@pytest.fixture
def dev_auth(app: FastAPI, developer: User) -> dict[str, str]:
    return bearer(app, developer)


@pytest.fixture
def reader_auth(app: FastAPI, reader: User) -> dict[str, str]:
    return bearer(app, reader)
