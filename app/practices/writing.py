"""Making the live rows of a practice say what an edit says, and reading them back.

Every writer (forms, the API, the seed and synthetic loaders) sets a practice's own fields
by the names ``PracticeBase`` declares (``practice_row`` for bulk inserts) and its rows in
other tables with ``write_children`` (``term_links`` for bulk inserts of its terms).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from app.catalogue.search import index_practices
from app.errors import Conflict
from app.i18n import gettext
from app.models.base import utcnow
from app.models.places import Organisation, Place
from app.models.practices import (
    Outcome,
    Practice,
    PracticeBase,
    PracticeLineage,
    PracticePartner,
    PracticeSource,
    PracticeTerm,
)
from app.models.vocabularies import Source, VocabularyScheme, VocabularyTerm
from app.practices.checks import References
from app.practices.duplicates import normalise_title
from app.practices.input import PracticeIn


class EditConflict(Conflict):
    """Someone saved the practice after the version the writer started from."""


# The practice's own fields: the columns an edit sets by name.
BASE_FIELDS = tuple(PracticeBase.model_fields)  # in declared order: revision data keeps it


def base_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``PracticeBase`` fields ``data`` gives."""
    return {name: value for name, value in data.items() if name in BASE_FIELDS}


@cache
def _row_defaults() -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """A ``Practice`` row's declared defaults (required columns as None), and the columns
    whose default is made per row. Read once: pydantic's ``get_default`` is slow enough to
    double the time of a 50,000-practice synthetic load."""
    static: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, info in Practice.model_fields.items():
        if info.default_factory is not None:
            factories.append((name, info.default_factory))  # type: ignore[arg-type]
        else:
            static[name] = None if info.is_required() else info.default
    return static, tuple(factories)


@cache
def _required_columns() -> tuple[str, ...]:
    return tuple(name for name, info in Practice.model_fields.items() if info.is_required())


def practice_row(fields: PracticeBase, **columns: Any) -> dict[str, Any]:
    """Every column of a ``Practice`` row: the practice's ``fields`` and the other
    ``columns`` over the declared defaults (for bulk inserts, which bypass the model)."""
    static, factories = _row_defaults()
    row = static | {name: make() for name, make in factories}
    unknown = (columns.keys() - row.keys()) | (columns.keys() & set(BASE_FIELDS))
    if unknown:
        raise ValueError(f"not columns of a practice, or not here: {sorted(unknown)}")
    row |= fields.model_dump(mode="json") | columns
    missing = [name for name in _required_columns() if row[name] is None]
    if missing:
        raise ValueError(f"a practice row needs {missing}")
    return row


@dataclass
class Children:
    """A practice's rows in other tables as one write sets them, ids resolved; the
    ``practice_id`` of each row is set by ``write_children``."""

    term_ids: list[int] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    lineage: list[PracticeLineage] = field(default_factory=list)
    # None leaves them as they are: forms and the API do not edit partners or citations.
    partners: list[PracticePartner] | None = None
    sources: list[PracticeSource] | None = None


def term_links(practice_id: int, term_ids: Iterable[int]) -> list[dict[str, int]]:
    """The practice's ``practice_term`` rows, each term once."""
    return [{"practice_id": practice_id, "term_id": i} for i in dict.fromkeys(term_ids)]


def write_children(session: Session, practice_id: int, children: Children) -> None:
    """Replace the practice's terms, outcomes and lineage (and partners and sources when
    given) with ``children``."""
    kinds: list[tuple[Any, list[Any] | None]] = [
        (Outcome, children.outcomes),
        (PracticeLineage, children.lineage),
        (PracticePartner, children.partners),
        (PracticeSource, children.sources),
    ]
    session.exec(delete(PracticeTerm).where(col(PracticeTerm.practice_id) == practice_id))
    added: list[Any] = [PracticeTerm(**link) for link in term_links(practice_id, children.term_ids)]
    for table, rows in kinds:
        if rows is not None:
            session.exec(delete(table).where(col(table.practice_id) == practice_id))
            added += rows
    for row in added:
        row.practice_id = practice_id
    session.add_all(added)


def snapshot(session: Session, practice: Practice) -> dict[str, Any]:
    """The live practice as ``PracticeIn`` data (what an edit starts from)."""
    place_slug = session.exec(select(Place.slug).where(Place.id == practice.place_id)).one()
    lead = (
        session.exec(
            select(Organisation.slug).where(Organisation.id == practice.lead_organisation_id)
        ).first()
        if practice.lead_organisation_id
        else None
    )
    terms: dict[str, list[str]] = {}
    for scheme, code in session.exec(
        select(VocabularyScheme.code, VocabularyTerm.code)
        .join(VocabularyTerm, col(VocabularyTerm.scheme_id) == VocabularyScheme.id)
        .join(PracticeTerm, col(PracticeTerm.term_id) == VocabularyTerm.id)
        .where(PracticeTerm.practice_id == practice.id)
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ):
        terms.setdefault(scheme, []).append(code)
    outcomes = [
        {
            "text": o.text,
            "metric": o.metric,
            "value": o.value,
            "date": o.observed_on.isoformat()
            if o.observed_on
            else (str(o.year) if o.year else None),
            "source": o.source_note,
            "source_report": report,
            "evidence_level": o.evidence_level,
        }
        for o, report in session.exec(
            select(Outcome, Source.slug)
            .outerjoin(Source, col(Source.id) == Outcome.source_id)
            .where(Outcome.practice_id == practice.id)
            .order_by(col(Outcome.id))
        )
    ]
    lineage = [
        {"practice": slug, "kind": kind, "note": note}
        for slug, kind, note in session.exec(
            select(Practice.slug, PracticeLineage.kind, PracticeLineage.note)
            .join(PracticeLineage, col(PracticeLineage.origin_id) == Practice.id)
            .where(PracticeLineage.practice_id == practice.id)
            .order_by(col(PracticeLineage.id))
        )
    ]
    return {
        **{name: getattr(practice, name) for name in BASE_FIELDS},
        "summary": practice.summary or None,
        "languages": list(practice.languages),
        "links": list(practice.links),
        "place": place_slug,
        "lead_organisation": lead,
        "terms": terms,
        "outcomes": outcomes,
        "lineage": lineage,
    }


def apply_edit(session: Session, practice: Practice, data: PracticeIn, refs: References) -> None:
    """Make the live rows say what ``data`` says."""
    practice.sqlmodel_update(
        data.model_dump(include=set(BASE_FIELDS)),
        update={
            "summary": data.summary or "",
            "place_id": refs.place_id,
            "lead_organisation_id": refs.lead_organisation_id,
            "updated_at": utcnow(),
        },
    )
    if practice.id is None:
        _insert_new(session, practice, data.place)
    else:
        session.add(practice)
        session.flush()
    assert practice.id is not None
    outcomes = []
    for outcome in data.outcomes:
        when = outcome.date or ""
        outcomes.append(
            Outcome(
                practice_id=practice.id,
                text=outcome.text,
                metric=outcome.metric,
                value=outcome.value,
                year=int(when[:4]) if when else None,
                observed_on=date.fromisoformat(when) if len(when) == 10 else None,
                source_id=refs.source_ids.get(outcome.source_report or ""),
                source_note=outcome.source,
                evidence_level=outcome.evidence_level,
            )
        )
    lineage = [
        PracticeLineage(
            practice_id=practice.id,
            origin_id=refs.lineage_ids[link.practice],
            kind=link.kind,
            note=link.note,
        )
        for link in data.lineage
    ]
    write_children(session, practice.id, Children(refs.term_ids, outcomes, lineage))
    index_practices(session, [practice.id])


def claim_version(
    session: Session, practice: Practice, expected_version: int, *, content: bool = True
) -> None:
    """Claim the next version, or fail if someone else claimed it first. ``content`` is
    false when the practice's own fields stay as they are (a revision of a published
    practice saved or returned): its update time stays, and public readers are not
    told of a change (``app/catalogue/tracking.py``)."""
    values: dict[str, Any] = {"version": expected_version + 1}
    if content:
        values["updated_at"] = utcnow()
    result = session.execute(
        update(Practice)
        .where(col(Practice.id) == practice.id, col(Practice.version) == expected_version)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise EditConflict(
            gettext(
                "Someone else saved this practice while you were working on it. "
                "Nothing of yours was saved: check their changes, then save again."
            )
        )
    session.refresh(practice)


# How many free slugs a new practice tries before giving up: each refusal means another
# writer took that slug in the meantime, so only a burst of creations with one title at
# one place gets here.
SLUG_ATTEMPTS = 25


class SlugsBusy(Conflict):
    """Too many practices with the same title were being created at once."""


def _free_slug(session: Session, base: str, tried: set[str]) -> str:
    """The first of ``base``, ``base-2``, ``base-3``… that no practice has and was not
    ``tried``. Looked up by name, fifty at a time: a prefix match (LIKE) cannot use the
    index on SQLite, and read every practice's slug (10 ms at 50,000)."""
    first = 1
    while True:
        window = [base if n == 1 else f"{base}-{n}" for n in range(first, first + 50)]
        taken = tried | set(
            session.exec(select(Practice.slug).where(col(Practice.slug).in_(window))).all()
        )
        free = next((slug for slug in window if slug not in taken), None)
        if free is not None:
            return free
        first += 50


def _insert_new(session: Session, practice: Practice, place_slug: str) -> None:
    """Insert the new ``practice`` under a slug made from its place and title.

    Writers creating practices with one title at once all find the same slug free; the
    unique index gives it to one, and each other, its INSERT refused, tries the next free
    slug. The INSERT runs in a savepoint, so a refusal keeps the rest of the transaction.
    """
    title = normalise_title(f"{place_slug} {practice.title}").replace(" ", "-")
    base = title[:140].strip("-") or "practice"
    tried: set[str] = set()
    for _ in range(SLUG_ATTEMPTS):
        practice.slug = _free_slug(session, base, tried)
        tried.add(practice.slug)
        try:
            with session.begin_nested():
                session.add(practice)
            return
        except IntegrityError:
            taken = session.exec(select(Practice.id).where(Practice.slug == practice.slug))
            if taken.first() is None:
                raise  # another constraint refused it: not ours to retry
    raise SlugsBusy(gettext("Many practices with this title are being saved at once: save again."))
