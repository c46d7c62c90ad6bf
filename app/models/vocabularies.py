"""Sources and the vocabularies that classify practices, with their translations.

Typologies are data (``VocabularyScheme``/``VocabularyTerm``), never enums: the reports say
the typology is still evolving."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


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
    licence: str | None = Field(default=None, max_length=100)  # of data taken from it


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
    updated_at: datetime = timestamp_field()


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
    updated_at: datetime = timestamp_field()
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
