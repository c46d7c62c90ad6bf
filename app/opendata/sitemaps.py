"""The pages a search engine should know of: every public practice, every place of the
catalogue and every network, each with when it last changed, in pages of a sitemap.

Lists, filters and peer searches are left out on purpose: their query strings make an
endless space of addresses that only repeat these pages (``robots.txt`` says so too).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import Select, func, null, select
from sqlmodel import Session, col

from app.models.places import Network, Place
from app.models.practices import Practice
from app.permissions import PUBLIC, visible

Kind = Literal["practices", "places", "networks"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# Addresses per sitemap file; the protocol allows 50,000, but each address is written with
# its six language alternates, and a smaller file is quicker to serve and to read.
PAGE_SIZE = 5_000


@dataclass(frozen=True)
class Entry:
    path: str
    changed: datetime | None


def _statement(kind: Kind) -> tuple[Select[str, datetime | None], Any]:
    """The slug and last change of each page of ``kind``, and the order to page them in."""
    if kind == "practices":
        changed = func.coalesce(col(Practice.published_at), col(Practice.updated_at))
        return select(col(Practice.slug), changed).where(*visible(PUBLIC)), col(Practice.id)
    if kind == "places":
        return (
            select(col(Place.slug), col(Place.updated_at)).where(col(Place.catalogued).is_(True)),
            col(Place.id),
        )
    return select(col(Network.slug), null()), col(Network.id)


def pages(session: Session, kind: Kind) -> int:
    """How many sitemap files ``kind`` needs (at least one, even when empty)."""
    statement, _order = _statement(kind)
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    return max(1, -(-int(total) // PAGE_SIZE))


def entries(session: Session, kind: Kind, page: int) -> list[Entry]:
    """The ``page``-th (from 1) file's pages of ``kind``, in the order they were created."""
    statement, order = _statement(kind)
    rows = session.execute(
        statement.order_by(order).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return [Entry(f"/{kind}/{slug}", changed) for slug, changed in rows]
