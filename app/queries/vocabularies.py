"""Reading vocabularies: schemes, terms, and code lookups used to validate filters.

Labels and definitions come back in the request's language when a translation exists,
falling back to the English original; each answer says which language it holds.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, null
from sqlmodel import Session, col, func, select

from app.errors import InvalidParameter, NotFound
from app.i18n import DEFAULT_LANGUAGE, get_language, gettext
from app.models import (
    Source,
    VocabularyScheme,
    VocabularySchemeTranslation,
    VocabularyTerm,
    VocabularyTermTranslation,
)
from app.queries.common import source_ref
from app.schemas import SchemeDetail, SchemeSummary, TermOut

# The vocabularies are written in English; translations overlay them.
VOCABULARY_LANGUAGE = DEFAULT_LANGUAGE


def _translated(column: Any, owner_fk: Any, owner_id: Any, language_column: Any) -> Any:
    """The translation of ``column`` into the current language, or NULL (a scalar subquery)."""
    language = get_language()
    if language == VOCABULARY_LANGUAGE:
        return null()
    subquery: ScalarSelect[Any] = (
        select(column).where(owner_fk == owner_id, language_column == language).scalar_subquery()
    )
    return subquery


def term_label_column() -> Any:
    """The label of ``VocabularyTerm`` in the current language, falling back to English."""
    translated = _translated(
        VocabularyTermTranslation.label,
        VocabularyTermTranslation.term_id,
        VocabularyTerm.id,
        VocabularyTermTranslation.language,
    )
    return func.coalesce(translated, VocabularyTerm.label)


def _term_translations() -> tuple[Any, Any]:
    args = (
        VocabularyTermTranslation.term_id,
        VocabularyTerm.id,
        VocabularyTermTranslation.language,
    )
    return (
        _translated(VocabularyTermTranslation.label, *args),
        _translated(VocabularyTermTranslation.definition, *args),
    )


def _scheme_translations() -> tuple[Any, Any]:
    args = (
        VocabularySchemeTranslation.scheme_id,
        VocabularyScheme.id,
        VocabularySchemeTranslation.language,
    )
    return (
        _translated(VocabularySchemeTranslation.label, *args),
        _translated(VocabularySchemeTranslation.description, *args),
    )


@dataclass(frozen=True)
class Term:
    id: int
    code: str
    label: str
    parent_code: str | None
    position: int


def scheme_terms(session: Session, scheme: str) -> dict[str, Term]:
    """Terms of a scheme by code, in display order (broader terms first)."""
    rows = session.exec(
        select(VocabularyTerm, term_label_column())
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(VocabularyScheme.code == scheme)
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ).all()
    by_id = {t.id: t for t, _label in rows}
    terms = {
        t.code: Term(
            id=int(t.id),  # type: ignore[arg-type]
            code=t.code,
            label=label,
            parent_code=by_id[t.parent_id].code if t.parent_id in by_id else None,
            position=t.position,
        )
        for t, label in rows
    }
    return terms


def resolve_codes(session: Session, param: str, scheme: str, codes: list[str]) -> list[int]:
    """Term ids for ``codes``; a 422 naming the parameter and the allowed codes otherwise."""
    terms = scheme_terms(session, scheme)
    unknown = [c for c in codes if c not in terms]
    if unknown:
        raise InvalidParameter(
            param,
            gettext("unknown value %(values)s", values=", ".join(map(repr, unknown))),
            allowed=list(terms),
        )
    return [terms[c].id for c in codes]


def list_schemes(session: Session) -> list[SchemeSummary]:
    counts = dict(
        session.exec(
            select(VocabularyTerm.scheme_id, func.count()).group_by(col(VocabularyTerm.scheme_id))
        ).all()
    )
    rows = session.exec(
        select(VocabularyScheme, Source, *_scheme_translations())
        .outerjoin(Source, col(Source.id) == VocabularyScheme.source_id)
        .order_by(col(VocabularyScheme.id))
    ).all()
    return [
        _summary(scheme, source, label, description, counts.get(scheme.id or 0, 0))
        for scheme, source, label, description in rows
    ]


def _summary(
    scheme: VocabularyScheme,
    source: Source | None,
    label: str | None,
    description: str | None,
    term_count: int,
) -> SchemeSummary:
    return SchemeSummary(
        scheme=scheme.code,
        label=label or scheme.label,
        description=description or scheme.description,
        language=get_language() if label else VOCABULARY_LANGUAGE,
        source=source_ref(source),
        term_count=term_count,
    )


def scheme_details(session: Session, codes: list[str] | None = None) -> list[SchemeDetail]:
    """Schemes with their terms (all, or those in ``codes``), in two queries."""
    statement = (
        select(VocabularyScheme, Source, *_scheme_translations())
        .outerjoin(Source, col(Source.id) == VocabularyScheme.source_id)
        .order_by(col(VocabularyScheme.id))
    )
    if codes is not None:
        statement = statement.where(col(VocabularyScheme.code).in_(codes))
    rows = session.exec(statement).all()
    terms_by_scheme: dict[int, list[TranslatedTerm]] = {}
    for term, label, definition in session.exec(
        select(VocabularyTerm, *_term_translations())
        .where(col(VocabularyTerm.scheme_id).in_([row[0].id for row in rows]))
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ):
        terms_by_scheme.setdefault(term.scheme_id, []).append((term, label, definition))
    return [
        SchemeDetail(
            **_summary(scheme, source, label, description, 0).model_dump(exclude={"term_count"}),
            term_count=len(terms_by_scheme.get(scheme.id or 0, [])),
            terms=_ordered_terms(terms_by_scheme.get(scheme.id or 0, [])),
        )
        for scheme, source, label, description in rows
    ]


TranslatedTerm = tuple[VocabularyTerm, str | None, str | None]


def _ordered_terms(terms: list[TranslatedTerm]) -> list[TermOut]:
    """Terms in display order: each broader term followed by its sub-types."""
    by_id = {t.id: t for t, _label, _definition in terms}
    ordered: list[TermOut] = []

    def visit(parent_id: int | None) -> None:
        for term, label, definition in terms:
            if term.parent_id == parent_id:
                ordered.append(
                    TermOut(
                        code=term.code,
                        label=label or term.label,
                        definition=definition or term.definition,
                        language=get_language() if label else VOCABULARY_LANGUAGE,
                        parent=by_id[term.parent_id].code if term.parent_id in by_id else None,
                        position=term.position,
                        origin=term.origin,
                    )
                )
                visit(term.id)

    visit(None)
    return ordered


def get_scheme(session: Session, code: str) -> SchemeDetail:
    found = scheme_details(session, [code])
    if not found:
        known = session.exec(select(VocabularyScheme.code)).all()
        raise NotFound(
            gettext(
                "no vocabulary %(code)r; known schemes: %(known)s",
                code=code,
                known=", ".join(known),
            )
        )
    return found[0]
