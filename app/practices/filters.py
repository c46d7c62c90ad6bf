"""The filters of a practice list, as query parameters, and what they resolve to."""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, create_model
from sqlmodel import Session, col, select

from app.catalogue.pagination import MAX_LISTED, page_cursor, page_limit
from app.catalogue.practice_index import Kind
from app.catalogue.search import SearchQuery, parse
from app.countries import country_name
from app.errors import InvalidParameter
from app.i18n import _
from app.models.places import Network, Place
from app.models.vocabularies import Source
from app.permissions import PUBLIC, Viewer
from app.practices.fields import PRACTICE_SCHEMES
from app.practices.follow_ups import verified_since
from app.practices.replication import replicated_ids
from app.validation import FilterValue, filter_values
from app.vocabularies.queries import resolve_codes, scheme_terms

# Query parameter -> vocabulary scheme. The order is the order of the filters on the page.
# Each scheme a practice is classified by is a list filter, named with underscores.
TERM_FILTERS: dict[str, str] = {scheme.replace("-", "_"): scheme for scheme in PRACTICE_SCHEMES}


FACETS: tuple[str, ...] = ("country", *TERM_FILTERS, "network", "source")


SortName = Literal[
    "relevance",
    "title",
    "-title",
    "start",
    "-start",
    "updated",
    "-updated",
    "evidence",
    "-evidence",
]


def _blank_is_none(value: object) -> object:
    return None if value == "" else value  # a <select> left at "any" sends ""


class _PracticeQueryBase(BaseModel):
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Words to look for in titles, summaries, descriptions, lessons, "
        "translations, place and lead body names, and, for a practice not written in the "
        "reader's language or in English, the labels of its classification in those "
        "languages; all must match. Each word is looked for in "
        "every language, stemmed as each language stems it (text is stemmed in the "
        "language it is written in), and integration, cohesion and inclusion stand in for "
        "each other. Results are ranked and each carries `match` with the matches marked.",
        examples=["rumour"],
    )
    country: list[FilterValue] = filter_values(
        description="ISO 3166-1 alpha-2 code of the lead place's country; repeat for several.",
        examples=[["ES", "IT"]],
    )
    network: list[FilterValue] = filter_values(
        description="Slug of a network the lead place or lead body belongs to.",
        examples=[["intercultural-cities"]],
    )
    place: list[FilterValue] = filter_values(
        description="Slug of a place; includes the places within it.",
        examples=[["barcelona"]],
    )
    source: list[FilterValue] = filter_values(
        description="Slug of a source report that describes the practice.",
        examples=[["amicall-uk-2012"]],
    )
    evidence_min: FilterValue | None = Field(
        default=None,
        description="Code of a level of the evidence ladder (GET "
        "/api/v1/vocabularies/evidence-level): only practices at that level or above.",
        examples=["outputs"],
    )
    replicated: bool | None = Field(
        default=None,
        description="true: only practices replicated elsewhere, the rung above the ladder: "
        "adapted (not only inspired by) in another place whose adaptation recorded outcomes "
        "of its own (the detail's `replicated_in`).",
        examples=[True],
    )
    verified_within: Annotated[int | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        ge=1,
        le=600,
        description="Only practices confirmed accurate within this many months (the "
        "detail's `verified_at`).",
        examples=[18],
    )
    sort: SortName | None = Field(
        default=None,
        description="Sort order: relevance (the default with `q`), title (the default "
        "without), start (year started), updated, or evidence (the rung of the evidence "
        "ladder, none given first); prefix - to reverse.",
    )
    limit: int = page_limit(20)
    cursor: str | None = page_cursor()
    facets: str | None = Field(
        default=None,
        max_length=500,
        description="Comma-separated filter names to count values for: " + ", ".join(FACETS) + ".",
        examples=["country,activity_type"],
    )

    def term_filters(self) -> dict[str, list[str]]:
        return {name: getattr(self, name) for name in TERM_FILTERS}

    def facet_names(self) -> list[str]:
        names = [n.strip() for n in (self.facets or "").split(",") if n.strip()]
        unknown = [n for n in names if n not in FACETS]
        if unknown:
            raise InvalidParameter(
                "facets",
                _("unknown facet %(values)s", values=", ".join(map(repr, unknown))),
                allowed=list(FACETS),
            )
        return names

    def active_filters(self) -> dict[str, list[str]]:
        """Filter name -> chosen values, for the filters that have any."""
        chosen = {"country": self.country, **self.term_filters()}
        chosen |= {"network": self.network, "place": self.place, "source": self.source}
        return {name: values for name, values in chosen.items() if values}


_PracticeQueryFields: Any = create_model(  # type: ignore[call-overload]
    "_PracticeQueryFields",
    __base__=_PracticeQueryBase,
    **{
        name: (
            list[FilterValue],
            filter_values(
                description=f"Code of a term of the `{scheme}` vocabulary "
                f"(GET /api/v1/vocabularies/{scheme}); matches its sub-types too; "
                "repeat for several.",
            ),
        )
        for name, scheme in TERM_FILTERS.items()
    },
)


class PracticeQuery(_PracticeQueryFields):
    """Filters, sort and paging for practice lists (query parameters)."""


@dataclass
class Resolved:
    """The query's words and filter values, validated and turned into ids once."""

    search: SearchQuery | None
    nothing_to_search: bool = False  # words were asked for, none of them searchable
    # filter name -> what it looks up in the index, and the values chosen
    filters: dict[str, tuple[Kind, list[Any]]] = field(default_factory=dict)


def slug_ids(session: Session, model: Any, param: str, slugs: list[str]) -> list[int]:
    """The ids of ``model`` rows by slug, in order; ``InvalidParameter`` names unknown ones."""
    if not slugs:
        return []
    found = dict(session.exec(select(model.slug, model.id).where(model.slug.in_(slugs))).all())
    unknown = [s for s in slugs if s not in found]
    if unknown:
        allowed = None
        if model is not Place:
            first = select(model.slug).order_by(model.slug).limit(MAX_LISTED)
            allowed = list(session.exec(first).all())
        raise InvalidParameter(
            param, _("unknown value %(values)s", values=", ".join(map(repr, unknown))), allowed
        )
    return [found[s] for s in slugs]


def evidence_at_least(session: Session, code: str) -> list[int]:
    """The ids of the evidence level ``code`` and of the levels above it on the ladder (the
    scheme's order); a 422 naming ``evidence_min`` for an unknown level."""
    ladder = list(scheme_terms(session, "evidence-level").values())
    codes = [term.code for term in ladder]
    if code not in codes:
        raise InvalidParameter(
            "evidence_min", _("unknown value %(values)s", values=repr(code)), allowed=codes
        )
    return [term.id for term in ladder[codes.index(code) :]]


def _places_within(session: Session, place_ids: list[int]) -> list[int]:
    """The places and every place inside them."""
    tree = select(col(Place.id)).where(col(Place.id).in_(place_ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(col(Place.id)).where(col(Place.parent_id) == tree.c.id))
    return [int(i) for i in session.execute(select(tree.c.id)).scalars()]


def resolve(session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC) -> Resolved:
    countries = [c.upper() for c in query.country]
    bad = [c for c in countries if country_name(c) is None]
    if bad:
        present = session.exec(select(Place.country).distinct().order_by(Place.country)).all()
        raise InvalidParameter(
            "country",
            _(
                "unknown value %(values)s; use ISO 3166-1 alpha-2 codes",
                values=", ".join(map(repr, bad)),
            ),
            allowed=list(present),
        )
    filters: dict[str, tuple[Kind, list[Any]]] = {}
    if countries:
        filters["country"] = ("country", countries)
    for name, codes in query.term_filters().items():
        if codes:
            filters[name] = ("term", resolve_codes(session, name, TERM_FILTERS[name], codes))
    if query.network:
        filters["network"] = ("network", slug_ids(session, Network, "network", query.network))
    if query.place:
        places = slug_ids(session, Place, "place", query.place)
        filters["place"] = ("place", _places_within(session, places))
    if query.source:
        filters["source"] = ("source", slug_ids(session, Source, "source", query.source))
    if query.evidence_min:
        filters["evidence_min"] = ("term", evidence_at_least(session, query.evidence_min))
    if query.verified_within:
        filters["verified_within"] = ("practice", verified_since(session, query.verified_within))
    if query.replicated:
        filters["replicated"] = ("practice", replicated_ids(session, viewer))
    search = parse(query.q)
    return Resolved(
        search=search,
        nothing_to_search=bool(query.q and query.q.strip()) and search is None,
        filters=filters,
    )
