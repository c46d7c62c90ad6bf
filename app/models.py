"""Database tables. One module so a newcomer sees the whole domain at once.

Typologies are data (``VocabularyScheme``/``VocabularyTerm``), never enums: the reports say
the typology is still evolving. Practices carry moderation ``status`` and ``visibility``
from the start so that drafts and network-only practices can arrive without reshaping
every query.
"""

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

# Stable constraint names, so Alembic batch migrations on SQLite can drop them.
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _timestamp(*, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, index=index),
    )


class Source(SQLModel, table=True):
    """A document that facts and practices cite (the five seed reports, and later others)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    title: str = Field(max_length=400)
    authors: str | None = Field(default=None, max_length=400)
    publisher: str | None = Field(default=None, max_length=200)
    year: int | None = None
    date_note: str | None = Field(default=None, max_length=200)
    identifier: str | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=500)


class VocabularyScheme(SQLModel, table=True):
    __tablename__ = "vocabulary_scheme"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True, index=True)
    label: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    locator: str | None = Field(default=None, max_length=200)


class VocabularyTerm(SQLModel, table=True):
    __tablename__ = "vocabulary_term"
    __table_args__ = (UniqueConstraint("scheme_id", "code", name="uq_vocabulary_term_scheme_code"),)

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: int = Field(foreign_key="vocabulary_scheme.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=80)
    label: str = Field(max_length=300)
    definition: str | None = Field(default=None, max_length=2000)
    parent_id: int | None = Field(default=None, foreign_key="vocabulary_term.id")
    position: int = 0
    origin: str = Field(default="report", max_length=20)  # report | platform
    source_id: int | None = Field(default=None, foreign_key="source.id")


class VocabularyTermAncestor(SQLModel, table=True):
    """Closure of the term hierarchy (each term is its own ancestor).

    Filtering by a term includes its sub-types, and facet counts roll up, with one join
    and at any depth.
    """

    __tablename__ = "vocabulary_term_ancestor"

    term_id: int = Field(foreign_key="vocabulary_term.id", primary_key=True, ondelete="CASCADE")
    ancestor_id: int = Field(
        foreign_key="vocabulary_term.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class Place(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2, index=True)  # ISO 3166-1 alpha-2
    level: str = Field(max_length=40)  # term code in scheme place-level
    parent_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    urban_rural: str | None = Field(default=None, max_length=10)
    migration_history: str | None = Field(default=None, max_length=40)
    arrival_groups: list[str] = Field(default_factory=list, sa_type=JSON)
    governance_notes: str | None = Field(default=None, max_length=4000)
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp(index=True)  # peer features' change check


class PlaceFact(SQLModel, table=True):
    """A context fact about a place, always with where it comes from and when."""

    __tablename__ = "place_fact"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)  # population | foreign-born-share | other
    label: str | None = Field(default=None, max_length=300)
    value: float | None = None
    unit: str | None = Field(default=None, max_length=30)
    text: str | None = Field(default=None, max_length=2000)
    year: int | None = None
    source_id: int | None = Field(default=None, foreign_key="source.id")
    cites: str | None = Field(default=None, max_length=500)
    locator: str | None = Field(default=None, max_length=500)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    name: str = Field(max_length=300)
    type: str = Field(max_length=40)  # term code in scheme organisation-type
    place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    url: str | None = Field(default=None, max_length=500)
    # Trusted by an admin: what its API keys submit is published without review.
    trusted: bool = Field(default=False)


class Network(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    name: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    url: str | None = Field(default=None, max_length=500)


class Membership(SQLModel, table=True):
    """Joins a place or an organisation to a network."""

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True, ondelete="CASCADE")
    place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    role: str = Field(default="member", max_length=40)
    start_year: int | None = None
    end_year: int | None = None
    source_id: int | None = Field(default=None, foreign_key="source.id")


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
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp(index=True)  # peer features' change check


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
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    submitted_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    reviewer_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    review_comment: str | None = Field(default=None, max_length=2000)


# Translations. The original text stays on its own row; a translation overlays it for
# readers of another language and says who or what made it (``origin``).
ORIGINS = ("human", "machine")


class VocabularySchemeTranslation(SQLModel, table=True):
    __tablename__ = "vocabulary_scheme_translation"
    __table_args__ = (
        UniqueConstraint("scheme_id", "language", name="uq_vocabulary_scheme_translation_lang"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: int = Field(foreign_key="vocabulary_scheme.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=10)
    label: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    origin: str = Field(default="human", max_length=10)  # human | machine
    updated_at: datetime = _timestamp()


class VocabularyTermTranslation(SQLModel, table=True):
    __tablename__ = "vocabulary_term_translation"
    __table_args__ = (
        UniqueConstraint("term_id", "language", name="uq_vocabulary_term_translation_lang"),
    )

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="vocabulary_term.id", index=True, ondelete="CASCADE")
    language: str = Field(max_length=10)
    label: str = Field(max_length=300)
    definition: str | None = Field(default=None, max_length=2000)
    origin: str = Field(default="human", max_length=10)  # human | machine
    updated_at: datetime = _timestamp()
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


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
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


# Accounts. A person signs in with an e-mail address and a password (argon2 hash); a
# signed-in browser holds a random session token whose hash is stored, so a stolen
# database does not yield live sessions.


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str | None = Field(default=None, max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(default="member", max_length=20)  # member | moderator | admin
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    is_active: bool = True
    created_at: datetime = _timestamp()


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class PasswordToken(SQLModel, table=True):
    """A one-time link to set a password (after "forgot password", or for a new account)."""

    __tablename__ = "password_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class AuditEvent(SQLModel, table=True):
    """Who did what, when: one row per write, added in the same transaction as the write.

    Failed sign-ins are recorded too; sign-in throttling counts them.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True),
    )
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=60, index=True)
    target: str | None = Field(default=None, max_length=320, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    client: str | None = Field(default=None, max_length=64)


def original_digest(title: str, summary: str) -> str:
    """Fingerprint of the text a practice translation is made from (see ``source_digest``)."""
    return hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()


class CatalogueVersion(SQLModel, table=True):
    """A single row counting the commits that changed the catalogue.

    What is derived from the catalogue and kept in memory (peer features, list and peer
    results) is cached under this number, so one primary-key read per request tells whether
    it is still current. ``app/queries/cache.py`` adds one in the same transaction as every
    write.
    """

    __tablename__ = "catalogue_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)


class ApiKey(SQLModel, table=True):
    """A partner's key to the API, for one organisation, sent as ``Authorization: Bearer``.

    Only a hash of the secret is stored; the secret is shown once, when issued. Each key
    acts through a user of its own (role member of the organisation, no usable password), so
    the same permission checks, revisions and audit trail apply as for the forms.
    """

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16, index=True)  # shown in lists to tell keys apart
    secret_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(max_length=100)  # space-separated: read, write
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _timestamp()
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class IdempotentRequest(SQLModel, table=True):
    """The answer to a write sent with an ``Idempotency-Key``, replayed when the same key
    sends the same request again (a retry), so the write happens once."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotent_request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)  # method, path and body
    status_code: int
    response: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _timestamp()


class PracticeChange(SQLModel, table=True):
    """A practice entered, changed in or left the public catalogue (the change feed).

    ``seq`` is the catalogue version of the commit that made the change, stamped at commit
    time under the version row's lock (``app/queries/cache.py``), so it grows in commit
    order even when transactions overlap, and a partner reading ``seq > n`` misses nothing.
    ``practice_id`` has no foreign key: the record of a removal outlives the practice.
    """

    __tablename__ = "practice_change"

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, index=True)
    at: datetime = _timestamp()
    practice_id: int
    slug: str = Field(max_length=200)
    was_public: bool
    is_public: bool
