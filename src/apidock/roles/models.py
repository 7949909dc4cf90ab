"""The `roles` table: a title, the default flag, a permission bit set and a seed key."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from apidock.db import Base

SEED_KEY_LENGTH = 32


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80), unique=True)
    default: Mapped[bool] = mapped_column(default=False, index=True)
    permissions: Mapped[int] = mapped_column(default=0)
    # which seeded role this is (apidock.permissions.SEEDS), NULL for the others; written only
    # by `apidock deploy` and the migrations, and kept when the role is renamed
    seed_key: Mapped[str | None] = mapped_column(String(SEED_KEY_LENGTH), unique=True)
