"""Small pieces every query module uses."""

from typing import Any

from sqlalchemy import ColumnElement, func

from app.models import Source
from app.schemas import SourceRef


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; ``%`` and ``_`` in ``text`` match literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def source_ref(source: Source | None) -> SourceRef | None:
    return SourceRef.model_validate(source) if source else None
