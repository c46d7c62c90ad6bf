"""What every table shares: constraint names Alembic can rely on, and timestamps."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, MetaData
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


def timestamp_field(*, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, index=index),
    )
