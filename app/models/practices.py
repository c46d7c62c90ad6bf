"""Practices, their classification, outcomes, lineage, revisions and translations."""

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class Practice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=160, unique=True, index=True)
    title: str = Field(max_length=300)
    summary: str = Field(max_length=1000)
    description: str | None = Field(default=None, max_length=20000)
    place_id: int = Field(foreign_key="place.id", index=True)
    lead_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    start_year: int | None = None
    end_year: int | None = None
    # The AMICALL design questions, in the author's words (the terms classify them too).
    aim: str | None = Field(default=None, max_length=2000)
    participants: str | None = Field(default=None, max_length=1000)
    audience: str | None = Field(default=None, max_length=1000)
    what_did_not_work: str | None = Field(default=None, max_length=10000)
    know_how: str | None = Field(default=None, max_length=10000)
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    links: list[str] = Field(default_factory=list, sa_type=JSON)
    original_language: str = Field(default="en", max_length=10)
    status: str = Field(default="published", max_length=20, index=True)  # see STATUSES
    visibility: str = Field(default="public", max_length=20, index=True)  # see VISIBILITIES
    # Bumped by every write, with a conditional UPDATE: a form or API client that read
    # version n can only save while the row is still at n (optimistic concurrency).
    version: int = Field(default=1)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(index=True)  # peer features' change check


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
    kind: str = Field(max_length=20)  # see LINEAGE_KINDS
    note: str | None = Field(default=None, max_length=2000)


# Publishing. The live rows above hold what readers see. An edit is a ``PracticeRevision``
# whose ``data`` is the whole submitted form (``app.schemas.PracticeIn``): it is drafted,
# submitted, and on publication applied to the live rows and numbered, so every published
# state stays readable and comparable.
STATUSES = ("draft", "submitted", "published", "archived")


VISIBILITIES = ("public", "network")


REVISION_STATES = ("draft", "submitted", "returned", "published", "withdrawn")


LINEAGE_KINDS = ("adapted-from", "inspired-by")


class PracticeRevision(SQLModel, table=True):
    __tablename__ = "practice_revision"
    __table_args__ = (
        UniqueConstraint("practice_id", "number", name="uq_practice_revision_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    number: int | None = None  # 1, 2, … once published
    state: str = Field(default="draft", max_length=20, index=True)  # see REVISION_STATES
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


class PracticeTranslation(SQLModel, table=True):
    """A practice's title and summary in another language.

    ``source_digest`` fingerprints the original title and summary it was made from: when
    the original changes afterwards, the digests differ and the translation is stale.
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
    origin: str = Field(default="human", max_length=10)  # human | machine
    source_digest: str = Field(max_length=64)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


def original_digest(title: str, summary: str) -> str:
    """Fingerprint of the text a practice translation is made from (see ``source_digest``)."""
    return hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()
