"""Routes of authentication: login, the OAuth2 token endpoint, refresh and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import ValidationError

from apidock.auth import service
from apidock.auth.dependencies import (
    AccessClaims,
    CodecDep,
    RefreshClaims,
    SignInDep,
    current_user,
)
from apidock.auth.schemas import LoginIn, LoginOut, OAuth2Token, TokenPair
from apidock.errors import Unauthorized
from apidock.http.dependencies import SessionDep
from apidock.http.errors import error_responses
from apidock.schemas import Envelope

# Token answers stay out of caches through SecurityHeaders (no-store on every API answer).
router = APIRouter(tags=["auth"])


def _pair(signed_in: service.SignedIn, codec: CodecDep) -> dict[str, object]:
    lifetime = codec.lifetimes[signed_in.access.claims.type]
    return {
        "access_token": signed_in.access.token,
        "refresh_token": signed_in.refresh.token,
        "token_type": "bearer",
        "expires_in": int(lifetime.total_seconds()),
    }


@router.post("/login", responses=error_responses(400, 401, 422, 429))
async def login(body: LoginIn, sign_in: SignInDep, codec: CodecDep) -> Envelope[LoginOut]:
    """Sign in with a name and password; answers an access and a refresh token."""
    signed_in = await sign_in(body)
    data = LoginOut.model_validate(_pair(signed_in, codec) | {"user": signed_in.user})
    return Envelope(message="Successfully logged in.", data=data)


@router.post("/token", responses=error_responses(400, 401, 422, 429))
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], sign_in: SignInDep, codec: CodecDep
) -> OAuth2Token:
    """OAuth2 password flow (form fields `username`, `password`), as Swagger UI's Authorize uses."""
    # The form is not a JSON body: its fields meet the same bounds (lengths, no NUL) here,
    # and a form outside them is a failed login.
    try:
        credentials = LoginIn(name=form.username, password=form.password)
    except ValidationError:
        raise Unauthorized(service.INVALID_CREDENTIALS) from None
    signed_in = await sign_in(credentials)
    return OAuth2Token.model_validate(_pair(signed_in, codec))


@router.post("/token/refresh", responses=error_responses(401))
async def refresh(
    claims: RefreshClaims, session: SessionDep, codec: CodecDep
) -> Envelope[TokenPair]:
    """Exchange a refresh token (as the bearer) for a new pair; the old one is retired."""
    signed_in = await service.refresh(session, claims=claims, codec=codec)
    return Envelope(
        message="Token refreshed.", data=TokenPair.model_validate(_pair(signed_in, codec))
    )


@router.post("/logout/access", responses=error_responses(401), dependencies=[Depends(current_user)])
async def logout_access(claims: AccessClaims, session: SessionDep) -> Envelope[None]:
    """Revoke the presented access token."""
    await service.revoke_access(session, claims=claims)
    return Envelope(message="Access token revoked.")


@router.post("/logout/refresh", responses=error_responses(401))
async def logout_refresh(claims: RefreshClaims, session: SessionDep) -> Envelope[None]:
    """Revoke the presented refresh token, and every token of its login."""
    await service.logout_refresh(session, claims=claims)
    return Envelope(message="Refresh token revoked.")
