"""Reading vocabularies: schemes, terms, and code lookups used to validate filters."""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.errors import InvalidParameter, NotFound
from app.models import Source, VocabularyScheme, VocabularyTerm
from app.queries.common import source_ref
from app.schemas import SchemeDetail, SchemeSummary, TermOut


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
        select(VocabularyTerm)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(VocabularyScheme.code == scheme)
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ).all()
    by_id = {t.id: t for t in rows}
    terms = {
        t.code: Term(
            id=int(t.id),  # type: ignore[arg-type]
            code=t.code,
            label=t.label,
            parent_code=by_id[t.parent_id].code if t.parent_id in by_id else None,
            position=t.position,
        )
        for t in rows
    }
    return terms


def resolve_codes(session: Session, param: str, scheme: str, codes: list[str]) -> list[int]:
    """Term ids for ``codes``; a 422 naming the parameter and the allowed codes otherwise."""
    terms = scheme_terms(session, scheme)
    unknown = [c for c in codes if c not in terms]
    if unknown:
        raise InvalidParameter(
            param, f"unknown value {', '.join(map(repr, unknown))}", allowed=list(terms)
        )
    return [terms[c].id for c in codes]


def list_schemes(session: Session) -> list[SchemeSummary]:
    counts = dict(
        session.exec(
            select(VocabularyTerm.scheme_id, func.count()).group_by(col(VocabularyTerm.scheme_id))
        ).all()
    )
    rows = session.exec(
        select(VocabularyScheme, Source)
        .outerjoin(Source, col(Source.id) == VocabularyScheme.source_id)
        .order_by(col(VocabularyScheme.id))
    ).all()
    return [
        SchemeSummary(
            scheme=s.code,
            label=s.label,
            description=s.description,
            source=source_ref(src),
            term_count=counts.get(s.id or 0, 0),
        )
        for s, src in rows
    ]


def scheme_details(session: Session, codes: list[str] | None = None) -> list[SchemeDetail]:
    """Schemes with their terms (all, or those in ``codes``), in two queries."""
    statement = (
        select(VocabularyScheme, Source)
        .outerjoin(Source, col(Source.id) == VocabularyScheme.source_id)
        .order_by(col(VocabularyScheme.id))
    )
    if codes is not None:
        statement = statement.where(col(VocabularyScheme.code).in_(codes))
    rows = session.exec(statement).all()
    terms_by_scheme: dict[int, list[VocabularyTerm]] = {}
    for term in session.exec(
        select(VocabularyTerm)
        .where(col(VocabularyTerm.scheme_id).in_([scheme.id for scheme, _ in rows]))
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ):
        terms_by_scheme.setdefault(term.scheme_id, []).append(term)
    return [
        _detail(scheme, source, terms_by_scheme.get(scheme.id or 0, [])) for scheme, source in rows
    ]


def _detail(
    scheme: VocabularyScheme, source: Source | None, terms: list[VocabularyTerm]
) -> SchemeDetail:
    by_id = {t.id: t for t in terms}
    ordered: list[VocabularyTerm] = []

    def visit(parent_id: int | None) -> None:
        for term in terms:
            if term.parent_id == parent_id:
                ordered.append(term)
                visit(term.id)

    visit(None)
    return SchemeDetail(
        scheme=scheme.code,
        label=scheme.label,
        description=scheme.description,
        source=source_ref(source),
        term_count=len(terms),
        terms=[
            TermOut(
                code=t.code,
                label=t.label,
                definition=t.definition,
                parent=by_id[t.parent_id].code if t.parent_id in by_id else None,
                position=t.position,
                origin=t.origin,
            )
            for t in ordered
        ],
    )


def get_scheme(session: Session, code: str) -> SchemeDetail:
    found = scheme_details(session, [code])
    if not found:
        known = session.exec(select(VocabularyScheme.code)).all()
        raise NotFound(f"no vocabulary {code!r}; known schemes: {', '.join(known)}")
    return found[0]
