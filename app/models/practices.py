"""Practices, their classification, outcomes, lineage, revisions and translations.

``PracticeBase`` declares a practice's own editable fields once: the table adds its keys
and bookkeeping, ``app.practices.input.PracticeIn`` (what forms and the API validate) adds
the slugs and child rows a writer names. SQLModel tables do not validate, so the
validators in the annotations only run for the input.
"""

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints
from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from app.i18n import LANGUAGES
from app.models.base import timestamp_field
from app.models.design import DesignAnswers
from app.validation import LANGUAGE_TAG, RequiredText, Text, Year, interface_language, limit


class PracticeStatus(StrEnum):
    """Where a practice stands in the catalogue."""

    # (Its open edit, if any, has a RevisionState of its own.)
    draft = "draft"
    submitted = "submitted"
    published = "published"
    archived = "archived"


class Visibility(StrEnum):
    public = "public"
    network = "network"  # only signed-in members of the lead organisation's networks


class RevisionState(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    published = "published"
    withdrawn = "withdrawn"


class LineageKind(StrEnum):
    adapted_from = "adapted-from"
    inspired_by = "inspired-by"


def _enum_column(**kwargs: Any) -> Any:
    # Enums are stored as their value in a VARCHAR(20) (no database enum type to migrate).
    return Field(sa_type=AutoString(length=20), **kwargs)


LanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_TAG.pattern, max_length=35)]


WebAddress = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\s<>\"]+$")]


class PracticeBase(DesignAnswers):
    """A practice's own fields as its authors write them (not its place, lead, terms,
    outcomes or lineage, which refer to other rows), with its design profile."""

    title: Annotated[RequiredText, limit(300)] = Field(
        description="Name of the initiative.", schema_extra={"examples": ["Anti-Rumour Strategy"]}
    )
    summary: Annotated[Text, limit(1000)] = Field(
        default=None, description="One or two sentences (needed to submit)."
    )
    description: Annotated[Text, limit(20000)] = Field(
        default=None, description="Longer description; blank lines separate paragraphs."
    )
    original_language: Annotated[str, AfterValidator(interface_language), limit(10)] = Field(
        default="en",
        description="Language the text is written in: " + ", ".join(LANGUAGES) + ".",
        schema_extra={"examples": ["es"]},
    )
    start_year: Year | None = Field(default=None, description="Year it started.")
    end_year: Year | None = Field(default=None, description="Year it ended.")
    # The AMICALL design questions, in the author's words (the terms classify them too).
    aim: Annotated[Text, limit(2000)] = Field(
        default=None, description="What it is designed to achieve, in the authors' words."
    )
    participants: Annotated[Text, limit(1000)] = Field(default=None, description="Who takes part.")
    audience: Annotated[Text, limit(1000)] = Field(
        default=None, description="Whose views or behaviour it should influence."
    )
    what_did_not_work: Annotated[Text, limit(10000)] = Field(
        default=None, description="Lessons and failures."
    )
    know_how: Annotated[Text, limit(10000)] = Field(
        default=None, description="What someone copying it would need."
    )
    languages: list[LanguageTag] = Field(
        default_factory=list,
        max_length=30,
        sa_type=JSON,
        description="Languages it is offered in (BCP 47).",
    )
    links: list[WebAddress] = Field(
        default_factory=list, max_length=20, sa_type=JSON, description="Web addresses about it."
    )
    visibility: Visibility = _enum_column(
        default=Visibility.public,
        index=True,
        description="public, or network: only signed-in members of the lead "
        "organisation's networks see it.",
        schema_extra={"examples": ["public"]},
    )


class Practice(PracticeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=160, unique=True, index=True)
    # A draft may lack a summary (the input's None); the column holds "" for it.
    summary: str = Field(max_length=1000)
    place_id: int = Field(foreign_key="place.id", index=True)
    lead_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    status: PracticeStatus = _enum_column(default=PracticeStatus.published, index=True)
    # Bumped by every write, with a conditional UPDATE: a form or API client that read
    # version n can only save while the row is still at n (optimistic concurrency).
    version: int = Field(default=1)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # When someone last confirmed it is still accurate (publishing an edit confirms it),
    # and who; a practice loaded from the reports counts as verified when it was published.
    verified_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    verified_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(index=True)


class PracticeTerm(SQLModel, table=True):
    __tablename__ = "practice_term"

    practice_id: int = Field(foreign_key="practice.id", primary_key=True, ondelete="CASCADE")
    term_id: int = Field(
        foreign_key="vocabulary_term.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class PracticePartner(SQLModel, table=True):
    __tablename__ = "practice_partner"
    __table_args__ = (
        UniqueConstraint("practice_id", "organisation_id", name="uq_practice_partner_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str | None = Field(default=None, max_length=300)


class PracticeSource(SQLModel, table=True):
    __tablename__ = "practice_source"
    __table_args__ = (UniqueConstraint("practice_id", "source_id", name="uq_practice_source_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="source.id", index=True)
    locator: str | None = Field(default=None, max_length=1000)


class Outcome(SQLModel, table=True):
    """A result recorded for a practice: a statement, optionally a measured value.

    The reports date outcomes by year only; officers may give a full date.
    """

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=2000)
    metric: str | None = Field(default=None, max_length=200)
    value: str | None = Field(default=None, max_length=100)
    year: int | None = None
    observed_on: date | None = None
    source_id: int | None = Field(default=None, foreign_key="source.id")
    source_note: str | None = Field(default=None, max_length=500)
    evidence_level: str | None = Field(default=None, max_length=80)  # term code


class PracticeLineage(SQLModel, table=True):
    """``practice`` was adapted from (or inspired by) ``origin``, and what was changed."""

    __tablename__ = "practice_lineage"
    __table_args__ = (
        UniqueConstraint("practice_id", "origin_id", name="uq_practice_lineage_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    origin_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    kind: LineageKind = _enum_column()
    note: str | None = Field(default=None, max_length=2000)


# Publishing. The live rows above hold what readers see. An edit is a ``PracticeRevision``
# whose ``data`` is the whole submitted form (``PracticeIn``): it is drafted, submitted,
# and on publication applied to the live rows and numbered, so every published state stays
# readable and comparable.
class PracticeRevision(SQLModel, table=True):
    __tablename__ = "practice_revision"
    __table_args__ = (
        UniqueConstraint("practice_id", "number", name="uq_practice_revision_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    number: int | None = None  # 1, 2, … once published
    state: RevisionState = _enum_column(default=RevisionState.draft, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    note: str | None = Field(default=None, max_length=1000)  # the author's "what changed"
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    reviewer_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    review_comment: str | None = Field(default=None, max_length=2000)
    # The edit as a moderator returned it, to show what the resubmission changed.
    returned_data: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class PracticeTranslation(DesignAnswers, table=True):
    """A practice's written fields in another language: its title and summary, and its
    body (description, design answers, lessons) where the translator translated it.

    ``source_digest`` fingerprints the original title and summary it was made from, and
    ``body_digest`` the original body (None when the body was not translated): when the
    original changes afterwards, the digests differ and the translation is stale.
    """

    __tablename__ = "practice_translation"
    __table_args__ = (
        UniqueConstraint("practice_id", "language", name="uq_practice_translation_lang"),
    )

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=10)
    title: str = Field(max_length=300)
    summary: str = Field(max_length=1000)
    # The body fields of ``app.practices.fields.BODY_FIELDS``, as long as the original's
    # (the design answers come with ``DesignAnswers``).
    description: str | None = Field(default=None, max_length=20000)
    aim: str | None = Field(default=None, max_length=2000)
    participants: str | None = Field(default=None, max_length=1000)
    audience: str | None = Field(default=None, max_length=1000)
    what_did_not_work: str | None = Field(default=None, max_length=10000)
    know_how: str | None = Field(default=None, max_length=10000)
    # What each outcome found, under a fingerprint of the original text it translates
    # (app.practices.translations.outcome_key): outcomes are rewritten with every edit.
    outcome_texts: dict[str, str] | None = Field(default=None, sa_type=JSON)
    origin: str = Field(default="human", max_length=10)  # human | machine
    source_digest: str = Field(max_length=64)
    body_digest: str | None = Field(default=None, max_length=64)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


def original_digest(title: str, summary: str) -> str:
    """Fingerprint of the text a practice translation is made from (see ``source_digest``)."""
    return hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()


# How many body fields there were before the design answers: fields added since count only
# when given, so that adding one leaves the fingerprints of existing translations as they were.
_FIRST_BODY_FIELDS = 6


def body_digest(body: Sequence[str | None]) -> str:
    """Fingerprint of the original body fields a translation's body is made from (see
    ``body_digest``), given in the order of ``BODY_FIELDS``."""
    texts = [text or "" for text in body]
    while len(texts) > _FIRST_BODY_FIELDS and not texts[-1]:
        texts.pop()
    return hashlib.sha256("\x1f".join(texts).encode()).hexdigest()
