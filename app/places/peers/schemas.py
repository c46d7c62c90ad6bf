"""What a peer search takes and gives back."""

from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
)

from app.practices.schemas import PracticeSummary
from app.schemas import PlaceRef, Schema, TermRef
from app.validation import FilterValue, not_a_boolean

PeerFactorName = Literal[
    "profile",
    "challenges",
    "dilemmas",
    "population",
    "foreign_born",
    "migration_history",
    "level",
    "urban_rural",
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
    population: Annotated[int | None, BeforeValidator(not_a_boolean)] = Field(
        default=None, ge=1, le=2_000_000_000, description="Residents.", examples=[250000]
    )
    foreign_born_share: Annotated[float | None, BeforeValidator(not_a_boolean)] = Field(
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
    challenges: list[FilterValue] = Field(
        default_factory=list,
        max_length=40,
        description="What the place faces and works on: codes of terms of the `catalyst` "
        "and `policy-area` vocabularies. Compared with the catalysts, policy areas and "
        "target groups of other places' published practices (the `challenges` factor).",
        examples=[["negative-messaging", "anti-discrimination"]],
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


class SharedTerms(Schema):
    scheme: str = Field(
        description="Vocabulary: `catalyst`, `policy-area` or `target-group`.",
        examples=["catalyst"],
    )
    label: str = Field(description="What sharing them means, translated.", examples=["Both face"])
    terms: list[TermRef] = Field(description="The terms both places have, rarest first.")


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
        description="How both work: activity types and goals of both places' practices, "
        "most telling first."
    )
    shared_challenges: list[SharedTerms] = Field(
        default_factory=list,
        description="What both face (catalysts), work on (policy areas) and reach (target "
        "groups): the `challenges` factor in words. A broader term is left out when a "
        "narrower one is shared.",
    )
    shared_dilemmas: list[TermRef] = Field(
        default_factory=list,
        description="The clusters of dilemmas both places recorded in public dilemma logs: "
        "the `dilemmas` factor in words.",
    )
    complementary: list[PracticeSummary] = Field(
        description="Some of the peer's practices of activity types the first place has none of."
    )


class PeerResults(Schema):
    subject: ContextOut = Field(description="The place peers were found for.")
    across_borders: bool = Field(description="Whether peers were limited to other countries.")
    include_empty: bool = Field(
        default=False,
        description="Whether places with no published practices yet were candidates "
        "(by default only places with at least one are).",
    )
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
