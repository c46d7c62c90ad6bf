"""Public shapes of the JSON API (and of the data the pages render).

Every field carries a description and an example, so ``/api/v1/openapi.json`` documents
the API on its own.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.i18n import LANGUAGES, N_, gettext

T = TypeVar("T")


def _as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they are all UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


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


class PartnerOut(Schema):
    organisation: OrganisationRef = Field(description=N_("The partner organisation."))
    role: str | None = Field(
        default=None, description=N_("What the partner did."), examples=["volunteer training"]
    )


class OutcomeOut(Schema):
    text: str = Field(
        description=N_("What was found."), examples=["Reached an audience across the region."]
    )
    metric: str | None = Field(
        default=None, description=N_("What was measured."), examples=["front-line staff trained"]
    )
    value: str | None = Field(
        default=None, description=N_("The measured value, as reported."), examples=["nearly 1000"]
    )
    year: int | None = Field(default=None, description=N_("When."), examples=[2011])
    date: str | None = Field(
        default=None, description=N_("The exact date, when one was given."), examples=[None]
    )
    source: SourceRef | None = Field(default=None, description=N_("Where the outcome is reported."))
    source_note: str | None = Field(
        default=None, description=N_("Where the figure comes from, as the authors cite it.")
    )
    evidence_level: str | None = Field(
        default=None,
        description=N_("How the outcome was established (scheme evidence-level)."),
        examples=["outputs-monitored"],
    )


class TranslationOut(Schema):
    language: str = Field(
        description=N_("Language of the translation (ISO 639-1)."), examples=["de"]
    )
    origin: Literal["human", "machine"] = Field(
        description=N_("Whether a person or a machine translated it."), examples=["human"]
    )
    stale: bool = Field(
        description=N_("True when the original title or summary changed after the translation."),
        examples=[False],
    )
    updated_at: UtcDateTime = Field(description=N_("When the translation was last saved."))


class MatchOut(Schema):
    """Where a search matched, as HTML: text escaped, matched words in ``<mark>``."""

    score: float = Field(description=N_("Relevance; higher matches better."), examples=[7.3])
    title: str = Field(
        description=N_("The original title with matches in <mark>."),
        examples=["<mark>Anti</mark>-<mark>Rumour</mark> Strategy"],
    )
    passage: str = Field(
        description=N_(
            "The best-matching passage of the summary, description, lessons or "
            "place names, with matches in <mark>; empty when only the title matched."
        ),
        examples=["…a city-wide network against <mark>rumours</mark>…"],
    )


class PracticeSummary(Schema):
    slug: str = Field(
        description=N_("Stable identifier, used in URLs."),
        examples=["barcelona-anti-rumour-strategy"],
    )
    title: str = Field(description=N_("Name of the initiative."), examples=["Anti-Rumour Strategy"])
    summary: str = Field(
        description=N_("One or two sentences."), examples=["A city-wide strategy against rumours."]
    )
    language: str = Field(
        description=N_(
            "Language of `title` and `summary` as returned: the one asked for "
            "(`Accept-Language` or `lang=`) when a translation exists, else the original."
        ),
        examples=["en"],
    )
    original_language: str = Field(
        description=N_("Language the text was written in."), examples=["en"]
    )
    translation: TranslationOut | None = Field(
        default=None,
        description=N_(
            "Set when `title` and `summary` are a translation rather than the original."
        ),
    )
    available_languages: list[str] = Field(
        description=N_("Languages the title and summary can be read in, the original first."),
        examples=[["en", "de"]],
    )
    place: PlaceRef = Field(description=N_("The lead place."))
    lead_organisation: OrganisationRef | None = Field(
        default=None, description=N_("The lead body, if known.")
    )
    start_year: int | None = Field(
        default=None, description=N_("Year it started, if known."), examples=[2010]
    )
    end_year: int | None = Field(
        default=None, description=N_("Year it ended, if known."), examples=[None]
    )
    evidence_level: TermRef | None = Field(
        default=None, description=N_("Rung on the evidence ladder.")
    )
    terms: dict[str, list[TermRef]] = Field(
        description=N_("Typology terms by scheme code (see /api/v1/vocabularies)."),
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
    sources: list[SourceRef] = Field(description=N_("The reports that describe it."))
    url: str = Field(
        description=N_("The practice's page."),
        examples=["/practices/barcelona-anti-rumour-strategy"],
    )
    match: MatchOut | None = Field(
        default=None, description=N_("Where the words of `q` matched; only in searches with `q`.")
    )


class LineageOut(Schema):
    practice: PracticeSummary = Field(description=N_("The other practice."))
    kind: Literal["adapted-from", "inspired-by"] = Field(
        description=N_("adapted-from (follows it closely) or inspired-by."),
        examples=["inspired-by"],
    )
    note: str | None = Field(default=None, description=N_("What was changed when adapting it."))


class PracticeDetail(PracticeSummary):
    description: str | None = Field(default=None, description=N_("Longer description."))
    aim: str | None = Field(
        default=None, description=N_("What it is designed to achieve, in the authors' words.")
    )
    participants: str | None = Field(default=None, description=N_("Who takes part."))
    audience: str | None = Field(default=None, description=N_("Whom it should influence."))
    visibility: Literal["public", "network"] = Field(
        description=N_("public, or network: shown only to members of its networks."),
        examples=["public"],
    )
    partners: list[PartnerOut] = Field(description=N_("Partner organisations and their roles."))
    networks: list[NetworkRef] = Field(
        description=N_("Networks that the lead place or lead body belongs to.")
    )
    outcomes: list[OutcomeOut] = Field(description=N_("Outcomes recorded for it."))
    what_did_not_work: str | None = Field(
        default=None, description=N_("Lessons and failures, as reported.")
    )
    know_how: str | None = Field(
        default=None, description=N_("What someone copying it would need.")
    )
    languages: list[str] = Field(
        description=N_("Languages it is offered in (BCP 47)."), examples=[["en", "pl"]]
    )
    links: list[str] = Field(description=N_("Links given by the sources."))
    adapted_from: list[LineageOut] = Field(
        description=N_("Practices this one was adapted from or inspired by.")
    )
    adaptations: list[LineageOut] = Field(
        description=N_("Practices adapted from or inspired by this one.")
    )
    published_at: UtcDateTime | None = Field(
        default=None, description=N_("When the current version was published.")
    )
    version: int = Field(
        description=N_("Increases with every change; the ETag of the practice."), examples=[3]
    )


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
    latitude: float | None = Field(default=None, description=N_("Latitude, if known."))
    longitude: float | None = Field(default=None, description=N_("Longitude, if known."))
    facts: list[FactOut] = Field(description=N_("Context facts with their source and year."))
    children: list[PlaceRef] = Field(description=N_("Places within this one."))
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


class TermOut(Schema):
    code: str = Field(description=N_("Stable code."), examples=["informing-communities"])
    label: str = Field(
        description=N_("Label, as in the source."), examples=["Informing communities"]
    )
    definition: str | None = Field(default=None, description=N_("What it means."))
    language: str = Field(
        description=N_(
            "Language of the label and definition (ISO 639-1): the one asked for "
            "when translated, else the English original."
        ),
        examples=["en"],
    )
    parent: str | None = Field(
        default=None, description=N_("Code of the broader term."), examples=[None]
    )
    position: int = Field(description=N_("Order within the scheme."), examples=[0])
    origin: str = Field(
        description=N_("report, or platform for terms Interlocal added."), examples=["report"]
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


# Input. The forms and the API's writes validate with these same models, so a rule (a
# length, a date, plain text only) holds whichever way a practice arrives. Checks that need
# the database (known places, vocabulary codes) live in ``app.queries.publishing``.

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_SLUG = r"^[a-z0-9][a-z0-9-]*$"


def _plain(value: str | None) -> str | None:
    """Strip, turn empty into None, and refuse markup: stored text is plain and escaped
    when shown, so a tag can only be a mistake or an attack."""
    if value is None:
        return None
    value = value.strip()
    if _TAG.search(value):
        raise ValueError(gettext("Write plain text: HTML tags are not allowed."))
    return value or None


def _required(value: str) -> str:
    value = _plain(value) or ""
    if not value:
        raise PydanticCustomError("missing", gettext("This field is required."))
    return value


def too_long(limit: int, length: int) -> str:
    """The message for text over its limit, wherever text is checked."""
    return gettext("At most %(limit)s characters; this has %(length)s.", limit=limit, length=length)


def limit(max_length: int) -> AfterValidator:
    """At most ``max_length`` characters, with a message that says how many there are."""

    def check(value: str | None) -> str | None:
        if value is not None and len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long", too_long(max_length, len(value)), {"max_length": max_length}
            )
        return value

    return AfterValidator(check)


Text = Annotated[str | None, AfterValidator(_plain)]
RequiredText = Annotated[str, AfterValidator(_required)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, max_length=160, pattern=_SLUG)]


def _not_a_boolean(value: object) -> object:
    # Pydantic would read true/false as 1/0; a number field wants a number.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", gettext("Enter a number."))
    return value


Year = Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=1800, le=2100)]


def _outcome_date(value: str | None) -> str | None:
    """A year (``2011``) or a full date (``2011-05-14``) that exists on the calendar."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            year = int(value)
        else:
            year = (
                date.fromisoformat(value).year if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else 0
            )
    except ValueError:
        year = 0
    if not 1800 <= year <= 2100:
        raise ValueError(gettext("Give a year (2011) or a date that exists (2011-05-14)."))
    return value


def _interface_language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(gettext("Choose one of the listed languages."))
    return value


class OutcomeIn(BaseModel):
    text: Annotated[RequiredText, limit(2000)] = Field(
        description="What was found.", examples=["Reached an audience across the region."]
    )
    metric: Annotated[Text, limit(200)] = Field(
        default=None, description="What was measured.", examples=["front-line staff trained"]
    )
    value: Annotated[Text, limit(100)] = Field(
        default=None, description="The measured value, as reported.", examples=["nearly 1000"]
    )
    date: Annotated[str | None, AfterValidator(_outcome_date)] = Field(
        default=None,
        max_length=10,
        description="When: a year (2011) or a date (2011-05-14).",
        examples=["2011"],
    )
    source: Annotated[Text, limit(500)] = Field(
        default=None,
        description="Where the figure comes from: a citation or a link.",
        examples=["Evaluation by the university, 2012"],
    )
    source_report: Slug | None = Field(
        default=None,
        description="Slug of a source report already in Interlocal (see practices' `sources`).",
        examples=["amicall-uk-2012"],
    )
    evidence_level: Slug | None = Field(
        default=None,
        description="Code of a term of the `evidence-level` vocabulary.",
        examples=["outputs-monitored"],
    )


class LineageIn(BaseModel):
    practice: Slug = Field(
        description="Slug of the practice this one was adapted from or inspired by.",
        examples=["amsterdam-wij-amsterdammers"],
    )
    kind: Literal["adapted-from", "inspired-by"] = Field(
        default="adapted-from", description="How closely it follows the other practice."
    )
    note: Annotated[Text, limit(2000)] = Field(
        default=None,
        description="What was changed when adapting it.",
        examples=["Same branding, applied to one neighbourhood."],
    )


class PracticeIn(BaseModel):
    """A practice as its authors write it (a form or an API client)."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[RequiredText, limit(300)] = Field(
        description="Name of the initiative.", examples=["Anti-Rumour Strategy"]
    )
    summary: Annotated[Text, limit(1000)] = Field(
        default=None, description="One or two sentences (needed to submit)."
    )
    description: Annotated[Text, limit(20000)] = Field(
        default=None, description="Longer description; blank lines separate paragraphs."
    )
    place: Slug = Field(description="Slug of the lead place.", examples=["barcelona"])
    lead_organisation: Slug | None = Field(
        default=None, description="Slug of the lead body.", examples=["barcelona-city-council"]
    )
    original_language: Annotated[str, AfterValidator(_interface_language)] = Field(
        default="en",
        description="Language the text is written in: " + ", ".join(LANGUAGES) + ".",
        examples=["es"],
    )
    start_year: Year | None = Field(default=None, description="Year it started.")
    end_year: Year | None = Field(default=None, description="Year it ended.")
    aim: Annotated[Text, limit(2000)] = Field(
        default=None, description="What it is designed to achieve, in the authors' words."
    )
    participants: Annotated[Text, limit(1000)] = Field(default=None, description="Who takes part.")
    audience: Annotated[Text, limit(1000)] = Field(
        default=None, description="Whose views or behaviour it should influence."
    )
    what_did_not_work: Annotated[Text, limit(10000)] = Field(
        default=None, description="Lessons and failures."
    )
    know_how: Annotated[Text, limit(10000)] = Field(
        default=None, description="What someone copying it would need."
    )
    languages: list[Annotated[str, StringConstraints(pattern=_LANGUAGE_TAG.pattern)]] = Field(
        default_factory=list, max_length=30, description="Languages it is offered in (BCP 47)."
    )
    links: list[
        Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\s<>\"]+$")]
    ] = Field(default_factory=list, max_length=20, description="Web addresses about it.")
    visibility: Literal["public", "network"] = Field(
        default="public",
        description="public, or network: only signed-in members of the lead "
        "organisation's networks see it.",
        examples=["public"],
    )
    terms: dict[str, list[Slug]] = Field(
        default_factory=dict,
        description="Typology term codes by scheme code (see /api/v1/vocabularies).",
        examples=[{"activity-type": ["media-engagement"], "goal": ["informing-communities"]}],
    )
    outcomes: list[OutcomeIn] = Field(
        default_factory=list, max_length=50, description="What it achieved, with evidence."
    )
    lineage: list[LineageIn] = Field(
        default_factory=list,
        max_length=20,
        description="Practices elsewhere it was adapted from or inspired by.",
    )

    @model_validator(mode="after")
    def _years_in_order(self) -> "PracticeIn":
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise PydanticCustomError(
                "end_before_start", gettext("The end year is before the start year.")
            )
        return self


class PracticeWritten(Schema):
    """What a write through the API did."""

    slug: str = Field(
        description="The practice's slug (its address).", examples=["barcelona-story-circles"]
    )
    status: Literal["draft", "submitted", "published", "returned", "archived"] = Field(
        description="submitted: waiting for a moderator (what is published stays as it was "
        "until then); published: live (keys of trusted organisations publish at once).",
        examples=["submitted"],
    )
    version: int = Field(
        description="Its version now; its ETag names it for If-Match.", examples=[2]
    )
    url: str = Field(description="Its page.", examples=["/practices/barcelona-story-circles"])
    api_url: str = Field(
        description="Where the API serves it once published.",
        examples=["/api/v1/practices/barcelona-story-circles"],
    )


class ChangeOut(Schema):
    """One change of the public catalogue."""

    kind: Literal["created", "updated", "removed"] = Field(
        description=N_(
            "created or updated: fetch `api_url` and store it; removed: delete your "
            "copy (it was archived, or is no longer public)."
        ),
        examples=["updated"],
    )
    practice: str = Field(
        description=N_("The practice's slug."), examples=["barcelona-story-circles"]
    )
    at: UtcDateTime = Field(description=N_("When the change was made (UTC)."))
    api_url: str = Field(
        description=N_("Where to fetch it (404 once removed)."),
        examples=["/api/v1/practices/barcelona-story-circles"],
    )


class ChangesPage(Schema):
    """Changes in commit order, and where to continue."""

    items: list[ChangeOut] = Field(description="Oldest first.")
    next_cursor: str = Field(
        description="Send as `since` next time (also when there were no changes).",
        examples=["WzEwNDIsMTdd"],
    )
    has_more: bool = Field(description="More changes are waiting: ask again at once.")


# --- Peers ------------------------------------------------------------------------------

PeerFactorName = Literal[
    "profile", "population", "foreign_born", "migration_history", "level", "urban_rural"
]


class ContextIn(Schema):
    """A place described by its context, for places not (yet) in the catalogue."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 code; with `across_borders`, peers come from "
        "other countries.",
        examples=["ES"],
    )
    level: str = Field(
        default="municipality",
        max_length=40,
        description="Level of government (scheme place-level).",
        examples=["municipality"],
    )
    population: Annotated[int | None, BeforeValidator(_not_a_boolean)] = Field(
        default=None, ge=1, le=2_000_000_000, description="Residents.", examples=[250000]
    )
    foreign_born_share: Annotated[float | None, BeforeValidator(_not_a_boolean)] = Field(
        default=None,
        ge=0,
        le=100,
        description="Foreign-born residents, percent of the population.",
        examples=[14.0],
    )
    migration_history: Literal["long-standing", "new", "low"] | None = Field(
        default=None,
        description="Scheme migration-history; when omitted, the country's is used.",
        examples=["new"],
    )
    urban_rural: Literal["urban", "rural", "mixed"] | None = Field(
        default=None, description="urban, rural or mixed.", examples=["urban"]
    )
    challenges: list[str] = Field(
        default_factory=list,
        max_length=40,
        description="Codes of the challenges faced: terms of the `catalyst` and "
        "`policy-area` vocabularies.",
        examples=[["far-right-success", "housing"]],
    )


class ContextOut(Schema):
    place: PlaceRef | None = Field(
        default=None, description="The place peers were found for; null for a described one."
    )
    country: str | None = Field(default=None, examples=["ES"])
    level: str | None = Field(default=None, examples=["municipality"])
    population: float | None = Field(default=None, examples=[1620000])
    foreign_born_share: float | None = Field(default=None, examples=[14.0])
    migration_history: str | None = Field(default=None, examples=["new"])
    migration_history_note: str | None = Field(
        default=None,
        description="Where the migration history comes from when it is an enclosing "
        "place's (usually the country's).",
        examples=["as recorded for Spain"],
    )
    urban_rural: str | None = Field(default=None, examples=["urban"])
    challenges: list[TermRef] = Field(default_factory=list)
    shown: dict[str, str | None] = Field(
        default_factory=dict,
        description="Each context factor's value as displayed (formatted, translated).",
    )


class PeerFactor(Schema):
    factor: PeerFactorName = Field(description="Which factor.", examples=["population"])
    label: str = Field(description="Its name, translated.", examples=["Population"])
    weight: float = Field(
        description="Its share of the score (the weights add up to 1).", examples=[0.2]
    )
    similarity: float | None = Field(
        description="0 (unlike) to 1 (alike); null when unknown for either place.",
        examples=[0.85],
    )
    contribution: float = Field(
        description="weight × similarity: what it adds to `score` (0 when unknown).",
        examples=[0.17],
    )
    here: str | None = Field(
        default=None, description="The value for the place peers were found for, as shown."
    )
    there: str | None = Field(default=None, description="The peer's value, as shown.")
    here_note: str | None = Field(default=None, description="Where `here` comes from.")
    there_note: str | None = Field(default=None, description="Where `there` comes from.")


class PeerOut(Schema):
    place: PlaceRef = Field(description="The peer.")
    url: str = Field(description="The peer's page.", examples=["/places/rotterdam"])
    practice_count: int = Field(description="Its published practices.", examples=[4])
    score: float = Field(description="Sum of the contributions, 0 to 1.", examples=[0.61])
    confidence: float = Field(
        description="Share of the weight whose facts are known for both places, 0 to 1.",
        examples=[0.8],
    )
    factors: list[PeerFactor] = Field(description="Why: every factor, largest part first.")
    shared_terms: list[TermRef] = Field(
        description="What both work on (terms of their practices), most telling first."
    )
    complementary: list[PracticeSummary] = Field(
        description="Some of the peer's practices of activity types the first place has none of."
    )


class PeerResults(Schema):
    subject: ContextOut = Field(description="The place peers were found for.")
    across_borders: bool = Field(description="Whether peers were limited to other countries.")
    candidates: int = Field(description="Places that were ranked.", examples=[4999])
    items: list[PeerOut] = Field(description="The best peers, best first.")


class ComparedFact(Schema):
    factor: PeerFactorName = Field(examples=["population"])
    label: str = Field(description="The factor's name, translated.", examples=["Population"])
    values: list[str | None] = Field(
        description="The two places' values as shown; null when unknown.",
        examples=[["1,620,000", None]],
    )
    notes: list[str | None] = Field(description="Where each value comes from, if inherited.")


class ComparedTerm(Schema):
    code: str = Field(examples=["anti-rumour"])
    label: str = Field(examples=["Anti-rumour campaigns"])
    counts: list[int] = Field(description="Practices of each place with this term.")


class ComparedScheme(Schema):
    scheme: str = Field(description="Vocabulary code.", examples=["activity-type"])
    rows: list[ComparedTerm] = Field(description="Terms either place uses, most used first.")


class Comparison(Schema):
    places: list[PlaceRef] = Field(description="The two places, in the order asked.")
    practice_counts: list[int] = Field(description="Published practices of each.")
    context: list[ComparedFact] = Field(description="Context facts side by side.")
    profile: list[ComparedScheme] = Field(
        description="Practice profile by typology, evidence levels last."
    )
    similarity: PeerOut = Field(
        description="How alike the matching model finds the second place to the first, "
        "with every factor's part (as in the peers endpoint)."
    )


class SimilarReasons(Schema):
    shared_terms: list[TermRef] = Field(
        description="Activity types, goals and target groups both practices have."
    )
    shared_words: list[str] = Field(
        description="Distinctive words of the title and summary that both use."
    )
    text_similarity: float = Field(
        description="Full-text relevance relative to the best candidate, 0 to 1."
    )
    context_similarity: float = Field(
        description="How alike the two places are in context (peer model), 0 to 1."
    )
    close_context: list[str] = Field(
        description="Context factors in which the two places are close, translated.",
        examples=[["Population", "Migration history"]],
    )


class SimilarOut(Schema):
    practice: PracticeSummary = Field(description="The similar practice.")
    score: float = Field(
        description="0.5 × shared terms + 0.3 × text + 0.2 × context, 0 to 1.", examples=[0.62]
    )
    reasons: SimilarReasons = Field(description="Why it is suggested.")


class MemberIn(BaseModel):
    """A place or an organisation joining a network, written by the network's coordinator."""

    model_config = ConfigDict(extra="forbid")

    place: str | None = Field(
        default=None,
        description="Slug of the member place (or give `organisation`).",
        examples=["barcelona"],
    )
    organisation: str | None = Field(
        default=None,
        description="Slug of the member organisation (or give `place`).",
        examples=[None],
    )
    role: MemberRole = Field(
        default="member", description="The member's role in the network.", examples=["member"]
    )
    start_year: Year | None = Field(default=None, description="Year it joined.", examples=[2024])
    end_year: Year | None = Field(default=None, description="Year it left.", examples=[None])
    source: str | None = Field(
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
