"""The `apps` table: an application whose HTTP API is documented.

Beside the original's columns, an app holds the app-level parts of its OpenAPI 3.1
description (SPEC, "The description model"), each a JSON column kept as written (key order
included: JSON, never PostgreSQL's JSONB, which reorders keys). They are null for an app made
through the original's routes, whose export is built from its rows as before.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from sqlalchemy import JSON, Boolean, SmallInteger, String, Text, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from apidock.db import Base, TimestampMixin
from apidock.revisions.models import Release


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
    # The Info Object as the document gave it; `title`, `version` and `description` are also
    # the columns above (the catalog's copy: a title made unique on import differs from it).
    info: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    servers: Mapped[list[Any] | None] = mapped_column(JSON)
    # null: no top-level requirement; []: explicitly none
    security: Mapped[list[Any] | None] = mapped_column(JSON)
    tags: Mapped[list[Any] | None] = mapped_column(JSON)
    external_docs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    webhooks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    components: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    json_schema_dialect: Mapped[str | None] = mapped_column(Text)
    # the document's own top-level `x-` keys
    extensions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Path Items without their operations (summary, description, servers, parameters, `x-`,
    # a `$ref`), by template, in the document's order: the order of `paths` in the export
    paths: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the mock server (`apidock.mock`): open to anyone without a key; every request validated
    mock_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    mock_strict: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # the version of the app's latest release (`apidock.revisions`), None before its first;
    # read with the row, kept through a flush (a new app's is not loaded: it has none)
    latest_release: Mapped[str | None] = column_property(
        select(Release.version)
        .where(Release.app_id == id)
        .order_by(Release.id.desc())
        .limit(1)
        .scalar_subquery(),
        expire_on_flush=False,
    )
