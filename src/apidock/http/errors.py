"""The one handler that turns every failure into the envelope, and its OpenAPI responses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from apidock.db.errors import is_integrity_error, is_unavailable, is_unstorable_value
from apidock.errors import RETRY_UNAVAILABLE_AFTER, ApiError, ServiceUnavailable
from apidock.schemas import ErrorEnvelope, ValidationErrorEnvelope

logger = logging.getLogger("apidock")

_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "Not authenticated",
    403: "Not permitted",
    404: "Not found",
    409: "Conflict: duplicate, or still referenced",
    413: "Request body too large",
    415: "Unsupported media type",
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


JSON_CONTENT_TYPE_HINT = (
    "Validation failed: the body was not read as JSON; send it with the header "
    "`Content-Type: application/json`"
)


def _json_body_sent_as_another_type(request: Request, error: RequestValidationError) -> bool:
    """Whether a route that reads a JSON object got a body of another media type (or none
    named), which FastAPI hands on unparsed: the whole body refused, as text."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return False
    return any(
        tuple(item["loc"]) == ("body",) and isinstance(item.get("input"), str | bytes)
        for item in error.errors()
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


async def handle_error(request: Request, error: Exception) -> JSONResponse:
    """The one place where a failure becomes the envelope with its status."""
    if isinstance(error, ApiError):
        return _envelope(error.status_code, error.message, error.data, error.headers)
    if isinstance(error, RequestValidationError):
        if any(item["type"] == "json_invalid" for item in error.errors()):
            return _envelope(400, "Malformed JSON body")
        if _json_body_sent_as_another_type(request, error):
            return _envelope(422, JSON_CONTENT_TYPE_HINT, _field_errors(error))
        return _envelope(422, "Validation failed", _field_errors(error))
    if isinstance(error, StarletteHTTPException):
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names only the first route's methods; a path has a route per method
            headers["Allow"] = _allowed_methods(request)
        return _envelope(error.status_code, str(error.detail), headers=headers)
    if is_integrity_error(error):
        return _envelope(409, "Conflict: duplicate, or still referenced")
    if is_unstorable_value(error):
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
    if is_unavailable(error):
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
