"""Translating a scheme's terms into the interface languages."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator
from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.errors import InvalidInput
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermTranslation
from app.validation import Stripped, filled, form_errors, limit


class TermTranslationIn(BaseModel):
    """One row of the vocabulary translation form: a term's label and definition."""

    # The definition comes first so that the label's check can see it.
    definition: Annotated[Stripped, limit(2000)] = ""
    label: Annotated[Stripped, limit(300)] = ""

    @field_validator("label")
    @classmethod
    def _labelled(cls, value: str, info: ValidationInfo) -> str:
        # A definition needs a label; one that failed its own check was written, too.
        if "definition" not in info.data or info.data["definition"]:
            return filled(value)
        return value


@dataclass
class TermRow:
    """One row of the vocabulary translation form: the English term and its translation."""

    code: str
    label: str
    definition: str | None
    depth: int
    translated_label: str = ""
    translated_definition: str = ""
    origin: str | None = None


def term_rows(session: Session, scheme: VocabularyScheme, language: str) -> list[TermRow]:
    terms = session.exec(
        select(VocabularyTerm)
        .where(VocabularyTerm.scheme_id == scheme.id)
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ).all()
    translations = {
        t.term_id: t
        for t in session.exec(
            select(VocabularyTermTranslation).where(
                col(VocabularyTermTranslation.term_id).in_([t.id for t in terms]),
                VocabularyTermTranslation.language == language,
            )
        )
    }
    parents = {t.id: t.parent_id for t in terms}

    def depth(term_id: int | None) -> int:
        level = 0
        while parents.get(term_id) is not None:
            term_id, level = parents[term_id], level + 1
        return level

    rows = []
    for term in terms:
        translation = translations.get(term.id)  # type: ignore[arg-type]
        rows.append(
            TermRow(
                code=term.code,
                label=term.label,
                definition=term.definition,
                depth=depth(term.id),
                translated_label=translation.label if translation else "",
                translated_definition=(translation.definition or "") if translation else "",
                origin=translation.origin if translation else None,
            )
        )
    return rows


def save_term_translations(
    session: Session,
    scheme: VocabularyScheme,
    user: User,
    language: str,
    submitted: Mapping[str, tuple[str, str]],
) -> None:
    """Save the labels and definitions a moderator edited (by term code); raises
    ``InvalidInput`` (fields ``label-<code>``, ``definition-<code>``) and writes nothing
    if any row is wrong.

    A changed row becomes a human translation; an unchanged row keeps its origin. A blank
    label removes nothing: the English label shows until someone writes one.
    """
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        raise InvalidInput({"language": gettext("Choose one of the listed languages.")})
    terms = {
        t.code: t
        for t in session.exec(select(VocabularyTerm).where(VocabularyTerm.scheme_id == scheme.id))
    }
    errors: dict[str, str] = {}
    cleaned: dict[str, TermTranslationIn] = {}
    for code, (label, definition) in submitted.items():
        if code not in terms:
            errors.setdefault(f"label-{code}", gettext("Unknown term."))
            continue
        try:
            cleaned[code] = TermTranslationIn(label=label, definition=definition)
        except ValidationError as exc:
            found = form_errors(exc)
            for name in ("label", "definition"):  # in the form's order
                if name in found:
                    errors.setdefault(f"{name}-{code}", found[name])
    if errors:
        raise InvalidInput(errors)
    existing = {
        t.term_id: t
        for t in session.exec(
            select(VocabularyTermTranslation).where(
                col(VocabularyTermTranslation.term_id).in_([t.id for t in terms.values()]),
                VocabularyTermTranslation.language == language,
            )
        )
    }
    for code, row in cleaned.items():
        term, label, definition = terms[code], row.label, row.definition
        translation = existing.get(term.id)  # type: ignore[arg-type]
        if not label:
            continue
        if translation is None:
            translation = VocabularyTermTranslation(
                term_id=term.id,  # type: ignore[arg-type]
                language=language,
                label=label,
            )
        elif translation.label == label and (translation.definition or "") == definition:
            continue
        translation.label = label
        translation.definition = definition or None
        translation.origin = "human"
        translation.updated_at = utcnow()
        translation.updated_by_id = user.id
        session.add(translation)
    record(session, user, "vocabulary.translate", scheme.code, language=language)
    session.commit()
