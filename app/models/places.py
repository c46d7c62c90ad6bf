"""Places, the facts known about them, organisations, networks and memberships."""

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


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
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(index=True)


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
