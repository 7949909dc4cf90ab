"""Request and response models of authentication, and the signed-in principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from apidock.schemas import ApiModel, RequestModel

PASSWORD_MAX_LENGTH = 128


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, as the one authentication query found them."""

    id: int
    name: str
    role_id: int | None
    permissions: int
    is_root: bool


class LoginIn(RequestModel):
    name: str = Field(min_length=1, max_length=100, examples=["sysop"])
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)


class UserBrief(ApiModel):
    id: int
    name: str


class TokenPair(ApiModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type)
    expires_in: int = Field(description="Seconds until the access token expires")


class LoginOut(TokenPair):
    user: UserBrief


class OAuth2Token(TokenPair):
    """The standard OAuth2 token answer (not enveloped), for Swagger UI's Authorize button."""
