"""Accounts, browser sessions, password links, the audit trail and partners' API keys.

A person signs in with an e-mail address and a password (argon2 hash); a signed-in browser
holds a random session token whose hash is stored, so a stolen database does not yield
live sessions."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field, utcnow


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str | None = Field(default=None, max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(default="member", max_length=20)  # member | moderator | admin
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    is_active: bool = True
    # Monthly e-mails listing the organisation's practices that need an update.
    reminders: bool = True
    created_at: datetime = timestamp_field()


class FollowUpReminder(SQLModel, table=True):
    """A monthly reminder sent to a member (at most one a month). Its link's token, stored
    hashed, unsubscribes that member and nobody else."""

    __tablename__ = "follow_up_reminder"
    __table_args__ = (UniqueConstraint("user_id", "month", name="uq_follow_up_reminder_month"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    month: str = Field(max_length=7)  # 2026-12
    token_hash: str = Field(max_length=64, unique=True, index=True)
    sent_at: datetime = timestamp_field()


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = timestamp_field()
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
    created_at: datetime = timestamp_field()
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
    created_at: datetime = timestamp_field()


class AccountRequest(SQLModel, table=True):
    """Someone asking for an account for their authority, until a moderator decides."""

    __tablename__ = "account_request"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    job_title: str = Field(max_length=200)
    email: str = Field(max_length=320, index=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    # The organisation chosen from the catalogue, or the name of a new one.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    organisation_name: str | None = Field(default=None, max_length=300)
    organisation_type: str | None = Field(default=None, max_length=40)
    message: str | None = Field(default=None, max_length=2000)
    status: str = Field(default="pending", max_length=20, index=True)  # pending|approved|declined
    reason: str | None = Field(default=None, max_length=2000)  # why it was declined
    created_at: datetime = timestamp_field(index=True)
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
