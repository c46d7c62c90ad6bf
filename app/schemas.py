"""Public shapes of the JSON API (and of the data the pages render).

Every field carries a description and an example, so ``/api/v1/openapi.json`` documents
the API on its own.
"""

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


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
        description="Stable identifier of the source.", examples=["amicall-transnational-2012"]
    )
    title: str = Field(
        description="Title of the document.", examples=["AMICALL: Final Transnational Report"]
    )
    authors: str | None = Field(
        default=None, description="Authors.", examples=["Elizabeth Collett; Ben Gidley"]
    )
    year: int | None = Field(default=None, description="Year of publication.", examples=[2012])
    url: str | None = Field(default=None, description="Where to find it.", examples=[None])
    locator: str | None = Field(
        default=None,
        description="Where in the document this is found.",
        examples=["§3 table, row 4"],
    )


class PlaceRef(Schema):
    slug: str = Field(description="Stable identifier of the place.", examples=["barcelona"])
    name: str = Field(description="Name of the place.", examples=["Barcelona"])
    country: str = Field(description="ISO 3166-1 alpha-2 country code.", examples=["ES"])
    level: str = Field(
        description="Level of government (scheme place-level).", examples=["municipality"]
    )


class OrganisationRef(Schema):
    slug: str = Field(
        description="Stable identifier of the organisation.", examples=["barcelona-city-council"]
    )
    name: str = Field(description="Name.", examples=["Barcelona City Council"])
    type: str = Field(description="Organisation type (scheme organisation-type).", examples=["lra"])


class NetworkRef(Schema):
    slug: str = Field(
        description="Stable identifier of the network.", examples=["intercultural-cities"]
    )
    name: str = Field(description="Name.", examples=["Intercultural Cities"])


class PartnerOut(Schema):
    organisation: OrganisationRef = Field(description="The partner organisation.")
    role: str | None = Field(
        default=None, description="What the partner did.", examples=["volunteer training"]
    )


class OutcomeOut(Schema):
    text: str = Field(
        description="What was found.", examples=["Reached an audience across the region."]
    )
    metric: str | None = Field(
        default=None, description="What was measured.", examples=["front-line staff trained"]
    )
    value: str | None = Field(
        default=None, description="The measured value, as reported.", examples=["nearly 1000"]
    )
    year: int | None = Field(default=None, description="When.", examples=[2011])
    source: SourceRef | None = Field(default=None, description="Where the outcome is reported.")


class TranslationOut(Schema):
    language: str = Field(description="Language of the translation (ISO 639-1).", examples=["de"])
    origin: Literal["human", "machine"] = Field(
        description="Whether a person or a machine translated it.", examples=["human"]
    )
    stale: bool = Field(
        description="True when the original title or summary changed after the translation.",
        examples=[False],
    )
    updated_at: datetime = Field(description="When the translation was last saved.")


class PracticeSummary(Schema):
    slug: str = Field(
        description="Stable identifier, used in URLs.", examples=["barcelona-anti-rumour-strategy"]
    )
    title: str = Field(description="Name of the initiative.", examples=["Anti-Rumour Strategy"])
    summary: str = Field(
        description="One or two sentences.", examples=["A city-wide strategy against rumours."]
    )
    language: str = Field(
        description="Language of `title` and `summary` as returned: the one asked for "
        "(`Accept-Language` or `lang=`) when a translation exists, else the original.",
        examples=["en"],
    )
    original_language: str = Field(description="Language the text was written in.", examples=["en"])
    translation: TranslationOut | None = Field(
        default=None,
        description="Set when `title` and `summary` are a translation rather than the original.",
    )
    available_languages: list[str] = Field(
        description="Languages the title and summary can be read in, the original first.",
        examples=[["en", "de"]],
    )
    place: PlaceRef = Field(description="The lead place.")
    lead_organisation: OrganisationRef | None = Field(
        default=None, description="The lead body, if known."
    )
    start_year: int | None = Field(
        default=None, description="Year it started, if known.", examples=[2010]
    )
    end_year: int | None = Field(
        default=None, description="Year it ended, if known.", examples=[None]
    )
    evidence_level: TermRef | None = Field(default=None, description="Rung on the evidence ladder.")
    terms: dict[str, list[TermRef]] = Field(
        description="Typology terms by scheme code (see /api/v1/vocabularies).",
        examples=[
            {
                "activity-type": [
                    {
                        "code": "multimedia-strategies",
                        "label": "Multimedia communications strategies",
                    }
                ]
            }
        ],
    )
    sources: list[SourceRef] = Field(description="The reports that describe it.")
    url: str = Field(
        description="The practice's page.", examples=["/practices/barcelona-anti-rumour-strategy"]
    )


class PracticeDetail(PracticeSummary):
    description: str | None = Field(default=None, description="Longer description.")
    partners: list[PartnerOut] = Field(description="Partner organisations and their roles.")
    networks: list[NetworkRef] = Field(
        description="Networks that the lead place or lead body belongs to."
    )
    outcomes: list[OutcomeOut] = Field(description="Outcomes recorded for it.")
    what_did_not_work: str | None = Field(
        default=None, description="Lessons and failures, as reported."
    )
    know_how: str | None = Field(default=None, description="What someone copying it would need.")
    languages: list[str] = Field(
        description="Languages it is offered in (BCP 47).", examples=[["en", "pl"]]
    )
    links: list[str] = Field(description="Links given by the sources.")


class FactOut(Schema):
    key: str = Field(
        description="population, foreign-born-share or other.", examples=["foreign-born-share"]
    )
    label: str | None = Field(
        default=None, description="What the fact is.", examples=["Foreign-born population"]
    )
    value: float | None = Field(
        default=None, description="Numeric value, exactly as reported.", examples=[14.0]
    )
    unit: str | None = Field(default=None, description="Unit of the value.", examples=["percent"])
    text: str | None = Field(default=None, description="A non-numeric fact.", examples=[None])
    year: int | None = Field(
        default=None, description="The year the fact refers to.", examples=[2010]
    )
    cites: str | None = Field(
        default=None, description="Original source as cited.", examples=["Eurostat"]
    )
    source: SourceRef | None = Field(default=None, description="The report that gives it.")


class PlaceSummary(PlaceRef):
    parent: PlaceRef | None = Field(default=None, description="The enclosing place.")
    practice_count: int = Field(description="Published practices led here.", examples=[4])
    url: str = Field(description="The place's page.", examples=["/places/barcelona"])


class PlaceDetail(PlaceSummary):
    urban_rural: str | None = Field(
        default=None, description="urban, rural or mixed.", examples=["urban"]
    )
    migration_history: str | None = Field(
        default=None, description="Scheme migration-history.", examples=["new"]
    )
    arrival_groups: list[str] = Field(
        description="Main arrival groups, as named.", examples=[["Moroccans"]]
    )
    governance_notes: str | None = Field(
        default=None, description="How integration is governed here."
    )
    latitude: float | None = Field(default=None, description="Latitude, if known.")
    longitude: float | None = Field(default=None, description="Longitude, if known.")
    facts: list[FactOut] = Field(description="Context facts with their source and year.")
    children: list[PlaceRef] = Field(description="Places within this one.")
    networks: list[NetworkRef] = Field(description="Networks this place belongs to.")
    practices: list[PracticeSummary] = Field(description="Practices led here or within.")


class OrganisationOut(OrganisationRef):
    place: PlaceRef | None = Field(default=None, description="Where it is based.")
    url: str | None = Field(default=None, description="Website.", examples=[None])
    networks: list[NetworkRef] = Field(description="Networks it belongs to.")


class NetworkSummary(NetworkRef):
    description: str | None = Field(default=None, description="What the network does.")
    url: str | None = Field(default=None, description="Website.", examples=[None])
    member_count: int = Field(description="Number of members.", examples=[12])


class MemberOut(Schema):
    place: PlaceRef | None = Field(default=None, description="The member place, if a place.")
    organisation: OrganisationRef | None = Field(
        default=None, description="The member organisation, if one."
    )
    role: str = Field(
        description="member, coordinator, partner, funder or associate.", examples=["member"]
    )
    start_year: int | None = Field(
        default=None, description="Year it joined, if known.", examples=[2008]
    )
    end_year: int | None = Field(
        default=None, description="Year it left, if known.", examples=[None]
    )
    source: SourceRef | None = Field(default=None, description="Where the membership is reported.")


class TermOut(Schema):
    code: str = Field(description="Stable code.", examples=["informing-communities"])
    label: str = Field(description="Label, as in the source.", examples=["Informing communities"])
    definition: str | None = Field(default=None, description="What it means.")
    language: str = Field(
        description="Language of the label and definition (ISO 639-1): the one asked for "
        "when translated, else the English original.",
        examples=["en"],
    )
    parent: str | None = Field(
        default=None, description="Code of the broader term.", examples=[None]
    )
    position: int = Field(description="Order within the scheme.", examples=[0])
    origin: str = Field(
        description="report, or platform for terms Interlocal added.", examples=["report"]
    )


class SchemeSummary(Schema):
    scheme: str = Field(description="Code of the scheme.", examples=["activity-type"])
    label: str = Field(description="Name of the scheme.", examples=["Activity type"])
    description: str | None = Field(default=None, description="What the scheme classifies.")
    language: str = Field(
        description="Language of the label and description (ISO 639-1): the one asked for "
        "when translated, else the English original.",
        examples=["en"],
    )
    source: SourceRef | None = Field(default=None, description="Where the typology comes from.")
    term_count: int = Field(description="Number of terms.", examples=[13])


class SchemeDetail(SchemeSummary):
    terms: list[TermOut] = Field(description="The terms, broader terms before their sub-types.")


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
