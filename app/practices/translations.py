"""Reading and saving translations of a practice: its title and summary, and its body
(description, design answers, lessons), which a translator may leave untranslated.

The pages (and later the API's writes) call these, so the rules live in one place: a
translation is never in the original's language, texts fit their columns
(``PracticeTranslationIn``), and it records digests of the original it was made from so
it can go stale.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ValidationInfo, create_model, field_validator
from sqlmodel import Session, select

from app.accounts.audit import record
from app.catalogue.search import index_practices
from app.i18n import gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.practices import Practice, PracticeTranslation, body_digest, original_digest
from app.models.vocabularies import ORIGINS
from app.opendata.changes import is_public, note_change
from app.practices.fields import BODY_FIELDS, TEXT_LIMITS
from app.practices.schemas import TranslationOut
from app.validation import Filled, Text, interface_language, limit, parse_form


class _TitleAndSummary(BaseModel):
    """A practice's title and summary in another language, as a translator submits them."""

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


# With the body fields, each optional and as long as the original's column allows.
PracticeTranslationIn: Any = create_model(  # type: ignore[call-overload]
    "PracticeTranslationIn",
    __base__=_TitleAndSummary,
    __doc__="A practice's written fields in another language, as a translator submits "
    "them. Validate it with ``translation_input``: the practice's original language is "
    "context.",
    **{name: (Annotated[Text, limit(TEXT_LIMITS[name])], None) for name in BODY_FIELDS},
)


def translation_input(practice: Practice, values: dict[str, str]) -> Any:
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


def save_practice_translation(session: Session, practice: Practice, user: User, data: Any) -> None:
    """Create or replace the translation into ``data.language`` (a validated
    ``PracticeTranslationIn``)."""
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
    for name in BODY_FIELDS:
        setattr(translation, name, getattr(data, name))
    translated_body = any(getattr(data, name) for name in BODY_FIELDS)
    translation.body_digest = _body_digest(practice) if translated_body else None
    translation.updated_at = utcnow()
    translation.updated_by_id = user.id
    session.add(translation)
    session.flush()
    index_practices(session, [translation.practice_id])
    note_change(session, practice, was_public=is_public(practice))
    record(session, user, "practice.translate", practice.slug, language=language, origin=origin)
    session.commit()


def _body_digest(practice: Practice) -> str:
    return body_digest([getattr(practice, name) for name in BODY_FIELDS])


def with_translated_body(
    session: Session, practice: Practice, shown: TranslationOut | None
) -> tuple[dict[str, str | None], TranslationOut | None]:
    """The practice's body fields as a reader sees them alongside the translation
    ``shown`` of its title and summary (None: the original): each field the translation
    has replaces the original's; and ``shown`` completed with those fields and with
    whether the original body changed since."""
    body = {name: getattr(practice, name) for name in BODY_FIELDS}
    if shown is None:
        return body, None
    translation = practice_translation(session, practice, shown.language)
    if translation is None or translation.body_digest is None:
        return body, shown
    translated = [name for name in BODY_FIELDS if getattr(translation, name)]
    body |= {name: getattr(translation, name) for name in translated}
    return body, shown.model_copy(
        update={"fields": [*shown.fields, *translated], "stale": is_stale(practice, translation)}
    )


def is_stale(practice: Practice, translation: PracticeTranslation) -> bool:
    """Whether the original changed after ``translation`` was made from it."""
    if translation.source_digest != original_digest(practice.title, practice.summary):
        return True
    return translation.body_digest not in (None, _body_digest(practice))


def translated_fields(translation: PracticeTranslation) -> list[tuple[str, str]]:
    """The fields a translation holds, as (field name, text), in the form's order."""
    names = ("title", "summary", *BODY_FIELDS)
    return [(name, getattr(translation, name)) for name in names if getattr(translation, name)]
