"""Bookkeeping of the catalogue as a whole: its version counter and its change feed."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class CatalogueVersion(SQLModel, table=True):
    """A single row counting the commits that changed the catalogue.

    What is derived from the catalogue and kept in memory (peer features, list and peer
    results) is cached under this number, so one primary-key read per request tells whether
    it is still current. ``app/catalogue/tracking.py`` adds one in the same transaction as every
    write.
    """

    __tablename__ = "catalogue_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)


class PracticeChange(SQLModel, table=True):
    """A practice entered, changed in or left the public catalogue (the change feed).

    ``seq`` is the catalogue version of the commit that made the change, stamped at commit
    time under the version row's lock (``app/catalogue/tracking.py``), so it grows in commit
    order even when transactions overlap, and a partner reading ``seq > n`` misses nothing.
    ``practice_id`` has no foreign key: the record of a removal outlives the practice.
    """

    __tablename__ = "practice_change"

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, index=True)
    at: datetime = timestamp_field()
    practice_id: int
    slug: str = Field(max_length=200)
    was_public: bool
    is_public: bool


class CatalogueChange(SQLModel, table=True):
    """What a catalogue version changed, for workers to bring their in-memory indexes up
    to date without reloading them: one row per practice whose published state may have
    changed, or one row without a practice when anything else changed (places, networks,
    vocabularies: everything is reloaded). Written with the version, in its transaction.
    """

    __tablename__ = "catalogue_change"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)
    practice_id: int | None = None
