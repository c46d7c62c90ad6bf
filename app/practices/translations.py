"""Reading and saving translations of practices and of vocabulary terms.

The pages (and later the API's writes) call these, so the rules live in one place: a
translation is never in the original's language, texts fit their columns, and a practice
translation records the digest of the original it was made from so it can go stale.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.accounts.audit import record
from app.catalogue.search import index_practices
from app.i18n import LANGUAGES, gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.practices import Practice, PracticeTranslation, original_digest
from app.models.vocabularies import (
    ORIGINS,
)
from app.opendata.changes import is_public, note_change
from app.schemas import too_long


@dataclass
class FormErrors:
    """Problems with submitted fields, by field name, in the reader's language."""

    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)


def checked_text(
    errors: FormErrors, name: str, value: str, limit: int, required: bool = True
) -> str:
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
    title = checked_text(errors, "title", title, 300)
    summary = checked_text(errors, "summary", summary, 1000)
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
