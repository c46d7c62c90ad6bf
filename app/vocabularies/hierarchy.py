"""Helpers for hierarchical vocabularies (schemes of terms with sub-types)."""

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, delete, select

from app.models.vocabularies import VocabularyTerm, VocabularyTermAncestor


def flatten_terms_with_parent(
    terms: list[dict[str, Any]], parent: str | None = None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Yield each term of a nested YAML term list with its parent code, parents first."""
    for term in terms:
        yield term, parent
        yield from flatten_terms_with_parent(term.get("children") or [], term["code"])


def flatten_terms(terms: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for term, _parent in flatten_terms_with_parent(terms):
        yield term


def rebuild_closure(session: Session) -> None:
    """Recompute the ancestor closure of every term; cheap (a few hundred rows)."""
    parents = {t.id: t.parent_id for t in session.exec(select(VocabularyTerm))}
    session.exec(delete(VocabularyTermAncestor))
    for term_id in parents:
        ancestor: int | None = term_id
        seen: set[int] = set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            session.add(VocabularyTermAncestor(term_id=term_id, ancestor_id=ancestor))  # type: ignore[arg-type]
            ancestor = parents.get(ancestor)
    session.flush()
