"""JSON Web Tokens: issue and verify access and refresh tokens (PyJWT, HMAC only).

The algorithm comes from the settings, never from the token. Every claim below is required;
`type` keeps access and refresh tokens apart, `ver` is the user's token version (moved on
password change, block, delete and role change), `fam` the refresh family of the login.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

from apidock.config import Settings
from apidock.db import utcnow
from apidock.errors import Unauthorized
from apidock.schemas import MAX_ID

MAX_TOKEN_LENGTH = 4096
VERIFIED_TOKENS_KEPT = 4096
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "jti", "iss", "type", "ver", "fam"]


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The verified claims of a token."""

    user_id: int
    jti: str
    type: TokenType
    version: int
    family_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: TokenClaims


def new_family_id() -> str:
    return secrets.token_hex(16)


class TokenCodec:
    """Signs and verifies tokens with the configured secret, algorithm and issuer."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self.lifetimes = {
            TokenType.ACCESS: timedelta(minutes=settings.jwt_ttl),
            TokenType.REFRESH: timedelta(minutes=settings.jwt_refresh_ttl),
        }
        # token -> (claims, not before, expiry): a client sends one token many times, and
        # checking its signature again would give the same answer; the times are checked
        # on every use, and whether it was revoked is the database's to say
        self._verified: dict[str, tuple[TokenClaims, float, float]] = {}

    def issue(
        self, *, user_id: int, version: int, token_type: TokenType, family_id: str
    ) -> IssuedToken:
        """A new signed token of `token_type` for the user."""
        now = utcnow()
        expires_at = now + self.lifetimes[token_type]
        jti = secrets.token_hex(16)
        payload = {
            "iss": self._issuer,
            "sub": str(user_id),
            "iat": now,
            "nbf": now,
            "exp": expires_at,
            "jti": jti,
            "type": token_type.value,
            "ver": version,
            "fam": family_id,
        }
        token = jwt.encode(payload, self._secret, algorithm=self._algorithm)
        claims = TokenClaims(user_id, jti, token_type, version, family_id, expires_at)
        return IssuedToken(token, claims)

    def verify(self, token: str, expected: TokenType) -> TokenClaims:
        """The claims of `token` if it is genuine, current and of the `expected` type."""
        known = self._verified.get(token)
        if known is not None and known[1] <= time.time() < known[2]:
            claims = known[0]
        else:
            claims = self._decode(token)
        if claims.type is not expected:
            raise Unauthorized(f"{expected.value.capitalize()} token required")
        return claims

    def _decode(self, token: str) -> TokenClaims:
        """Check the signature and every claim of `token`, and remember it when genuine."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthorized("Invalid token")
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS, "strict_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("Token expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("Invalid token") from None
        try:
            claims = TokenClaims(
                user_id=_user_id(payload["sub"]),
                jti=_bounded_str(payload["jti"]),
                type=TokenType(payload["type"]),
                version=_int(payload["ver"]),
                family_id=_bounded_str(payload["fam"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=UTC),
            )
            not_before = float(payload["nbf"])
        except (TypeError, ValueError, OverflowError):
            raise Unauthorized("Invalid token") from None
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (claims, not_before, claims.expires_at.timestamp())
        return claims


def _user_id(value: object) -> int:
    if not isinstance(value, str) or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise ValueError("bad subject")
    return int(value)


def _bounded_str(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise ValueError("bad string claim")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("bad integer claim")
    return value
