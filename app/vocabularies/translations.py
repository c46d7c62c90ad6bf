"""Translating a scheme's terms into the interface languages."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermTranslation
from app.practices.translations import FormErrors, checked_text


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
    submitted: dict[str, tuple[str, str]],
) -> FormErrors:
    """Save the labels and definitions a moderator edited (by term code).

    A changed row becomes a human translation; an unchanged row keeps its origin. A blank
    label removes nothing: the English label shows until someone writes one.
    """
    errors = FormErrors()
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        errors.add("language", gettext("Choose one of the listed languages."))
        return errors
    terms = {
        t.code: t
        for t in session.exec(select(VocabularyTerm).where(VocabularyTerm.scheme_id == scheme.id))
    }
    cleaned: dict[str, tuple[str, str]] = {}
    for code, (label, definition) in submitted.items():
        if code not in terms:
            errors.add(f"label-{code}", gettext("Unknown term."))
            continue
        label = checked_text(errors, f"label-{code}", label, 300, required=bool(definition.strip()))
        definition = checked_text(errors, f"definition-{code}", definition, 2000, required=False)
        cleaned[code] = (label, definition)
    if errors:
        return errors
    existing = {
        t.term_id: t
        for t in session.exec(
            select(VocabularyTermTranslation).where(
                col(VocabularyTermTranslation.term_id).in_([t.id for t in terms.values()]),
                VocabularyTermTranslation.language == language,
            )
        )
    }
    for code, (label, definition) in cleaned.items():
        term = terms[code]
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
    return errors
