"""Domain errors, and the one handler that turns every failure into the envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import asyncpg.exceptions as asyncpg_errors
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from apidock.schemas import ErrorEnvelope, ValidationErrorEnvelope

logger = logging.getLogger("apidock")


class ApiError(Exception):
    """A failure the client is told about, with its HTTP status."""

    status_code = 500
    message = "Internal server error"
    # True when the request's writes must stand although it fails (a revocation, say)
    keep_changes = False

    def __init__(
        self,
        message: str | None = None,
        *,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.data = data
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(ApiError):
    status_code = 400
    message = "Malformed request"


class Unauthorized(ApiError):
    status_code = 401
    message = "Not authenticated"

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(ApiError):
    status_code = 403
    message = "Not permitted"


class NotFound(ApiError):
    status_code = 404
    message = "Not found"


class Conflict(ApiError):
    status_code = 409
    message = "Conflict"


class RequestTimeout(ApiError):
    status_code = 408
    message = "Request body not received in time"


class PayloadTooLarge(ApiError):
    status_code = 413
    message = "Request body too large"


class Unprocessable(ApiError):
    status_code = 422
    message = "Validation failed"


class TooManyRequests(ApiError):
    status_code = 429
    message = "Too many requests"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


RETRY_UNAVAILABLE_AFTER = "5"  # seconds a client waits after a 503


class ServiceUnavailable(ApiError):
    status_code = 503
    message = "Database unavailable"

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", RETRY_UNAVAILABLE_AFTER)


class StoreUnavailable(ServiceUnavailable):
    """The shared store (`REDIS_URL`) cannot be reached: what needs it cannot be done."""

    message = "Shared store unavailable"


_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "Not authenticated",
    403: "Not permitted",
    404: "Not found",
    409: "Conflict: duplicate, or still referenced",
    413: "Request body too large",
    422: "Validation failed; `data` lists the fields",
    429: "Too many requests; see `Retry-After`",
    503: "Database or shared store unavailable",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can give."""
    return {
        code: {
            "model": ValidationErrorEnvelope if code == 422 else ErrorEnvelope,
            "description": _DESCRIPTIONS[code],
        }
        for code in codes
    }


# Every route can meet these: a body too large, a database that is down, a server fault.
COMMON_ERROR_RESPONSES = error_responses(413, 503) | {
    500: {"model": ErrorEnvelope, "description": "Internal server error"}
}


def _envelope(
    status_code: int, message: str, data: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = ErrorEnvelope(message=message, data=data).model_dump(mode="json")
    return JSONResponse(body, status_code=status_code, headers=headers)


def _field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in item["loc"]),
            "message": str(item["msg"]),
            "type": str(item["type"]),
        }
        for item in error.errors()
    ]


def _causes(error: BaseException) -> list[BaseException]:
    """`error`, the driver's error it wraps, and what caused that, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return chain


def _is_unstorable_value(error: BaseException) -> bool:
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


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """The methods some route answers on the request's path, for the `Allow` header of a 405."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


_ASYNCPG_UNAVAILABLE = (
    asyncpg_errors.PostgresConnectionError,
    asyncpg_errors.InsufficientResourcesError,
    asyncpg_errors.OperatorInterventionError,
    asyncpg_errors.InterfaceError,
)


def _is_unavailable(error: BaseException) -> bool:
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


async def handle_error(request: Request, error: Exception) -> JSONResponse:
    """The one place where a failure becomes the envelope with its status."""
    if isinstance(error, ApiError):
        return _envelope(error.status_code, error.message, error.data, error.headers)
    if isinstance(error, RequestValidationError):
        if any(item["type"] == "json_invalid" for item in error.errors()):
            return _envelope(400, "Malformed JSON body")
        return _envelope(422, "Validation failed", _field_errors(error))
    if isinstance(error, StarletteHTTPException):
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names only the first route's methods; a path has a route per method
            headers["Allow"] = _allowed_methods(request)
        return _envelope(error.status_code, str(error.detail), headers=headers)
    if isinstance(error, sa_exc.IntegrityError):
        return _envelope(409, "Conflict: duplicate, or still referenced")
    if _is_unstorable_value(error):
        return _envelope(
            422,
            "Validation failed",
            [
                {
                    "field": "request",
                    "message": "a value cannot be stored: a NUL character, or out of range",
                    "type": "value_error",
                }
            ],
        )
    if _is_unavailable(error):
        logger.warning("database unavailable: %s", type(error).__name__)
        return _envelope(
            503, ServiceUnavailable.message, headers={"Retry-After": RETRY_UNAVAILABLE_AFTER}
        )
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _envelope(500, ApiError.message)


def install_error_handler(app: FastAPI) -> None:
    """Route every kind of failure to `handle_error`."""
    for kind in (
        ApiError,
        RequestValidationError,
        StarletteHTTPException,
        sa_exc.SQLAlchemyError,
        OSError,
        Exception,
    ):
        app.add_exception_handler(kind, handle_error)
