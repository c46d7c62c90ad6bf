"""Making the live rows of a practice say what an edit says, and reading them back."""

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from app.catalogue.search import index_practices
from app.errors import Conflict
from app.i18n import gettext
from app.models.base import utcnow
from app.models.places import Organisation, Place
from app.models.practices import Outcome, Practice, PracticeLineage, PracticeTerm
from app.models.vocabularies import Source, VocabularyScheme, VocabularyTerm
from app.practices.checks import References
from app.practices.duplicates import normalise_title
from app.practices.input import PracticeIn


class EditConflict(Conflict):
    """Someone saved the practice after the version the writer started from."""


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
        "title": practice.title,
        "summary": practice.summary or None,
        "description": practice.description,
        "place": place_slug,
        "lead_organisation": lead,
        "original_language": practice.original_language,
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "aim": practice.aim,
        "participants": practice.participants,
        "audience": practice.audience,
        "what_did_not_work": practice.what_did_not_work,
        "know_how": practice.know_how,
        "languages": list(practice.languages),
        "links": list(practice.links),
        "visibility": practice.visibility,
        "terms": terms,
        "outcomes": outcomes,
        "lineage": lineage,
    }


def apply_edit(session: Session, practice: Practice, data: PracticeIn, refs: References) -> None:
    """Make the live rows say what ``data`` says."""
    practice.title = data.title
    practice.summary = data.summary or ""
    practice.description = data.description
    practice.place_id = refs.place_id
    practice.lead_organisation_id = refs.lead_organisation_id
    practice.original_language = data.original_language
    practice.start_year = data.start_year
    practice.end_year = data.end_year
    practice.aim = data.aim
    practice.participants = data.participants
    practice.audience = data.audience
    practice.what_did_not_work = data.what_did_not_work
    practice.know_how = data.know_how
    practice.languages = list(data.languages)
    practice.links = list(data.links)
    practice.visibility = data.visibility
    practice.updated_at = utcnow()
    session.add(practice)
    session.flush()
    session.exec(delete(PracticeTerm).where(col(PracticeTerm.practice_id) == practice.id))
    session.exec(delete(Outcome).where(col(Outcome.practice_id) == practice.id))
    session.exec(delete(PracticeLineage).where(col(PracticeLineage.practice_id) == practice.id))
    assert practice.id is not None
    index_practices(session, [practice.id])
    for term_id in dict.fromkeys(refs.term_ids):
        session.add(PracticeTerm(practice_id=practice.id, term_id=term_id))
    for outcome in data.outcomes:
        when = outcome.date or ""
        session.add(
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
    for link in data.lineage:
        session.add(
            PracticeLineage(
                practice_id=practice.id,
                origin_id=refs.lineage_ids[link.practice],
                kind=link.kind,
                note=link.note,
            )
        )


def claim_version(session: Session, practice: Practice, expected_version: int) -> None:
    """Claim the next version, or fail if someone else claimed it first."""
    result = session.execute(
        update(Practice)
        .where(col(Practice.id) == practice.id, col(Practice.version) == expected_version)
        .values(version=expected_version + 1, updated_at=utcnow())
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


def unique_slug(session: Session, title: str, place_slug: str) -> str:
    base = normalise_title(f"{place_slug} {title}").replace(" ", "-")[:140].strip("-") or "practice"
    taken = set(
        session.exec(select(Practice.slug).where(col(Practice.slug).startswith(base))).all()
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
