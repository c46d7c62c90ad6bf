"""Reading and saving translations of a practice: its title and summary, and its body
(description, design answers, lessons) and what each outcome found, which a translator may
leave untranslated. Outcomes are rewritten with every edit, so an outcome's translation is
kept under a fingerprint of the text it translates (``outcome_key``): it shows only beside
that text, and the translation is stale while one no longer matches any outcome.

The pages (and later the API's writes) call these, so the rules live in one place: a
translation is never in the original's language, texts fit their columns
(``PracticeTranslationIn``), and it records digests of the original it was made from so
it can go stale.
"""

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
)
from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.catalogue.search import index_practices
from app.i18n import gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.practices import (
    Outcome,
    Practice,
    PracticeTranslation,
    body_digest,
    original_digest,
)
from app.models.vocabularies import ORIGINS
from app.opendata.changes import is_public, note_change
from app.practices.fields import BODY_FIELDS, TEXT_LIMITS
from app.practices.revisions import people_names
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


class TranslatedOutcome(BaseModel):
    """What an outcome found, in another language (the form's ``outcomes-<n>-text``)."""

    text: Annotated[Text, limit(2000)] = None  # as long as an outcome's own


# With the body fields, each optional and as long as the original's column allows.
PracticeTranslationIn: Any = create_model(  # type: ignore[call-overload]
    "PracticeTranslationIn",
    __base__=_TitleAndSummary,
    __doc__="A practice's written fields in another language, as a translator submits "
    "them. Validate it with ``translation_input``: the practice's original language is "
    "context.",
    **{name: (Annotated[Text, limit(TEXT_LIMITS[name])], None) for name in BODY_FIELDS},
    outcomes=(list[TranslatedOutcome], Field(default_factory=list, max_length=50)),
)


def original_outcomes(session: Session, practice: Practice) -> list[str]:
    """What each of the practice's outcomes found, in the order pages show them."""
    found = select(Outcome.text).where(Outcome.practice_id == practice.id)
    return list(session.exec(found.order_by(col(Outcome.id))).all())


def outcome_key(text: str) -> str:
    """The fingerprint an outcome's translation is kept under: of the text it translates."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def translated_outcomes(
    translation: PracticeTranslation | None, originals: list[str]
) -> list[str | None]:
    """The translation of each of ``originals`` (a practice's outcomes), None where none."""
    saved = (translation.outcome_texts if translation else None) or {}
    return [saved.get(outcome_key(text)) for text in originals]


def translation_input(practice: Practice, values: dict[str, Any]) -> Any:
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
    # The form posts a box per outcome, in the order of the practice's outcomes.
    originals = original_outcomes(session, practice)
    outcomes = {
        outcome_key(original): given.text
        for original, given in zip(originals, data.outcomes, strict=False)
        if given.text
    }
    translation.outcome_texts = outcomes or None
    translated_body = any(getattr(data, name) for name in BODY_FIELDS) or bool(outcomes)
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


@dataclass
class TranslatedText:
    """A practice's body and outcomes as a reader sees them with a translation shown."""

    body: dict[str, str | None]  # field name -> text
    outcomes: list[str | None]  # of each outcome, in order: its translation, or None
    translation: TranslationOut | None  # completed with its fields and staleness

    def outcome(self, at: int) -> str | None:
        """The translation of the outcome at position ``at``, if it has one."""
        return self.outcomes[at] if at < len(self.outcomes) else None

    @property
    def language(self) -> str | None:
        return self.translation.language if self.translation else None


def with_translated_body(
    session: Session, practice: Practice, shown: TranslationOut | None
) -> TranslatedText:
    """The practice's body fields and outcomes alongside the translation ``shown`` of its
    title and summary (None: the original): each one the translation has replaces the
    original's; and ``shown`` completed with those fields and with whether the original
    changed since."""
    body = {name: getattr(practice, name) for name in BODY_FIELDS}
    if shown is None:
        return TranslatedText(body, [], None)
    translation = practice_translation(session, practice, shown.language)
    if translation is None or translation.body_digest is None:
        return TranslatedText(body, [], shown)
    translated = [name for name in BODY_FIELDS if getattr(translation, name)]
    body |= {name: getattr(translation, name) for name in translated}
    originals = original_outcomes(session, practice)
    outcomes = translated_outcomes(translation, originals)
    fields = [*shown.fields, *translated, *(["outcomes"] if any(outcomes) else [])]
    stale = is_stale(session, practice, translation, originals)
    return TranslatedText(
        body, outcomes, shown.model_copy(update={"fields": fields, "stale": stale})
    )


def is_stale(
    session: Session,
    practice: Practice,
    translation: PracticeTranslation,
    originals: list[str] | None = None,
) -> bool:
    """Whether the original changed after ``translation`` was made from it. ``originals``
    are the practice's outcomes (``original_outcomes``), when already read."""
    if translation.source_digest != original_digest(practice.title, practice.summary):
        return True
    if translation.body_digest not in (None, _body_digest(practice)):
        return True
    if originals is None:
        originals = original_outcomes(session, practice)
    current = {outcome_key(text) for text in originals}
    return not current.issuperset(translation.outcome_texts or {})  # an outcome changed


def translated_fields(
    session: Session, practice: Practice, translation: PracticeTranslation
) -> list[tuple[str, int, str]]:
    """The fields a translation holds, in the form's order, as (field name, outcome number
    or 0, text): each outcome's translation on its own."""
    names = ("title", "summary", *BODY_FIELDS)
    found = [(n, 0, getattr(translation, n)) for n in names if getattr(translation, n)]
    outcomes = translated_outcomes(translation, original_outcomes(session, practice))
    return found + [("outcomes", at, text) for at, text in enumerate(outcomes, 1) if text]


def translator_name(session: Session, practice: Practice, language: str) -> str | None:
    """Who last saved the translation into ``language``, as the history names people."""
    translation = practice_translation(session, practice, language)
    if translation is None or translation.updated_by_id is None:
        return None
    return people_names(session, {translation.updated_by_id}).get(translation.updated_by_id)
