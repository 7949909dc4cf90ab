"""The database layer: models' base and column types, the engine, transactions, statements."""

from apidock.db.base import (
    NAMING_CONVENTION,
    AnySelect,
    Base,
    EncodedJSON,
    TimestampMixin,
    UTCDateTime,
    case_sensitive_string,
    utcnow,
)
from apidock.db.core import (
    HOT_STATEMENTS,
    ConnectionRunner,
    CoreRunner,
    CoreStatements,
    DriverRunner,
    hot_statement,
)
from apidock.db.engine import Database, create_engine, transaction

__all__ = [
    "HOT_STATEMENTS",
    "NAMING_CONVENTION",
    "AnySelect",
    "Base",
    "ConnectionRunner",
    "CoreRunner",
    "CoreStatements",
    "Database",
    "DriverRunner",
    "EncodedJSON",
    "TimestampMixin",
    "UTCDateTime",
    "case_sensitive_string",
    "create_engine",
    "hot_statement",
    "transaction",
    "utcnow",
]
