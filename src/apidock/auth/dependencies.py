"""Who is calling: the bearer token, the signed-in principal, and permission checks.

Every dependency is `async def`, even when it awaits nothing: FastAPI runs a plain `def`
dependency in a worker thread, a thread hand-off on every request.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from apidock import policy
from apidock.auth import service
from apidock.auth.limiter import LoginLimiter
from apidock.auth.passwords import PasswordHasher
from apidock.auth.schemas import LoginIn, Principal
from apidock.auth.tokens import TokenClaims, TokenCodec, TokenType
from apidock.db import CoreRunner
from apidock.errors import Unauthorized
from apidock.http.dependencies import ClientAddress, CoreDep, WorkDep
from apidock.http.request_log import name_caller
from apidock.permissions import Permission

# auto_error=False: a missing token is answered by the error handler, in the envelope.
bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/token", auto_error=False)


async def get_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.token_codec
    return codec


async def get_hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


async def get_limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


CodecDep = Annotated[TokenCodec, Depends(get_codec)]
HasherDep = Annotated[PasswordHasher, Depends(get_hasher)]
LimiterDep = Annotated[LoginLimiter, Depends(get_limiter)]

# Checks a name and password, and opens a token family (`service.login`).
SignIn = Callable[[LoginIn], Awaitable[service.SignedIn]]


async def sign_in_here(
    core: CoreDep, address: ClientAddress, hasher: HasherDep, codec: CodecDep, limiter: LimiterDep
) -> SignIn:
    """Signing in from this request's address: the JSON login and the OAuth2 form share it."""

    async def sign_in(credentials: LoginIn) -> service.SignedIn:
        return await service.login(
            core,
            name=credentials.name,
            password=credentials.password,
            address=address,
            hasher=hasher,
            codec=codec,
            limiter=limiter,
        )

    return sign_in


SignInDep = Annotated[SignIn, Depends(sign_in_here)]


def _claims(token: str | None, codec: TokenCodec, expected: TokenType) -> TokenClaims:
    if not token:
        raise Unauthorized()
    return codec.verify(token, expected)


async def access_claims(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> TokenClaims:
    """The verified claims of the bearer access token (on every request: one dependency less)."""
    return _claims(token, request.app.state.token_codec, TokenType.ACCESS)


async def refresh_claims(
    codec: CodecDep, token: Annotated[str | None, Depends(bearer)]
) -> TokenClaims:
    """The verified claims of the bearer refresh token."""
    return _claims(token, codec, TokenType.REFRESH)


AccessClaims = Annotated[TokenClaims, Depends(access_claims)]


@dataclass(frozen=True, slots=True)
class HotAccess:
    """The verified access claims and the Core runner, for the hottest reads."""

    claims: TokenClaims
    core: CoreRunner


async def hot_access(request: Request, core: CoreDep) -> HotAccess:
    """`AccessClaims` and `CoreDep` in one dependency, the bearer token read from the header.

    FastAPI spends more CPU solving a dependency tree (the security scheme's above all) than
    the hottest read spends on its statement, so `GET /users/{id}` takes its caller in one
    step. Routes using it declare `HOT_SECURITY`, so that /docs shows the bearer requirement
    `Depends(bearer)` would have added.
    """
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    bearer_token = token if scheme.lower() == "bearer" else None
    codec: TokenCodec = request.app.state.token_codec
    claims = _claims(bearer_token, codec, TokenType.ACCESS)
    # the hot read checks the caller in its one statement: a caller it refuses gets a 401,
    # whose log line names no user
    name_caller(request.scope, claims.user_id)
    return HotAccess(claims, core)


HotAccessDep = Annotated[HotAccess, Depends(hot_access)]
# What `Depends(bearer)` would add to a route's OpenAPI operation.
HOT_SECURITY: dict[str, Any] = {"security": [{"OAuth2PasswordBearer": []}]}
RefreshClaims = Annotated[TokenClaims, Depends(refresh_claims)]


async def current_user(request: Request, work: WorkDep, claims: AccessClaims) -> Principal:
    """The signed-in caller, checked against the database in one query on every request; the
    actor of the request's unit of work from then on."""
    principal = await service.load_principal(
        work.session, claims=claims, root_name=request.app.state.settings.app_root_admin
    )
    work.actor_id = principal.id
    name_caller(request.scope, principal.id)
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def all_of(permissions: Iterable[Permission]) -> Permission:
    """The flags of every permission given, as one `Permission` (what a route's gate needs)."""
    return functools.reduce(operator.or_, permissions, Permission(0))


def require(*permissions: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through only when their role holds every permission
    (`policy.need`: the one rule the services ask too)."""
    needed = all_of(permissions)

    async def check_permissions(user: CurrentUser) -> Principal:
        policy.need(user, needed, root_holds_all=False)
        return user

    check_permissions.permissions = needed  # type: ignore[attr-defined]
    return check_permissions
