"""Reading vocabularies: schemes, terms, and code lookups used to validate filters.

Labels and definitions come back in the request's language when a translation exists,
falling back to the English original; each answer says which language it holds.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import null
from sqlmodel import Session, col, func, select

from app.catalogue.cache import cached
from app.catalogue.pagination import MAX_LISTED
from app.errors import InvalidParameter, NotFound
from app.i18n import DEFAULT_LANGUAGE, get_language, gettext
from app.models.vocabularies import (
    Source,
    VocabularyScheme,
    VocabularySchemeTranslation,
    VocabularyTerm,
    VocabularyTermTranslation,
)
from app.schemas import SourceRef, TermRef, source_ref
from app.vocabularies.schemas import SchemeDetail, SchemeSummary, TermOut

# The vocabularies are written in English; translations overlay them.
VOCABULARY_LANGUAGE = DEFAULT_LANGUAGE


def _translated(table: Any, owned_by: Any, owner_id: Any, *columns: Any) -> list[Any]:
    """``columns`` of ``table`` (a translation table whose ``owned_by`` column points at
    ``owner_id``) in the current language, as correlated scalar subqueries; NULL each when
    the current language is the original's or no translation exists."""
    language = get_language()
    if language == VOCABULARY_LANGUAGE:
        return [null() for _column in columns]
    where = (owned_by == owner_id, table.language == language)
    return [select(column).where(*where).scalar_subquery() for column in columns]


def _term_translations() -> list[Any]:
    """Label and definition of ``VocabularyTerm`` in the current language, or NULL."""
    table = VocabularyTermTranslation
    return _translated(table, table.term_id, VocabularyTerm.id, table.label, table.definition)


def _scheme_translations() -> list[Any]:
    """Label and description of ``VocabularyScheme`` in the current language, or NULL."""
    table = VocabularySchemeTranslation
    return _translated(table, table.scheme_id, VocabularyScheme.id, table.label, table.description)


def term_label_column() -> Any:
    """The label of ``VocabularyTerm`` in the current language, falling back to English."""
    return func.coalesce(_term_translations()[0], VocabularyTerm.label)


@dataclass(frozen=True)
class Term:
    id: int
    code: str
    label: str
    parent_code: str | None
    position: int


@dataclass(frozen=True)
class HeldTerm:
    """A term as a practice's summary shows it, with its scheme and display order."""

    scheme: str
    order: tuple[int, int]  # position, id
    ref: TermRef


def held_terms(session: Session) -> dict[int, HeldTerm]:
    """Every term by id, labelled in the current language; read-only. Summaries look
    their practices' terms up here instead of joining three tables for each page."""
    return cached(session, "held_terms", None, lambda: _held_terms(session), store="lookups")


def _held_terms(session: Session) -> dict[int, HeldTerm]:
    rows = session.exec(
        select(  # type: ignore[call-overload]
            VocabularyTerm.id,
            VocabularyScheme.code,
            VocabularyTerm.position,
            VocabularyTerm.code,
            term_label_column(),
        ).join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
    )
    return {
        term_id: HeldTerm(scheme, (position, term_id), TermRef(code=code, label=label))
        for term_id, scheme, position, code, label in rows
    }


def source_refs(session: Session) -> dict[int, SourceRef]:
    """Every source by id, as summaries cite it (without a locator); read-only."""
    return cached(session, "source_refs", None, lambda: _source_refs(session), store="lookups")


def _source_refs(session: Session) -> dict[int, SourceRef]:
    return {int(s.id): SourceRef.model_validate(s) for s in session.exec(select(Source))}  # type: ignore[arg-type]


def scheme_terms(session: Session, scheme: str) -> dict[str, Term]:
    """Terms of a scheme by code, in display order (broader terms first); read-only."""
    return cached(
        session, "scheme_terms", scheme, lambda: _scheme_terms(session, scheme), store="lookups"
    )


def _scheme_terms(session: Session, scheme: str) -> dict[str, Term]:
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
    """Every scheme, with its label and how many terms it has; read-only."""
    return cached(session, "schemes", None, lambda: _list_schemes(session), store="lookups")


def _list_schemes(session: Session) -> list[SchemeSummary]:
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
            terms=_ordered_terms(terms_by_scheme.get(scheme.id or 0, []))[:MAX_LISTED],
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


def find_scheme(session: Session, code: str) -> VocabularyScheme:
    """The scheme ``code``; a 404 that lists the known schemes otherwise."""
    scheme = session.exec(select(VocabularyScheme).where(VocabularyScheme.code == code)).first()
    if scheme is None:
        known = session.exec(select(VocabularyScheme.code)).all()
        raise NotFound(
            gettext(
                "no vocabulary %(code)r; known schemes: %(known)s",
                code=code,
                known=", ".join(known),
            )
        )
    return scheme


def get_scheme(session: Session, code: str) -> SchemeDetail:
    return scheme_details(session, [find_scheme(session, code).code])[0]
