"""Reading and saving translations of a practice's title and summary.

The pages (and later the API's writes) call these, so the rules live in one place: a
translation is never in the original's language, texts fit their columns
(``PracticeTranslationIn``), and it records the digest of the original it was made from
so it can go stale.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator
from sqlmodel import Session, select

from app.accounts.audit import record
from app.catalogue.search import index_practices
from app.i18n import gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.practices import Practice, PracticeTranslation, original_digest
from app.models.vocabularies import ORIGINS
from app.opendata.changes import is_public, note_change
from app.validation import Filled, interface_language, limit, parse_form


class PracticeTranslationIn(BaseModel):
    """A practice's title and summary in another language, as a translator submits them.

    Validate it with ``translation_input``: the practice's original language is context."""

    language: Annotated[str, AfterValidator(interface_language)]
    origin: str  # declared second: the form reports its problems in this order
    title: Annotated[Filled, limit(300)]
    summary: Annotated[Filled, limit(1000)]

    @field_validator("language")
    @classmethod
    def _not_the_original(cls, value: str, info: ValidationInfo) -> str:
        if info.context and value == info.context.get("original_language"):
            raise ValueError(gettext("This is the language of the original."))
        return value

    @field_validator("origin")
    @classmethod
    def _known_origin(cls, value: str) -> str:
        if value not in ORIGINS:
            raise ValueError(gettext("Say whether a person or a machine translated it."))
        return value


def translation_input(practice: Practice, values: dict[str, str]) -> PracticeTranslationIn:
    """The translation form's ``values`` validated; raises ``InvalidInput`` per field."""
    context = {"original_language": practice.original_language}
    return parse_form(PracticeTranslationIn, values, context=context)


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
    session: Session, practice: Practice, user: User, data: PracticeTranslationIn
) -> None:
    """Create or replace the translation into ``data.language``."""
    language, title, summary, origin = data.language, data.title, data.summary, data.origin
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
