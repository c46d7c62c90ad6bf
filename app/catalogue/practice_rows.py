"""What the practice index holds of each published practice, read from the database: of
all of them (a full load) or of a few (the practices a commit changed)."""

import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import case, union_all
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col, select

from app.db import integer_columns, plain_batches
from app.i18n import LANGUAGES
from app.models.places import Place
from app.models.practices import (
    Practice,
    PracticeSource,
    PracticeStatus,
    PracticeTerm,
    PracticeTranslation,
    Visibility,
)
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermAncestor
from app.permissions import practice_networks

# "evidence": the rung of the practice's evidence level on the ladder (-1: none given).
SORTS = ("title", "start", "updated", "published", "evidence")


# Ids, place and organisation ids and row numbers fit 32 bits (PostgreSQL's integer): half
# the memory of NumPy's default for the arrays that grow with the catalogue.
ID = np.int32


# "written": the languages (numbered as in LANGUAGES) of the practice's original and of
# its translations that include its body.
KINDS = ("country", "term", "network", "place", "source", "activity", "written")


@dataclass
class PracticeRows:
    """Published practices in ascending id order, with what filters and sorts need."""

    ids: np.ndarray  # ID
    public: np.ndarray  # bool: visible to everyone (else to its lead's networks)
    lead: np.ndarray  # ID of the lead organisation, -1 for none
    place: np.ndarray  # ID of the place
    keys: dict[str, np.ndarray]  # sort -> key per practice (titles lower-cased, as objects)
    # kind -> (rows, values): the practice at each row carries the value
    values: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

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
    # Column by column, a batch at a time: a list of half a million row tuples would take
    # several times the memory of the arrays, and the allocator keeps what it once took.
    columns: list[list[np.ndarray]] = [[] for _ in COLUMNS]
    pairs: dict[str, list[list[np.ndarray]]] = {kind: [] for kind in KINDS}
    for chunk in _chunks(only):
        published = [col(Practice.status) == PracticeStatus.published]
        if chunk is not None:
            published.append(col(Practice.id).in_(chunk))
        for batch in plain_batches(
            session,
            sa_select(
                col(Practice.id),
                col(Practice.title),
                col(Practice.start_year),
                col(Practice.updated_at),
                col(Practice.place_id),
                col(Place.country),
                # None for a practice loaded from a report that gives no date: the oldest.
                col(Practice.published_at),
                col(Practice.visibility),
                col(Practice.lead_organisation_id),
            )
            .join(Place, col(Place.id) == Practice.place_id)
            .where(*published)
            .order_by(col(Practice.id)),
        ):
            for k, column in enumerate(zip(*(_row(p) for p in batch), strict=True)):
                columns[k].append(np.array(column, dtype=COLUMNS[k]))
        ids = select(Practice.id).where(*published)
        links = practice_networks(ids)
        ancestors = col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id
        scheme = col(VocabularyScheme.id) == VocabularyTerm.scheme_id
        statements: dict[str, Any] = {
            # A term twice (through two narrower ones) is harmless.
            "term": select(PracticeTerm.practice_id, VocabularyTermAncestor.ancestor_id)
            .join(VocabularyTermAncestor, ancestors)
            .where(col(PracticeTerm.practice_id).in_(ids)),
            "network": select(links.c.practice_id, links.c.network_id).where(
                links.c.practice_id.in_(ids)
            ),
            # Recorded on the practice (not its broader terms).
            "activity": select(PracticeTerm.practice_id, PracticeTerm.term_id)
            .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
            .join(VocabularyScheme, scheme)
            .where(
                col(PracticeTerm.practice_id).in_(ids), VocabularyScheme.code == "activity-type"
            ),
            "source": select(PracticeSource.practice_id, PracticeSource.source_id).where(
                col(PracticeSource.practice_id).in_(ids)
            ),
            "written": union_all(
                select(Practice.id, _language_number(Practice.original_language)).where(
                    col(Practice.id).in_(ids)
                ),
                # A translation of the title and summary alone is too thin to match by.
                select(
                    PracticeTranslation.practice_id,
                    _language_number(PracticeTranslation.language),
                ).where(
                    col(PracticeTranslation.practice_id).in_(ids),
                    col(PracticeTranslation.body_digest).is_not(None),
                ),
            ),
        }
        for kind, statement in statements.items():
            pairs[kind].append(integer_columns(session, statement, 2))
    found = [
        np.concatenate(c) if c else np.zeros(0, dtype=t)
        for c, t in zip(columns, COLUMNS, strict=True)
    ]
    practice_ids, titles, starts, updated, places, countries, shown, public, leads = found
    values = {
        kind: _numbered(practice_ids, *(np.concatenate(c) for c in zip(*parts, strict=True)))
        for kind, parts in pairs.items()
        if parts
    }
    rows = np.arange(len(practice_ids), dtype=ID)
    values["country"] = (rows, countries)
    values["place"] = (rows, places)
    keys = {"title": titles, "start": starts, "updated": updated, "published": shown}
    keys["evidence"] = _evidence_rungs(session, practice_ids, only)
    return PracticeRows(
        ids=practice_ids, public=public, lead=leads, place=places, keys=keys, values=values
    )


def _evidence_rungs(
    session: Session, practice_ids: np.ndarray, only: Collection[int] | None
) -> np.ndarray:
    """Each practice's rung on the evidence ladder (its level's position in the scheme),
    -1 where it gives none."""
    rungs = np.full(len(practice_ids), -1, dtype=ID)
    ladder = (
        select(PracticeTerm.practice_id, VocabularyTerm.position)
        .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(VocabularyScheme.code == "evidence-level")
    )
    for chunk in _chunks(only):
        statement = (
            ladder if chunk is None else ladder.where(col(PracticeTerm.practice_id).in_(chunk))
        )
        found, positions = integer_columns(session, statement, 2)
        at, rung = _numbered(practice_ids, found, positions)
        rungs[at] = rung
    return rungs


def _language_number(language: Any) -> Any:
    """A language code as its position in ``LANGUAGES``."""
    numbers = {code: number for number, code in enumerate(LANGUAGES)}
    return case(numbers, value=col(language), else_=0)


# The types of the columns ``_row`` gives.
COLUMNS: tuple[Any, ...] = (ID, object, ID, np.int64, ID, object, np.int64, bool, ID)


def _row(p: tuple[Any, ...]) -> tuple[Any, ...]:
    """A practice row as the index keeps it: the title lower-cased, times in microseconds."""
    practice_id, title, start, updated, place, country, published, visibility, lead = p
    return (
        int(practice_id),
        title.lower(),
        start or 0,
        micros(_datetime(updated)),
        int(place),
        sys.intern(country),  # a few dozen codes, not one string per practice
        0 if published is None else micros(_datetime(published)),
        visibility == Visibility.public,
        -1 if lead is None else int(lead),
    )


def _numbered(
    ids: np.ndarray, practice_ids: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, value) of the pairs whose practice is among ``ids`` (ascending)."""
    at = np.searchsorted(ids, practice_ids).clip(0, max(len(ids) - 1, 0))
    known = ids[at] == practice_ids if len(ids) else np.zeros(len(practice_ids), dtype=bool)
    return at[known].astype(ID), values[known].astype(ID)
