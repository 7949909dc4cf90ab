"""Make users and their tokens for tests."""

from __future__ import annotations

import itertools
from functools import cache

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.auth.tokens import TokenCodec, TokenType, new_family_id
from apidock.config import Settings
from apidock.models import Role, User
from apidock.users import service as user_service
from apidock.users.models import UserStatus

DEFAULT_PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@cache
def _hash_of(password: str, memory_cost: int) -> str:
    # computed once per password: cheap settings make it fast, the cache makes it free
    from pwdlib.hashers.argon2 import Argon2Hasher

    return Argon2Hasher(memory_cost=memory_cost, time_cost=1, parallelism=1).hash(password)


def password_hash(settings: Settings, password: str = DEFAULT_PASSWORD) -> str:
    return _hash_of(password, settings.argon2_memory_cost)


async def role_id(session: AsyncSession, title: str) -> int:
    found = await session.scalar(select(Role.id).where(Role.title == title))
    assert found is not None, f"no role {title!r}"
    return found


async def create_user(
    session: AsyncSession,
    settings: Settings,
    *,
    name: str | None = None,
    role: str = "User",
    password: str = DEFAULT_PASSWORD,
    status: UserStatus = UserStatus.NORMAL,
) -> User:
    """A user committed to the test's transaction (visible to requests)."""
    name = name or f"user{next(_numbers)}"
    user = User(
        name=name,
        name_key=user_service.name_key(name),
        password_hash=password_hash(settings, password),
        role_id=await role_id(session, role),
        status=int(status),
    )
    session.add(user)
    await session.commit()
    return user


def bearer(app: FastAPI, user: User, *, token_type: TokenType = TokenType.ACCESS) -> dict[str, str]:
    """An `Authorization` header with a fresh token for `user` (no refresh row is stored)."""
    codec: TokenCodec = app.state.token_codec
    issued = codec.issue(
        user_id=user.id,
        version=user.token_version,
        token_type=token_type,
        family_id=new_family_id(),
    )
    return {"Authorization": f"Bearer {issued.token}"}


async def signed_in(app: FastAPI, settings: Settings, role: str) -> dict[str, str]:
    """The `Authorization` header of a new user of `role`, written in a transaction of the
    application's own database (a live application's, whose requests see only what commits)."""
    async with app.state.database.transaction() as session:
        user = await create_user(session, settings, role=role)
    return bearer(app, user)


__all__ = ["DEFAULT_PASSWORD", "bearer", "create_user", "password_hash", "role_id"]
