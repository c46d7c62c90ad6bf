"""Errors the domain raises, shared by the JSON API and the pages.

Every JSON error has one shape: ``{"status": 422, "detail": "…", "errors": [{"param", "message",
"allowed"?}]}`` (``errors`` lists per-parameter problems and may be empty).
"""

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any


class AppError(Exception):
    status_code = 400
    headers: Mapping[str, str] | None = None  # sent with it (e.g. WWW-Authenticate)

    def __init__(self, detail: str, errors: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)

    def body(self) -> dict[str, Any]:
        return {"status": self.status_code, "detail": self.detail, "errors": self.errors}


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    """The request clashes with the resource's current state (or a request still running)."""

    status_code = 409


class InvalidParameter(AppError):
    """A query parameter has a value we do not know; says which values are allowed."""

    status_code = 422

    def __init__(self, param: str, message: str, allowed: Sequence[str] | None = None) -> None:
        error: dict[str, Any] = {"param": param, "message": message}
        if allowed is not None:
            error["allowed"] = list(allowed)
        super().__init__(f"{param}: {message}", [error])
        self.param = param
        self.message = message
        self.allowed = list(allowed) if allowed is not None else None


class InvalidBody(AppError):
    """A request that does not validate; ``errors`` names each parameter or body field
    (``app.validation.api_errors`` makes the list)."""

    status_code = 422

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        detail = "; ".join(f"{e['param']}: {e['message']}" for e in errors)
        super().__init__(detail or "invalid request", errors)


class InvalidInput(AppError):
    """Submitted fields that cannot be saved as written; ``fields`` has one message per
    form field (``app.validation.form_errors`` makes it, business checks add theirs)."""

    status_code = 422

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__(
            "; ".join(f"{name}: {message}" for name, message in fields.items()),
            [{"param": name, "message": message} for name, message in fields.items()],
        )
        self.fields = dict(fields)


class Unauthorized(AppError):
    """The API needs a valid key for this (``Authorization: Bearer <key>``)."""

    status_code = 401
    headers: Mapping[str, str] | None = MappingProxyType(
        {"WWW-Authenticate": 'Bearer realm="interlocal"'}
    )


class PreconditionFailed(AppError):
    """``If-Match`` names a version that is no longer current: re-read, then retry."""

    status_code = 412


class PreconditionRequired(AppError):
    """A write that could overwrite someone else's change must say which version it read."""

    status_code = 428


class TooManyRequests(AppError):
    """A client sent more requests than its rate limit allows; ``Retry-After`` says when
    it may send the next."""

    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class ServiceUnavailable(AppError):
    """Something the request needs (the shared rate-limit storage) does not answer just
    now; ``Retry-After`` says when to try again."""

    status_code = 503

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class LoginRequired(AppError):
    """The page needs a signed-in user; pages answer by sending the browser to sign in."""

    status_code = 401


class Forbidden(AppError):
    status_code = 403


class AccountError(InvalidInput):
    """An account or an API key cannot be created or changed as asked; ``fields`` says why,
    per form field (the forms show each next to its field)."""

    @classmethod
    def on(cls, field: str, message: str) -> "AccountError":
        return cls({field: message})

    @property
    def message(self) -> str:
        """Every problem in one line (for the command line)."""
        return " ".join(self.fields.values())
