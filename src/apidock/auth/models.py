"""Revoked access tokens and stored refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from apidock.db import Base, utcnow


class RevokedToken(Base):
    """An access token revoked before its expiry; purged once it has expired."""

    # the original's table name, kept so its databases carry over
    __tablename__ = "revoked_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    token_type: Mapped[str] = mapped_column(String(10), default="access")
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RefreshToken(Base):
    """A refresh token, stored as a hash, in a family that starts at one login."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # set when the token was exchanged for a new pair; presenting it again is reuse
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
