"""Reading and saving translations of practices and of vocabulary terms.

The pages (and later the API's writes) call these, so the rules live in one place: a
translation is never in the original's language, texts fit their columns, and a practice
translation records the digest of the original it was made from so it can go stale.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.audit import record
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext
from app.models import (
    ORIGINS,
    Practice,
    PracticeTranslation,
    User,
    VocabularyScheme,
    VocabularyTerm,
    VocabularyTermTranslation,
    original_digest,
    utcnow,
)
from app.queries.changes import is_public, note_change
from app.queries.search import index_practices
from app.schemas import too_long


@dataclass
class FormErrors:
    """Problems with submitted fields, by field name, in the reader's language."""

    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)


def _text(errors: FormErrors, name: str, value: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        errors.add(name, gettext("This field is required."))
    elif len(value) > limit:
        errors.add(name, too_long(limit, len(value)))
    return value


def practice_translation(
    session: Session, practice: Practice, language: str
) -> PracticeTranslation | None:
    return session.exec(
        select(PracticeTranslation).where(
            PracticeTranslation.practice_id == practice.id,
            PracticeTranslation.language == language,
        )
    ).first()


def save_practice_translation(
    session: Session,
    practice: Practice,
    user: User,
    *,
    language: str,
    title: str,
    summary: str,
    origin: str,
) -> FormErrors:
    """Create or replace the translation into ``language``; nothing is written on errors."""
    errors = FormErrors()
    if language not in LANGUAGES:
        errors.add("language", gettext("Choose one of the listed languages."))
    elif language == practice.original_language:
        errors.add("language", gettext("This is the language of the original."))
    if origin not in ORIGINS:
        errors.add("origin", gettext("Say whether a person or a machine translated it."))
    title = _text(errors, "title", title, 300)
    summary = _text(errors, "summary", summary, 1000)
    if errors:
        return errors
    translation = practice_translation(session, practice, language) or PracticeTranslation(
        practice_id=practice.id,  # type: ignore[arg-type]
        language=language,
        title=title,
        summary=summary,
        source_digest="",
    )
    translation.title = title
    translation.summary = summary
    translation.origin = origin
    translation.source_digest = original_digest(practice.title, practice.summary)
    translation.updated_at = utcnow()
    translation.updated_by_id = user.id
    session.add(translation)
    session.flush()
    index_practices(session, [translation.practice_id])
    note_change(session, practice, was_public=is_public(practice))
    record(session, user, "practice.translate", practice.slug, language=language, origin=origin)
    session.commit()
    return errors


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
        label = _text(errors, f"label-{code}", label, 300, required=bool(definition.strip()))
        definition = _text(errors, f"definition-{code}", definition, 2000, required=False)
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
