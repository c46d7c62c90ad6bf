"""Places, the facts known about them, organisations, networks and memberships."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, DateTime, Text
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
    # The place's entry in GeoNames, when it is one of the gazetteer's populated places.
    geonames_id: int | None = Field(default=None, unique=True, index=True)
    # In the catalogue: named by the reports, or with a published practice or a member
    # organisation. Gazetteer places that are none of these are only offered in pickers.
    catalogued: bool = Field(default=True, index=True)
    # Every name the place is known by, lower-case and without diacritics, each between
    # bars ("|koln|cologne|"), so that a name search is one LIKE on one column.
    search_names: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(index=True)


class PlaceMatch(SQLModel, table=True):
    """A GeoNames entry that may be a seeded place, waiting for a moderator to confirm it
    (the gazetteer links a place only where the match is certain)."""

    __tablename__ = "place_match"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")
    geonames_id: int
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    population: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    reason: str = Field(max_length=300)
    status: str = Field(default="pending", max_length=20)  # pending | confirmed | rejected
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime = timestamp_field()


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


class MembershipStatus(StrEnum):
    """Joining takes both sides' consent: membership decides who reads a network's
    members-only practices, and whose members-only practices the network reads."""

    invited = "invited"  # by the coordinator; waits for the member
    requested = "requested"  # by the member; waits for the coordinator
    active = "active"  # accepted by both: the only status that counts


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
    status: str = Field(default=MembershipStatus.active, max_length=20, index=True)
