"""Authentication: login, refresh rotation with reuse detection, logout, and the caller's state."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase

from apidock.auth.limiter import LoginLimiter
from apidock.auth.models import RefreshToken, RevokedToken
from apidock.auth.passwords import PasswordHasher
from apidock.auth.principal import CALLER_STATEMENT, caller_params, principal_from_row
from apidock.auth.schemas import Principal, UserBrief
from apidock.auth.tokens import IssuedToken, TokenClaims, TokenCodec, TokenType, new_family_id
from apidock.db import CoreRunner, UTCDateTime, hot_statement, utcnow
from apidock.errors import Unauthorized
from apidock.metrics import LOGIN_FAILURES
from apidock.users import service as user_service
from apidock.users.models import User, UserStatus

INVALID_CREDENTIALS = "Invalid name or password"


class RefreshTokenReused(Unauthorized):
    """A retired refresh token came back: its family is revoked, and that must stand."""

    keep_changes = True
    message = "Refresh token reused; every session of this login is revoked"


class SignedIn(NamedTuple):
    """Who signed in, and the pair of tokens they were given."""

    user: UserBrief
    access: IssuedToken
    refresh: IssuedToken


def token_hash(jti: str) -> str:
    """How a refresh token is stored: the SHA-256 of its id, never the token itself."""
    return hashlib.sha256(jti.encode()).hexdigest()


async def load_principal(
    session: AsyncSession, *, claims: TokenClaims, root_name: str
) -> Principal:
    """The caller of an access token, in one query: user, role, revocation and family state."""
    result = await session.execute(CALLER_STATEMENT, caller_params(claims))
    return principal_from_row(result.mappings().one_or_none(), root_name=root_name)


def _issue_pair(
    codec: TokenCodec, *, user_id: int, version: int, family_id: str
) -> tuple[IssuedToken, IssuedToken]:
    access = codec.issue(
        user_id=user_id, version=version, token_type=TokenType.ACCESS, family_id=family_id
    )
    refresh = codec.issue(
        user_id=user_id, version=version, token_type=TokenType.REFRESH, family_id=family_id
    )
    return access, refresh


# Storing a refresh token (bind names differ from the columns', as Core requires).
_STORE_REFRESH_TOKEN = hot_statement(
    "auth.store_refresh_token",
    insert(RefreshToken).values(
        user_id=bindparam("owner_id"),
        family_id=bindparam("family"),
        token_hash=bindparam("stored_hash"),
        created_at=bindparam("issued_at", type_=UTCDateTime()),
        expires_at=bindparam("expiry", type_=UTCDateTime()),
    ),
)


def _stored_refresh_token(refresh: IssuedToken) -> dict[str, Any]:
    claims = refresh.claims
    return {
        "owner_id": claims.user_id,
        "family": claims.family_id,
        "stored_hash": token_hash(claims.jti),
        "issued_at": utcnow(),
        "expiry": claims.expires_at,
    }


# Login runs on Core statements (`CoreRunner`): on PostgreSQL straight on asyncpg, with none
# of the ORM's work per statement. It is the costliest request a client makes after the
# hash, and each of its steps between two awaits holds up every other request.
_SIGN_IN_CANDIDATE = hot_statement(
    "auth.sign_in_candidate",
    select(User.id, User.name, User.password_hash, User.status, User.token_version).where(
        User.name_key == bindparam("account"), User.deleted_at.is_(None)
    ),
)

# The user is still who the hash was checked for: not blocked, deleted or signed out
# everywhere meanwhile. Otherwise nothing is written and the login fails.
_RECORD_SIGN_IN = hot_statement(
    "auth.record_sign_in",
    (
        update(User)
        .where(
            User.id == bindparam("signed_in_id"),
            User.token_version == bindparam("checked_version"),
            User.status == UserStatus.NORMAL,
            User.deleted_at.is_(None),
        )
        .values(
            last_login_at=bindparam("signed_in_at", type_=UTCDateTime()),
            # set here, as the ORM's onupdate would: a hot statement gives every value itself
            updated_at=bindparam("signed_in_at", type_=UTCDateTime()),
            last_login_ip=bindparam("address"),
            # a hash of an old scheme is replaced; otherwise it stays
            password_hash=func.coalesce(bindparam("new_hash", type_=String), User.password_hash),
        )
    ),
)


async def login(
    core: CoreRunner,
    *,
    name: str,
    password: str,
    address: str,
    hasher: PasswordHasher,
    codec: TokenCodec,
    limiter: LoginLimiter,
) -> SignedIn:
    """Check a name and password and open a new token family.

    The attempt is reserved before the hash is verified, and refused with 429 past the limits
    of the name or of the address (`LoginLimiter.attempt`). Unknown, wrong, blocked and
    deleted all answer the same 401 after the same work (a dummy hash is verified when there
    is no user). An old-scheme hash is replaced. One read, then one transaction of two writes.
    """
    account = user_service.name_key(name)
    # read before the attempt is counted: a database that is down answers 503 at no cost
    user = await core.fetch_one(_SIGN_IN_CANDIDATE, {"account": account})
    async with limiter.attempt(account=account, address=address):
        matches, new_hash = await hasher.verify(password, user["password_hash"] if user else None)
        if user is None or not matches or user["status"] != UserStatus.NORMAL:
            LOGIN_FAILURES.inc()
            raise Unauthorized(INVALID_CREDENTIALS)
    access, refresh = _issue_pair(
        codec, user_id=user["id"], version=user["token_version"], family_id=new_family_id()
    )
    async with core.transaction() as statements:
        recorded = await statements.execute(
            _RECORD_SIGN_IN,
            {
                "signed_in_id": user["id"],
                "checked_version": user["token_version"],
                "signed_in_at": utcnow(),
                "address": address[:45],
                "new_hash": new_hash,
            },
        )
        if recorded != 1:
            LOGIN_FAILURES.inc()
            raise Unauthorized(INVALID_CREDENTIALS)
        await statements.execute(_STORE_REFRESH_TOKEN, _stored_refresh_token(refresh))
        await purge_expired_now_and_then(statements.execute)
    return SignedIn(UserBrief(id=user["id"], name=user["name"]), access, refresh)


async def refresh(session: AsyncSession, *, claims: TokenClaims, codec: TokenCodec) -> SignedIn:
    """Exchange a refresh token for a new pair, retiring it in the same statement.

    Of two requests with one token only one can retire it; the other, like any later
    use of a retired token, revokes the whole family.
    """
    now = utcnow()
    stored = token_hash(claims.jti)
    retired = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == stored,
            RefreshToken.user_id == claims.user_id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    if retired.rowcount != 1:  # type: ignore[attr-defined]
        known = await session.scalar(
            select(RefreshToken.id).where(RefreshToken.token_hash == stored)
        )
        if known is None:
            raise Unauthorized("Token revoked or no longer valid")
        await revoke_family(session, family_id=claims.family_id)
        raise RefreshTokenReused()
    user = await session.scalar(
        select(User).where(
            User.id == claims.user_id,
            User.deleted_at.is_(None),
            User.status == UserStatus.NORMAL,
            User.token_version == claims.version,
        )
    )
    if user is None:
        raise Unauthorized("Token revoked or no longer valid")
    access, new_refresh = _issue_pair(
        codec, user_id=user.id, version=user.token_version, family_id=claims.family_id
    )
    await session.execute(_STORE_REFRESH_TOKEN, _stored_refresh_token(new_refresh))
    return SignedIn(UserBrief(id=user.id, name=user.name), access, new_refresh)


async def revoke_family(session: AsyncSession, *, family_id: str) -> None:
    """Revoke every refresh token of a login; access tokens of the family stop working too."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def logout_refresh(session: AsyncSession, *, claims: TokenClaims) -> None:
    """Revoke the presented refresh token's family (a retired token counts as reuse)."""
    current = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(claims.jti))
    )
    if current is None or current.revoked_at is not None:
        raise Unauthorized("Token revoked or no longer valid")
    await revoke_family(session, family_id=claims.family_id)
    if current.rotated_at is not None:
        raise RefreshTokenReused()


async def revoke_access(session: AsyncSession, *, claims: TokenClaims) -> None:
    """Revoke one access token until it expires."""
    session.add(
        RevokedToken(
            jti=claims.jti, token_type=TokenType.ACCESS.value, expires_at=claims.expires_at
        )
    )
    await session.flush()
    await purge_expired_now_and_then(session.execute)


PURGE_INTERVAL = 60.0  # seconds between purges, per process
_next_purge = 0.0

# Expired rows are refused by their expiry already; purging keeps the tables small.
_PURGES = (
    hot_statement(
        "auth.purge_revoked_tokens",
        delete(RevokedToken).where(RevokedToken.expires_at < bindparam("now", type_=UTCDateTime())),
    ),
    hot_statement(
        "auth.purge_refresh_tokens",
        delete(RefreshToken).where(RefreshToken.expires_at < bindparam("now", type_=UTCDateTime())),
    ),
)

# Runs a statement with parameters: `AsyncSession.execute`, or `CoreStatements.execute`.
Execute = Callable[[UpdateBase, Mapping[str, Any]], Awaitable[object]]


async def purge_expired_now_and_then(execute: Execute) -> None:
    """`purge_expired`, at most once per `PURGE_INTERVAL` in this process.

    Doing it on every login would only add two statements to each.
    """
    global _next_purge
    now = time.monotonic()
    if now >= _next_purge:
        _next_purge = now + PURGE_INTERVAL
        await purge_expired(execute)


async def purge_expired(execute: Execute) -> None:
    """Delete revoked-token and refresh-token rows whose tokens have expired."""
    params = {"now": utcnow()}
    for statement in _PURGES:
        await execute(statement, params)
