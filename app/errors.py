"""Errors the query layer raises, shared by the JSON API and the pages.

Every JSON error has one shape: ``{"status": 422, "detail": "…", "errors": [{"param", "message",
"allowed"?}]}`` (``errors`` lists per-parameter problems and may be empty).
"""

from collections.abc import Sequence
from typing import Any


class AppError(Exception):
    status_code = 400

    def __init__(self, detail: str, errors: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)

    def body(self) -> dict[str, Any]:
        return {"status": self.status_code, "detail": self.detail, "errors": self.errors}


class NotFound(AppError):
    status_code = 404


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
