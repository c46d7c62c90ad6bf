"""Moderators add terms to the vocabularies that practitioners' experience keeps growing:
the dilemma clusters and the ways of handling a dilemma (the reports say their typologies
are still evolving). A term added here is marked as Interlocal's own (``origin``
"platform"), not the reports'."""

from typing import Annotated

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.audit import record
from app.errors import Forbidden
from app.i18n import _
from app.models.accounts import User
from app.models.vocabularies import VocabularyScheme, VocabularyTerm
from app.places.gazetteer.names import slugify
from app.validation import RequiredText, Text, limit, parse_form
from app.vocabularies.hierarchy import rebuild_closure

EXTENDABLE = ("dilemma", "dilemma-response")


class TermIn(BaseModel):
    label: Annotated[RequiredText, limit(300)]
    definition: Annotated[Text, limit(2000)] = None


def add_term(
    session: Session, scheme: VocabularyScheme, user: User, values: dict[str, str]
) -> VocabularyTerm:
    """Add a term at the end of ``scheme`` (one of ``EXTENDABLE``); ``InvalidInput`` names
    the field that is wrong, and nothing is written."""
    if scheme.code not in EXTENDABLE:
        raise Forbidden(_("terms are added to this vocabulary from the reports only"))
    data = parse_form(TermIn, values)
    taken = set(
        session.exec(select(VocabularyTerm.code).where(VocabularyTerm.scheme_id == scheme.id))
    )
    base = slugify(data.label)[:70] or "term"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    last = session.exec(
        select(func.max(VocabularyTerm.position)).where(VocabularyTerm.scheme_id == scheme.id)
    ).one()
    term = VocabularyTerm(
        scheme_id=int(scheme.id or 0),
        code=code,
        label=data.label,
        definition=data.definition,
        position=(last or 0) + 1,
        origin="platform",
    )
    session.add(term)
    session.flush()
    rebuild_closure(session)
    record(session, user, "vocabulary.add-term", f"{scheme.code}/{code}")
    session.commit()
    return term
