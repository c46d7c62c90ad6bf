"""What every write operation of the API shares: its headers and its error responses."""

from typing import Annotated, Any

from fastapi import Header

from app.schemas import ErrorOut

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No API key, or not a valid one."},
    403: {"model": ErrorOut, "description": "The key may not write this."},
    409: {"model": ErrorOut, "description": "A request with this Idempotency-Key is running."},
    422: {"model": ErrorOut, "description": "The input is invalid; `errors` names each field."},
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Any unique string (a UUID): a retried request with the same key and body "
        "is answered as the first was, without writing again.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(max_length=100, description="The ETag of the version the change starts from."),
]


def merge_patch(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A JSON merge patch (RFC 7396) at the top level: the fields sent replace the current
    ones, and a field sent as null is removed."""
    merged = {**current, **changes}
    return {name: value for name, value in merged.items() if value is not None}
