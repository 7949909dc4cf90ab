"""Domain errors: plain exceptions with the HTTP status and message each is answered with.

Nothing here knows FastAPI or a database driver: `apidock.http.errors` renders them as the
envelope, and `apidock.db.errors` recognises what a driver's exception means.
"""

from __future__ import annotations

from typing import Any


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


class UnsupportedMediaType(ApiError):
    status_code = 415
    message = "Unsupported media type"


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
