"""What the practice index holds of each published practice, read from the database: of
all of them (a full load) or of a few (the practices a commit changed)."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col, select

from app.db import plain_rows
from app.models.places import Place
from app.models.practices import (
    Practice,
    PracticeSource,
    PracticeStatus,
    PracticeTerm,
    Visibility,
)
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermAncestor
from app.permissions import practice_networks

SORTS = ("title", "start", "updated", "published")


KINDS = ("country", "term", "network", "place", "source", "activity")


@dataclass
class PracticeRows:
    """Published practices in ascending id order, with what filters and sorts need."""

    ids: np.ndarray  # int64
    public: np.ndarray  # bool: visible to everyone (else to its lead's networks)
    lead: np.ndarray  # int64 lead organisation id, -1 for none
    place: np.ndarray  # int64 place id
    keys: dict[str, np.ndarray]  # sort -> key per practice (titles lower-cased, as objects)
    values: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)  # kind -> (i, value)

    def __len__(self) -> int:
        return len(self.ids)


def micros(moment: datetime) -> int:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def _datetime(value: Any) -> datetime:
    """A datetime from a database expression (SQLite returns coalesce() as text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _chunks(ids: Collection[int] | None) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    listed = sorted(ids)
    for start in range(0, len(listed), 500):
        yield listed[start : start + 500]


def read_rows(session: Session, only: Collection[int] | None = None) -> PracticeRows:
    """The published practices (those of ``only``, when given)."""
    found: list[Any] = []
    pairs: dict[str, list[tuple[int, Any]]] = {kind: [] for kind in KINDS}
    links = practice_networks()
    for chunk in _chunks(only):
        published = [col(Practice.status) == PracticeStatus.published]
        if chunk is not None:
            published.append(col(Practice.id).in_(chunk))
        found += plain_rows(
            session,
            sa_select(
                col(Practice.id),
                col(Practice.title),
                col(Practice.start_year),
                col(Practice.updated_at),
                col(Practice.place_id),
                col(Place.country),
                # Practices loaded from the reports have no publication date: their loading is.
                func.coalesce(col(Practice.published_at), col(Practice.created_at)),
                col(Practice.visibility),
                col(Practice.lead_organisation_id),
            )
            .join(Place, col(Place.id) == Practice.place_id)
            .where(*published)
            .order_by(col(Practice.id)),
        )
        ids = select(Practice.id).where(*published)
        pairs["term"] += plain_rows(  # a term twice (through two narrower ones) is harmless
            session,
            select(PracticeTerm.practice_id, VocabularyTermAncestor.ancestor_id)
            .join(
                VocabularyTermAncestor, col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id
            )
            .where(col(PracticeTerm.practice_id).in_(ids)),
        )
        pairs["network"] += session.execute(
            select(links.c.practice_id, links.c.network_id).where(links.c.practice_id.in_(ids))
        ).all()
        pairs["activity"] += plain_rows(  # recorded on the practice (not broader ones)
            session,
            select(PracticeTerm.practice_id, PracticeTerm.term_id)
            .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
            .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
            .where(
                col(PracticeTerm.practice_id).in_(ids), VocabularyScheme.code == "activity-type"
            ),
        )
        pairs["source"] += session.exec(
            select(PracticeSource.practice_id, PracticeSource.source_id).where(
                col(PracticeSource.practice_id).in_(ids)
            )
        ).all()
    pairs["country"] = [(p[0], p[5]) for p in found]
    pairs["place"] = [(p[0], p[4]) for p in found]
    at = {int(p[0]): i for i, p in enumerate(found)}
    return PracticeRows(
        ids=np.array([int(p[0]) for p in found], dtype=np.int64),
        public=np.array([p[7] == Visibility.public for p in found], dtype=bool),
        lead=np.array([-1 if p[8] is None else int(p[8]) for p in found], dtype=np.int64),
        place=np.array([int(p[4]) for p in found], dtype=np.int64),
        keys={
            "title": np.array([p[1].lower() for p in found], dtype=object),
            "start": np.array([p[2] or 0 for p in found], dtype=np.int64),
            "updated": np.array([micros(_datetime(p[3])) for p in found], dtype=np.int64),
            "published": np.array([micros(_datetime(p[6])) for p in found], dtype=np.int64),
        },
        values={
            kind: [(at[int(i)], value) for i, value in kinds if int(i) in at]
            for kind, kinds in pairs.items()
        },
    )
