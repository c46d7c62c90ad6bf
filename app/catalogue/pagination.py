"""Keyset pagination with an opaque cursor.

A cursor encodes the sort value and id of the last row of a page; the next page starts
strictly after it, so pages never overlap or skip rows even while records are added.
A cursor comes back from the client, so ``decode_cursor`` takes only the shape its list
issues (the kind of sort value, an id in range): anything else is a 422 saying the cursor
is not valid, and never reaches a query.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from annotated_types import Interval, Len
from pydantic import AfterValidator, AllowInfNan, Field, Strict, TypeAdapter, ValidationError
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import InvalidParameter
from app.i18n import gettext
from app.validation import MAX_RECORD_ID, safe_text

# The most items one page of any list holds, for the pages and the API alike.
MAX_PAGE_SIZE = 200

# The longest list an answer holds inside one item (a place's networks, the places within
# it, a practice's adaptations, a facet's values): lists of a catalogue's size are cut
# there, the first by their order, so that no answer grows with the catalogue.
MAX_LISTED = 1000


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


# The kinds of sort value a cursor carries. Strict: JSON's true is no number, 1.5 no
# integer. Integers fit a 64-bit column, numbers are finite and text holds only what text
# may (no NUL, which PostgreSQL refuses, nor lone surrogates).
CursorText = Annotated[str, Strict(), AfterValidator(safe_text)]
CursorInteger = Annotated[int, Strict(), Interval(ge=-(2**63), le=2**63 - 1)]
CursorNumber = Annotated[float, Strict(), AllowInfNan(False)]
# A sort value that names its sort order: ``["title", "Anti-rumour"]``.
NamedValue = Annotated[list[CursorText | CursorInteger | CursorNumber], Len(2, 2)]
CursorId = Annotated[int, Strict(), Interval(ge=1, le=MAX_RECORD_ID)]


@dataclass(frozen=True)
class SortKey:
    """One sort order: an SQL expression (whose values JSON can carry), the kind of its
    values (``CursorText``, ``CursorInteger`` or ``CursorNumber``) and its direction."""

    expression: Any  # an SQL expression (column or function)
    kind: Any = CursorText
    descending: bool = False


def encode_cursor(value: Any, ident: int) -> str:
    raw = json.dumps([value, ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invalid_cursor() -> InvalidParameter:
    return InvalidParameter(
        "cursor",
        gettext("is not a cursor this server issued; use next_cursor from a previous page"),
    )


@cache
def _shape(kind: Any) -> TypeAdapter[tuple[Any, int]]:
    return TypeAdapter(tuple[kind, CursorId])


def decode_cursor(cursor: str, kind: Any = CursorText) -> tuple[Any, int]:
    """The sort value (of ``kind``) and the id a cursor holds; ``invalid_cursor`` if it
    holds anything else."""
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        return _shape(kind).validate_json(raw)
    except (ValueError, binascii.Error, ValidationError) as exc:
        raise invalid_cursor() from exc


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
        value, ident = decode_cursor(cursor, sort.kind)
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
