"""Exceptions that carry their meaning and HTTP status; the apps render them in one place."""

from __future__ import annotations


class ApplianceError(Exception):
    """Base error: ``status`` is the HTTP status at the edge, ``code`` a stable short name."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str = "", *, detail: dict | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.detail = detail or {}


class BadRequest(ApplianceError):
    """The request is malformed."""

    status = 400
    code = "bad_request"


class Unauthorized(ApplianceError):
    """Authentication is required."""

    status = 401
    code = "unauthorized"


class Forbidden(ApplianceError):
    """You are not allowed to do this."""

    status = 403
    code = "forbidden"


class NotFound(ApplianceError):
    """Not found."""

    status = 404
    code = "not_found"


class Conflict(ApplianceError):
    """The request conflicts with the current state."""

    status = 409
    code = "conflict"


class RequestTimeout(ApplianceError):
    """The request body did not arrive in time."""

    status = 408
    code = "request_timeout"


class PayloadTooLarge(ApplianceError):
    """The request body is too large."""

    status = 413
    code = "payload_too_large"


class TooManyRequests(ApplianceError):
    """Too many requests; slow down."""

    status = 429
    code = "too_many_requests"


class ServiceUnavailable(ApplianceError):
    """A service the request needs is not available."""

    status = 503
    code = "service_unavailable"
