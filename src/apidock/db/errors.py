"""What a database failure means, whichever driver raised it: the only place that inspects
a driver's exceptions (asyncpg's, and SQLAlchemy's wrapping of aiomysql's and sqlite3's)."""

from __future__ import annotations

import asyncpg.exceptions as asyncpg_errors
from sqlalchemy import exc as sa_exc


def _causes(error: BaseException) -> list[BaseException]:
    """`error`, the driver's error it wraps, and what caused that, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return chain


def is_integrity_error(error: BaseException) -> bool:
    """True when a constraint refused the write: a duplicate, or a row still referenced."""
    return isinstance(error, sa_exc.IntegrityError)


def is_unstorable_value(error: BaseException) -> bool:
    """True when the database refused a value of the request rather than failed.

    PostgreSQL says so with an SQLSTATE of class 22 (a NUL character in text, a number out of
    range); asyncpg refuses an argument it cannot encode with a `ValueError`; MySQL's driver
    raises `DataError`. Validation bounds every field it knows of; this catches the rest.
    """
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if isinstance(error, sa_exc.DataError):
        return True
    return any(
        str(getattr(cause, "sqlstate", "") or "").startswith("22") or isinstance(cause, ValueError)
        for cause in _causes(error)[1:]
    )


_ASYNCPG_UNAVAILABLE = (
    asyncpg_errors.PostgresConnectionError,
    asyncpg_errors.InsufficientResourcesError,
    asyncpg_errors.OperatorInterventionError,
    asyncpg_errors.InterfaceError,
)


def is_unavailable(error: BaseException) -> bool:
    """True when the database cannot be reached (each driver says so differently).

    The driver's own error is looked for under SQLAlchemy's: a connection lost in the middle
    of a statement comes as a plain `DBAPIError` wrapping asyncpg's error.
    """
    current: BaseException | None = error
    for _ in range(5):
        if current is None:
            return False
        if isinstance(current, sa_exc.TimeoutError | sa_exc.DisconnectionError):
            return True
        if isinstance(current, sa_exc.DBAPIError) and (
            current.connection_invalidated
            or isinstance(current, sa_exc.OperationalError | sa_exc.InterfaceError)
        ):
            return True
        # asyncpg, straight or wrapped: lost connection, too many connections, shutting down
        if isinstance(current, (OSError, TimeoutError, *_ASYNCPG_UNAVAILABLE)):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False
