"""The declarative base and the portable column types every domain's models use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, MetaData, Select, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A SELECT of any columns (SQLAlchemy 2.1 types a Select by its column types).
AnySelect = Select[*tuple[Any, ...]]


class EncodedJSON(str):
    """JSON text encoded already (off the event loop, say): a JSON column stores it as it is.

    A large value (an imported description's components) costs its `json.dumps` when it is
    written; encoded in the process that read it, the event loop only passes the text on.
    """


def encode_json(value: Any) -> str:
    """The engine's JSON serializer: `EncodedJSON` as it is, anything else `json.dumps`."""
    if isinstance(value, EncodedJSON):
        return str.__str__(value)
    return json.dumps(value)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, in whole seconds.

    Whole seconds because MySQL's and MariaDB's `DATETIME` (the original's columns) keep no
    fraction: a timestamp reads back the same on every database as it was first answered.
    """
    return datetime.now(UTC).replace(microsecond=0)


class UTCDateTime(TypeDecorator[datetime]):
    """A naive UTC `DATETIME` in the database (as the original stored it), aware UTC in Python."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def case_sensitive_string(length: int) -> String:
    """A `VARCHAR` compared byte for byte everywhere (MariaDB's default collation folds case)."""
    return String(length).with_variant(String(length, collation="utf8mb4_bin"), "mysql", "mariadb")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TimestampMixin:
    """`created_at`, `updated_at` and `deleted_at` (soft delete), as on the original's tables."""

    created_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
