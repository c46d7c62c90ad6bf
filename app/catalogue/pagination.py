"""Keyset pagination with an opaque cursor.

A cursor encodes the sort value and id of the last row of a page; the next page starts
strictly after it, so pages never overlap or skip rows even while records are added.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import InvalidParameter
from app.i18n import gettext

# The most items one page of any list holds, for the pages and the API alike.
MAX_PAGE_SIZE = 200


def page_limit(default: int) -> Any:
    """The ``limit`` field of a list query: items per page, 1 to ``MAX_PAGE_SIZE``."""
    return Field(
        default=default,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page (1–{MAX_PAGE_SIZE}).",
    )


def page_cursor() -> Any:
    """The ``cursor`` field of a list query: where the previous page ended."""
    return Field(default=None, max_length=500, description="`next_cursor` of the previous page.")


@dataclass(frozen=True)
class SortKey:
    """One sort order: an SQL expression (whose values JSON can carry) and its direction."""

    expression: Any  # an SQL expression (column or function)
    descending: bool = False


def encode_cursor(value: Any, ident: int) -> str:
    raw = json.dumps([value, ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invalid_cursor() -> InvalidParameter:
    return InvalidParameter(
        "cursor",
        gettext("is not a cursor this server issued; use next_cursor from a previous page"),
    )


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, ident = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(ident, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise invalid_cursor() from exc
    return value, ident


@dataclass(frozen=True)
class Slice:
    """One page of rows, how many rows match in all, and the cursor of the next page."""

    rows: list[Any]
    total: int
    next_cursor: str | None


def paginate(
    session: Session,
    statement: SelectOfScalar[Any],
    *,
    id_column: Any,
    sort: SortKey,
    limit: int,
    cursor: str | None,
) -> Slice:
    """Return one page of ``statement``, the total count and the next cursor.

    ``statement`` selects one model (joined to what ``sort`` needs, if anything); the page
    query adds the sort value to it.
    """
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    paged = statement.add_columns(sort.expression)
    if cursor:
        value, ident = decode_cursor(cursor)
        if sort.descending:
            after = or_(sort.expression < value, and_(sort.expression == value, id_column < ident))
        else:
            after = or_(sort.expression > value, and_(sort.expression == value, id_column > ident))
        paged = paged.where(after)
    order = (
        (sort.expression.desc(), id_column.desc())
        if sort.descending
        else (sort.expression, id_column)
    )
    rows = session.execute(paged.order_by(*order).limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last[-1], int(last[0].id))
    return Slice([row[0] for row in rows[:limit]], total, next_cursor)
