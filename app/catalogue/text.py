"""Matching typed text in queries."""

from typing import Any

from sqlalchemy import ColumnElement, func


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; ``%`` and ``_`` in ``text`` match literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
