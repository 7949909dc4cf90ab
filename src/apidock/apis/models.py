"""The `apis`, `api_responses` and `api_examples` tables."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apidock.apps.models import App
from apidock.catalog.cascade import follows
from apidock.db import Base, TimestampMixin
from apidock.groups.models import ApiGroup


class ApiStatus(IntEnum):
    DEVELOPING = 1
    RELEASED = 2
    DEPRECATED = 3


class Api(TimestampMixin, Base):
    __tablename__ = "apis"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("api_groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    request_url: Mapped[str] = mapped_column(String(256))
    request_method: Mapped[str] = mapped_column(String(10))
    # a JSON list of {name, required, description, example}; TEXT as in the original
    request_header: Mapped[str | None] = mapped_column(Text)
    need_auth: Mapped[bool | None]
    status: Mapped[int | None] = mapped_column(SmallInteger)
    # The whole OpenAPI Operation Object, as written, for an API imported or described in
    # OpenAPI; null for one made through the original's routes (exported from its rows).
    operation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # True while the rows of `api_responses` and `api_examples` are not yet the view of the
    # operation (an import leaves them to be built by the first read: `apis.views_lazy`)
    views_stale: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0", index=True
    )


class ApiResponse(TimestampMixin, Base):
    __tablename__ = "api_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_id: Mapped[int | None] = mapped_column(ForeignKey("apis.id"), index=True)
    field: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(256))
    nullable: Mapped[bool | None]
    data_type: Mapped[str] = mapped_column(String(20))


class ApiExample(TimestampMixin, Base):
    __tablename__ = "api_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_id: Mapped[int | None] = mapped_column(ForeignKey("apis.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str | None] = mapped_column(Text)


# an API is deleted with its app or its group, its response fields and examples with it
follows(Api.app_id, App)
follows(Api.group_id, ApiGroup)
follows(ApiResponse.api_id, Api)
follows(ApiExample.api_id, Api)
