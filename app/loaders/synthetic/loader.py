"""Synthetic catalogue data for load tests and benchmarks (``interlocal synthetic``).

Adds made-up places (with population and foreign-born-share facts, some missing, as in
real data) and practices (classified with the real vocabularies, with readable English
text composed from word banks and the labels of their terms) to a migrated and seeded
database. Everything it writes has a slug starting with ``synthetic-``; a new run first
deletes the previous run's rows, so the seeded catalogue is never touched. The same seed
gives the same data. Rows are written with bulk ``INSERT``s and committed once, after the
full-text index is rebuilt: all or nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col

from app.catalogue.search import index_practices
from app.catalogue.tracking import mark_changed
from app.db import bulk_insert
from app.loaders.synthetic.places import PREFIX, Slugs, SyntheticError, make_places
from app.loaders.synthetic.practices import make_practice, practice_schemes
from app.loaders.synthetic.words import Term
from app.models.places import Membership, Organisation, Place, PlaceFact
from app.models.practices import (
    Outcome,
    Practice,
    PracticeLineage,
    PracticePartner,
    PracticeRevision,
    PracticeSource,
    PracticeStatus,
    PracticeTerm,
    PracticeTranslation,
    Visibility,
)
from app.models.vocabularies import VocabularyScheme, VocabularyTerm
from app.opendata.changes import note_changes
from app.practices.writing import term_links

# Schemes the generator draws from; all must be in the database.
REQUIRED_SCHEMES = (
    "place-level",
    "migration-history",
    "activity-type",
    "goal",
    "target-group",
    "lra-role",
    "channel",
    "lifecycle",
    "evidence-level",
    "framing",
    "policy-area",
)


@dataclass
class SyntheticReport:
    places: int = 0
    practices: int = 0
    facts: int = 0
    terms: int = 0
    deleted_places: int = 0
    deleted_practices: int = 0


def _vocabularies(session: Session) -> dict[str, dict[str, Term]]:
    rows = session.execute(
        select(
            col(VocabularyScheme.code),
            col(VocabularyTerm.id),
            col(VocabularyTerm.code),
            col(VocabularyTerm.label),
        )
        .join(VocabularyTerm, col(VocabularyTerm.scheme_id) == VocabularyScheme.id)
        .where(col(VocabularyScheme.code).in_(REQUIRED_SCHEMES))
    ).all()
    vocab: dict[str, dict[str, Term]] = {}
    for scheme, term_id, code, label in rows:
        vocab.setdefault(scheme, {})[code] = Term(int(term_id), code, label)
    missing = [s for s in REQUIRED_SCHEMES if not vocab.get(s)]
    if missing:
        raise SyntheticError(
            "the vocabularies are not in the database (missing: "
            + ", ".join(missing)
            + "); run `interlocal migrate` and `interlocal seed` first"
        )
    return vocab


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _next_id(session: Session, column: Any) -> int:
    return int(session.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


def _advance_sequences(connection: Connection, tables: Iterable[str]) -> None:
    """Ids were given explicitly: move PostgreSQL's sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
            )
        )


def delete_synthetic(session: Session) -> tuple[int, int]:
    """Delete the rows of an earlier run (and what hangs off them); returns the numbers of
    practices and places deleted."""
    practices = select(col(Practice.id)).where(col(Practice.slug).startswith(PREFIX))
    places = select(col(Place.id)).where(col(Place.slug).startswith(PREFIX))
    n_practices = session.execute(select(func.count()).select_from(practices.subquery())).scalar()
    n_places = session.execute(select(func.count()).select_from(places.subquery())).scalar()
    for model in (
        PracticeTerm,
        PracticePartner,
        PracticeSource,
        Outcome,
        PracticeRevision,
        PracticeTranslation,
    ):
        session.execute(delete(model).where(col(model.practice_id).in_(practices)))
    session.execute(
        delete(PracticeLineage).where(
            or_(
                col(PracticeLineage.practice_id).in_(practices),
                col(PracticeLineage.origin_id).in_(practices),
            )
        )
    )
    session.execute(delete(Practice).where(col(Practice.slug).startswith(PREFIX)))
    session.execute(delete(PlaceFact).where(col(PlaceFact.place_id).in_(places)))
    session.execute(delete(Membership).where(col(Membership.place_id).in_(places)))
    session.execute(
        update(Organisation).where(col(Organisation.place_id).in_(places)).values(place_id=None)
    )
    session.execute(delete(Place).where(col(Place.slug).startswith(PREFIX)))
    return int(n_practices or 0), int(n_places or 0)


def load_synthetic(
    session: Session, *, practices: int, places: int, seed: int = 1
) -> SyntheticReport:
    """Replace the synthetic rows with ``places`` places and ``practices`` practices made
    from ``seed``; commit once at the end (nothing is written on failure)."""
    if practices < 0 or places < 0:
        raise SyntheticError("--practices and --places must not be negative")
    if practices and not places:
        raise SyntheticError("practices need places: give --places of at least 1")
    rng = random.Random(seed)
    report = SyntheticReport()
    try:
        vocab = _vocabularies(session)
        gone = session.execute(
            select(col(Practice.id), col(Practice.slug)).where(
                col(Practice.slug).startswith(PREFIX),
                col(Practice.status) == PracticeStatus.published,
                col(Practice.visibility) == Visibility.public,
            )
        ).all()
        report.deleted_practices, report.deleted_places = delete_synthetic(session)
        note_changes(session, ((int(i), slug, True, False) for i, slug in gone))
        now = datetime(2026, 1, 1, tzinfo=UTC)
        country_places = {
            country: int(place_id)
            for country, place_id in session.execute(
                select(col(Place.country), col(Place.id)).where(col(Place.level) == "country")
            )
        }
        place_rows = make_places(
            rng,
            places,
            _next_id(session, Place.id),
            _next_id(session, PlaceFact.id),
            vocab,
            country_places,
            now,
        )
        schemes = practice_schemes(rng, vocab)
        # A few places have many practices, most have a few (a heavy-tailed weight each).
        weights = [rng.paretovariate(1.3) for _ in place_rows]
        hosts = rng.choices(place_rows, weights=weights, k=practices) if practices else []
        first_practice = _next_id(session, Practice.id)
        slugs = Slugs()
        generated = [
            make_practice(rng, first_practice + i, host, schemes, slugs, now)
            for i, host in enumerate(hosts)
        ]
        facts = [fact for place in place_rows for fact in place.facts]
        links = [link for g in generated for link in term_links(g.row["id"], g.term_ids)]
        connection = session.connection()
        bulk_insert(connection, _table("place"), [p.row for p in place_rows])
        bulk_insert(connection, _table("place_fact"), facts)
        bulk_insert(connection, _table("practice"), [g.row for g in generated])
        bulk_insert(connection, _table("practice_term"), links)
        _advance_sequences(connection, ("place", "place_fact", "practice"))
        index_practices(session)
        note_changes(
            session,
            (
                (g.row["id"], g.row["slug"], False, g.row["visibility"] == Visibility.public)
                for g in generated
            ),
        )
        mark_changed(session)  # the rows went in through the connection, not the session
        session.commit()
    except Exception:
        session.rollback()
        raise
    report.places, report.practices = len(place_rows), len(generated)
    report.facts, report.terms = len(facts), len(links)
    return report
