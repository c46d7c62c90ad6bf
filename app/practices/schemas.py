"""How a practice reads in the API and on pages (the output models)."""

from typing import Literal

from pydantic import Field, create_model

from app.i18n import N_
from app.models.design import PROMPTS
from app.models.practices import LineageKind, PracticeStatus, Visibility
from app.schemas import (
    NetworkRef,
    OrganisationRef,
    Page,
    PlaceRef,
    Schema,
    SourceRef,
    TermRef,
    UtcDateTime,
)


class PartnerOut(Schema):
    organisation: OrganisationRef = Field(description=N_("The partner organisation."))
    role: str | None = Field(
        default=None, description=N_("What the partner did."), examples=["volunteer training"]
    )


class OutcomeOut(Schema):
    text: str = Field(
        description=N_("What was found."), examples=["Reached an audience across the region."]
    )
    language: str = Field(
        description=N_("Language of `text` as returned: a translation's, or the original's."),
        examples=["en"],
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
        description=N_("True when the original changed after the translation was made."),
        examples=[False],
    )
    updated_at: UtcDateTime = Field(description=N_("When the translation was last saved."))
    fields: list[str] = Field(
        default=["title", "summary"],
        description=N_(
            "The written fields shown in translation; the others are shown as written. "
            "Lists give the title and summary only."
        ),
        examples=[["title", "summary", "description"]],
    )


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
    found_in: Literal["translation", "names", "classification"] | None = Field(
        default=None,
        description=N_(
            "Where `passage` comes from when the original text did not match: a "
            "translation, the place and lead body names, or the label of a term the "
            "practice is classified by."
        ),
        examples=["translation"],
    )
    language: str | None = Field(
        default=None,
        description=N_("Language of `passage` when it is a translation or a term's label."),
        examples=["de"],
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


class PracticePage(Page[PracticeSummary]):
    """A page of practices."""

    # Only in an answer that was relaxed, so that every other keeps the documented envelope.
    any_word: bool = Field(
        default=False,
        exclude_if=lambda relaxed: not relaxed,
        examples=[True],
        description=N_(
            "True when no practice has every word of `q`: the items then have some of them, "
            "those with most first."
        ),
    )


class LineageOut(Schema):
    practice: PracticeSummary = Field(description=N_("The other practice."))
    kind: LineageKind = Field(
        description=N_("adapted-from (follows it closely) or inspired-by."),
        examples=["inspired-by"],
    )
    note: str | None = Field(default=None, description=N_("What was changed when adapting it."))


# The design profile's answers, each a field of the detail as of the input (so a partner can
# read a practice and write it back); null where not answered.
_DesignOut: type[Schema] = create_model(
    "_DesignOut",
    __base__=Schema,
    **{p.name: (str | None, Field(default=None, description=p.question)) for p in PROMPTS},  # type: ignore[call-overload]
)


class PracticeDetail(PracticeSummary, _DesignOut):
    description: str | None = Field(default=None, description=N_("Longer description."))
    aim: str | None = Field(
        default=None, description=N_("What it is designed to achieve, in the authors' words.")
    )
    participants: str | None = Field(default=None, description=N_("Who takes part."))
    audience: str | None = Field(default=None, description=N_("Whom it should influence."))
    visibility: Visibility = Field(
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
    replicated_in: list[PracticeSummary] = Field(
        description=N_(
            "The replication rung of the evidence ladder: adaptations of this practice in "
            "other places that recorded outcomes of their own (computed from `adaptations`)."
        )
    )
    published_at: UtcDateTime | None = Field(
        default=None, description=N_("When the current version was published.")
    )
    verified_at: UtcDateTime | None = Field(
        default=None,
        description=N_(
            "When someone last confirmed it is still accurate (publishing an edit confirms "
            "it; for a practice from a report, when it was published)."
        ),
    )
    version: int = Field(
        description=N_("Increases with every change; the ETag of the practice."), examples=[3]
    )


class PracticeWritten(Schema):
    """What a write through the API did."""

    slug: str = Field(
        description="The practice's slug (its address).", examples=["barcelona-story-circles"]
    )
    status: PracticeStatus = Field(
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
