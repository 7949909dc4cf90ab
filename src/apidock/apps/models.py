"""The `apps` table: an application whose HTTP API is documented."""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apidock.db import Base, TimestampMixin


class AppType(IntEnum):
    WEB = 1
    APP = 2
    PC = 3
    OTHER = 4


class AuthType(IntEnum):
    NONE = 0
    BASIC = 1
    OAUTH2 = 2
    BEARER = 3
    API_KEY = 4


class App(TimestampMixin, Base):
    __tablename__ = "apps"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    version: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[int | None] = mapped_column(SmallInteger)
    auth_type: Mapped[int | None] = mapped_column(SmallInteger)
