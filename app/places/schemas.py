"""How places, organisations, networks and their members read in the API and on pages."""

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from app.i18n import N_
from app.practices.schemas import PracticeSummary
from app.schemas import NetworkRef, OrganisationRef, PlaceRef, Schema, SourceRef
from app.validation import FilterValue, Year


class FactOut(Schema):
    key: str = Field(
        description=N_("population, foreign-born-share or other."), examples=["foreign-born-share"]
    )
    label: str | None = Field(
        default=None, description=N_("What the fact is."), examples=["Foreign-born population"]
    )
    value: float | None = Field(
        default=None, description=N_("Numeric value, exactly as reported."), examples=[14.0]
    )
    unit: str | None = Field(
        default=None, description=N_("Unit of the value."), examples=["percent"]
    )
    text: str | None = Field(default=None, description=N_("A non-numeric fact."), examples=[None])
    year: int | None = Field(
        default=None, description=N_("The year the fact refers to."), examples=[2010]
    )
    cites: str | None = Field(
        default=None, description=N_("Original source as cited."), examples=["Eurostat"]
    )
    source: SourceRef | None = Field(default=None, description=N_("The report that gives it."))
    place: PlaceRef | None = Field(
        default=None,
        description=N_(
            "Set when the fact is about an enclosing place (its country), shown because this "
            "place has no figure of its own."
        ),
    )


class PlaceSummary(PlaceRef):
    parent: PlaceRef | None = Field(default=None, description=N_("The enclosing place."))
    practice_count: int = Field(description=N_("Published practices led here."), examples=[4])
    url: str = Field(description=N_("The place's page."), examples=["/places/barcelona"])


class PlaceDetail(PlaceSummary):
    urban_rural: str | None = Field(
        default=None, description=N_("urban, rural or mixed."), examples=["urban"]
    )
    migration_history: str | None = Field(
        default=None, description=N_("Scheme migration-history."), examples=["new"]
    )
    arrival_groups: list[str] = Field(
        description=N_("Main arrival groups, as named."), examples=[["Moroccans"]]
    )
    governance_notes: str | None = Field(
        default=None, description=N_("How integration is governed here.")
    )
    geonames_id: int | None = Field(
        default=None,
        description=N_("Its entry in the GeoNames gazetteer (geonames.org), if it has one."),
        examples=[3128026],
    )
    latitude: float | None = Field(default=None, description=N_("Latitude, if known."))
    longitude: float | None = Field(default=None, description=N_("Longitude, if known."))
    facts: list[FactOut] = Field(description=N_("Context facts with their source and year."))
    children: list[PlaceRef] = Field(description=N_("Places in the catalogue within this one."))
    networks: list[NetworkRef] = Field(description=N_("Networks this place belongs to."))
    practices: list[PracticeSummary] = Field(description=N_("Practices led here or within."))


class OrganisationOut(OrganisationRef):
    place: PlaceRef | None = Field(default=None, description=N_("Where it is based."))
    url: str | None = Field(default=None, description=N_("Website."), examples=[None])
    networks: list[NetworkRef] = Field(description=N_("Networks it belongs to."))


class NetworkSummary(NetworkRef):
    description: str | None = Field(default=None, description=N_("What the network does."))
    url: str | None = Field(default=None, description=N_("Website."), examples=[None])
    member_count: int = Field(description=N_("Number of members."), examples=[12])


MemberRole = Literal["member", "coordinator", "partner", "funder", "associate"]


class MemberOut(Schema):
    id: int = Field(
        description=N_("Stable number of the membership within the API."), examples=[118]
    )
    place: PlaceRef | None = Field(default=None, description=N_("The member place, if a place."))
    organisation: OrganisationRef | None = Field(
        default=None, description=N_("The member organisation, if one.")
    )
    role: str = Field(
        description=N_("member, coordinator, partner, funder or associate."), examples=["member"]
    )
    start_year: int | None = Field(
        default=None, description=N_("Year it joined, if known."), examples=[2008]
    )
    end_year: int | None = Field(
        default=None, description=N_("Year it left, if known."), examples=[None]
    )
    source: SourceRef | None = Field(
        default=None, description=N_("Where the membership is reported.")
    )
    status: Literal["active", "invited", "requested"] = Field(
        description=N_(
            "active (accepted by both sides), invited (by the coordinator, waiting for the "
            "member to accept) or requested (by the member, waiting for the coordinator). "
            "Only an active membership, in the years it runs, lets its members read the "
            "network's members-only practices and the network read theirs."
        ),
        examples=["active"],
    )


class MemberIn(BaseModel):
    """A place or an organisation joining a network: invited by the network's coordinator,
    or asking to join for itself. Its status is not written here: the other side accepts."""

    model_config = ConfigDict(extra="forbid")

    place: FilterValue | None = Field(
        default=None,
        description="Slug of the member place (or give `organisation`).",
        examples=["barcelona"],
    )
    organisation: FilterValue | None = Field(
        default=None,
        description="Slug of the member organisation (or give `place`).",
        examples=[None],
    )
    role: MemberRole = Field(
        default="member", description="The member's role in the network.", examples=["member"]
    )
    start_year: Year | None = Field(default=None, description="Year it joined.", examples=[2024])
    end_year: Year | None = Field(default=None, description="Year it left.", examples=[None])
    source: FilterValue | None = Field(
        default=None,
        description="Slug of a source report that records the membership.",
        examples=[None],
    )

    @model_validator(mode="after")
    def _one_member(self) -> "MemberIn":
        if (self.place is None) == (self.organisation is None):
            raise ValueError("give either place or organisation, not both")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError("end_year is before start_year")
        return self
