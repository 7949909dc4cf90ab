"""The `users` table."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from apidock.db import Base, TimestampMixin, case_sensitive_string
from apidock.roles.models import Role

NAME_MAX_LENGTH = 20
# NFKC and case folding can lengthen a name (for instance "ß" folds to "ss").
NAME_KEY_MAX_LENGTH = 80
IP_MAX_LENGTH = 45  # the longest textual IPv6 address, with an embedded IPv4 part


class UserStatus(IntEnum):
    NORMAL = 1
    BLOCKED = 2


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        case_sensitive_string(NAME_MAX_LENGTH), unique=True, index=True
    )
    # the name normalised (NFKC, case folded): uniqueness without regard to case
    name_key: Mapped[str] = mapped_column(case_sensitive_string(NAME_KEY_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"), index=True)
    status: Mapped[int] = mapped_column(default=UserStatus.NORMAL, server_default="1")
    # bumped on password change, block, delete and role change: older tokens stop working
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login_at: Mapped[datetime | None]
    last_login_ip: Mapped[str | None] = mapped_column(String(IP_MAX_LENGTH))

    role: Mapped[Role | None] = relationship(lazy="raise")
