"""The dilemma log: a dilemma an organisation faced, how it handled it and what happened.

Private to the organisation by default; shared with its networks or with everyone only once
a moderator has read it, as practices are. The clusters and the ways of handling a dilemma
are vocabularies (schemes ``dilemma`` and ``dilemma-response``), so moderators translate
them and add to them as data.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime
from sqlmodel import AutoString, Field, SQLModel

from app.models.base import timestamp_field


class DilemmaVisibility(StrEnum):
    private = "private"  # the organisation's members only
    network = "network"  # also signed-in members of its networks, once published
    public = "public"  # everyone, once published


class DilemmaState(StrEnum):
    draft = "draft"  # being written, or kept private
    submitted = "submitted"  # to be shared: waits for a moderator
    returned = "returned"  # a moderator asked for changes
    published = "published"  # shared as its visibility says


class Dilemma(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    practice_id: int | None = Field(
        default=None, foreign_key="practice.id", index=True, ondelete="SET NULL"
    )
    cluster: str = Field(max_length=80, index=True)  # a term code of scheme "dilemma"
    response: str | None = Field(default=None, max_length=80)  # of "dilemma-response"
    title: str = Field(max_length=300)
    situation: str = Field(max_length=5000)
    handling: str | None = Field(default=None, max_length=5000)
    result: str | None = Field(default=None, max_length=5000)
    language: str = Field(default="en", max_length=10)
    visibility: DilemmaVisibility = Field(
        default=DilemmaVisibility.private, sa_type=AutoString(length=20), index=True
    )
    state: DilemmaState = Field(
        default=DilemmaState.draft, sa_type=AutoString(length=20), index=True
    )
    review_comment: str | None = Field(default=None, max_length=2000)
    reviewer_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
