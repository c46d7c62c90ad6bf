"""The shapes every area's schemas build on: the base schema, pages, facets, references to
other records, errors (the JSON API's and the pages' data).

Every field carries a description and an example, so ``/api/v1/openapi.json`` documents
the API on its own.
"""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

from app.i18n import N_
from app.models.vocabularies import Source

T = TypeVar("T")


def as_utc(value: datetime) -> datetime:
    """``value`` with its zone: SQLite hands timestamps back without it; they are all UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FacetValue(Schema):
    value: str = Field(description="The filter value to send back.", examples=["ES"])
    label: str = Field(description="Human-readable label.", examples=["Spain"])
    count: int = Field(description="Matching items if this value were chosen.", examples=[12])
    parent: str | None = Field(
        default=None, description="For sub-types, the value of the broader term.", examples=[None]
    )


class Page(Schema, Generic[T]):
    items: list[T] = Field(description="This page of results.")
    total: int = Field(
        description="How many items match the filters, on all pages.", examples=[143]
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=["WyJhbnRpLXJ1bW91ciIsNDJd"],
    )
    facets: dict[str, list[FacetValue]] = Field(
        default_factory=dict,
        description="Counts per value for the filters named in `facets`, each computed with "
        "the other filters applied.",
    )


class TermRef(Schema):
    code: str = Field(description="Stable code of the term.", examples=["media-engagement"])
    label: str = Field(description="Label of the term.", examples=["Media engagement"])


class SourceRef(Schema):
    slug: str = Field(
        description=N_("Stable identifier of the source."), examples=["amicall-transnational-2012"]
    )
    title: str = Field(
        description=N_("Title of the document."), examples=["AMICALL: Final Transnational Report"]
    )
    authors: str | None = Field(
        default=None, description=N_("Authors."), examples=["Elizabeth Collett; Ben Gidley"]
    )
    year: int | None = Field(default=None, description=N_("Year of publication."), examples=[2012])
    url: str | None = Field(default=None, description=N_("Where to find it."), examples=[None])
    date_note: str | None = Field(
        default=None,
        description=N_("When it was published or read, where a year alone does not say."),
        examples=[None],
    )
    licence: str | None = Field(
        default=None,
        description=N_("Licence of the data taken from it, where it has one."),
        examples=["CC BY 4.0"],
    )
    locator: str | None = Field(
        default=None,
        description=N_("Where in the document this is found."),
        examples=["§3 table, row 4"],
    )


class PlaceRef(Schema):
    slug: str = Field(description=N_("Stable identifier of the place."), examples=["barcelona"])
    name: str = Field(description=N_("Name of the place."), examples=["Barcelona"])
    country: str = Field(description=N_("ISO 3166-1 alpha-2 country code."), examples=["ES"])
    level: str = Field(
        description=N_("Level of government (scheme place-level)."), examples=["municipality"]
    )


class OrganisationRef(Schema):
    slug: str = Field(
        description=N_("Stable identifier of the organisation."),
        examples=["barcelona-city-council"],
    )
    name: str = Field(description=N_("Name."), examples=["Barcelona City Council"])
    type: str = Field(
        description=N_("Organisation type (scheme organisation-type)."), examples=["lra"]
    )


class NetworkRef(Schema):
    slug: str = Field(
        description=N_("Stable identifier of the network."), examples=["intercultural-cities"]
    )
    name: str = Field(description=N_("Name."), examples=["Intercultural Cities"])


class ErrorItem(Schema):
    param: str | None = Field(
        default=None, description="The parameter at fault.", examples=["activity_type"]
    )
    message: str = Field(description="What is wrong with it.", examples=["unknown value 'posters'"])
    allowed: list[str] | None = Field(default=None, description="The values it accepts, where few.")


class ErrorOut(Schema):
    status: int = Field(description="HTTP status code.", examples=[422])
    detail: str = Field(
        description="What went wrong, in one sentence.",
        examples=["activity_type: unknown value 'posters'"],
    )
    errors: list[ErrorItem] = Field(description="One entry per problem, naming the parameter.")


class Health(Schema):
    status: str = Field(description="ok when healthy.", examples=["ok"])


def source_ref(source: Source | None) -> SourceRef | None:
    return SourceRef.model_validate(source) if source else None
