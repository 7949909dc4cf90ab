"""The database layer: models' base and column types, the engine, transactions, statements."""

from apidock.db.base import (
    NAMING_CONVENTION,
    AnySelect,
    Base,
    TimestampMixin,
    UTCDateTime,
    case_sensitive_string,
    utcnow,
)
from apidock.db.core import AsyncpgRunner, ConnectionRunner, CoreRunner, CoreStatements
from apidock.db.engine import Database, create_engine, transaction

__all__ = [
    "NAMING_CONVENTION",
    "AnySelect",
    "AsyncpgRunner",
    "Base",
    "ConnectionRunner",
    "CoreRunner",
    "CoreStatements",
    "Database",
    "TimestampMixin",
    "UTCDateTime",
    "case_sensitive_string",
    "create_engine",
    "transaction",
    "utcnow",
]
