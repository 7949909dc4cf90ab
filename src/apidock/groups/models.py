"""The `api_groups` table: a tree of groups per app (`pid` 0 at the root, as the original)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from apidock.apps.models import App
from apidock.catalog.cascade import follows
from apidock.db import Base, TimestampMixin

ROOT_PID = 0


class ApiGroup(TimestampMixin, Base):
    __tablename__ = "api_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    pid: Mapped[int] = mapped_column(default=ROOT_PID, index=True)
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))


# an app's groups are deleted with it
follows(ApiGroup.app_id, App)
