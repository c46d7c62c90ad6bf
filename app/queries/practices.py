"""Listing, filtering, faceting and reading practices.

The filters are declared once (``TERM_FILTERS`` and the fields of ``PracticeQuery``); the
JSON API, the HTML list and the facet counts all use them, so a filter added here appears
everywhere. Within one filter several values mean "any of"; different filters combine with
"and". A term filter also matches the term's sub-types.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from markupsafe import escape
from pydantic import BaseModel, Field, create_model
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.countries import country_name
from app.errors import InvalidParameter, NotFound
from app.i18n import _, get_language
from app.models import (
    Network,
    Organisation,
    Outcome,
    Place,
    Practice,
    PracticeLineage,
    PracticePartner,
    PracticeSource,
    PracticeTerm,
    PracticeTranslation,
    Source,
    VocabularyScheme,
    VocabularyTerm,
    original_digest,
)
from app.queries.cache import cached
from app.queries.practice_index import Kind, PracticeIndex, practice_index
from app.queries.search import SearchQuery, highlights, hits, parse
from app.queries.visibility import PUBLIC, Viewer, practice_networks, visible
from app.queries.vocabularies import resolve_codes, scheme_terms, term_label_column
from app.schemas import (
    FacetValue,
    LineageOut,
    MatchOut,
    NetworkRef,
    OrganisationRef,
    OutcomeOut,
    Page,
    PartnerOut,
    PlaceRef,
    PracticeDetail,
    PracticeSummary,
    SourceRef,
    TermRef,
    TranslationOut,
)

# Query parameter -> vocabulary scheme. The order is the order of the filters on the page.
TERM_FILTERS: dict[str, str] = {
    "activity_type": "activity-type",
    "broad_category": "broad-category",
    "goal": "goal",
    "target_group": "target-group",
    "lra_role": "lra-role",
    "channel": "channel",
    "catalyst": "catalyst",
    "framing": "framing",
    "policy_area": "policy-area",
    "scale": "scale",
    "lifecycle": "lifecycle",
    "evidence_level": "evidence-level",
    "orton_phase": "orton-phase",
    "orton_theme": "orton-theme",
    "social_capital": "social-capital",
    "ucl_principle": "ucl-principle",
}
FACETS: tuple[str, ...] = ("country", *TERM_FILTERS, "network", "source")

SortName = Literal["relevance", "title", "-title", "start", "-start", "updated", "-updated"]


class _PracticeQueryBase(BaseModel):
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Words to look for in titles, summaries, descriptions, lessons, "
        "place and lead body names; all must match (English words are stemmed, and "
        "integration, cohesion and inclusion stand in for each other). Results are ranked "
        "and each carries `match` with the matches marked.",
        examples=["rumour"],
    )
    country: list[str] = Field(
        default_factory=list,
        description="ISO 3166-1 alpha-2 code of the lead place's country; repeat for several.",
        examples=[["ES", "IT"]],
    )
    network: list[str] = Field(
        default_factory=list,
        description="Slug of a network the lead place or lead body belongs to.",
        examples=[["intercultural-cities"]],
    )
    place: list[str] = Field(
        default_factory=list,
        description="Slug of a place; includes the places within it.",
        examples=[["barcelona"]],
    )
    source: list[str] = Field(
        default_factory=list,
        description="Slug of a source report that describes the practice.",
        examples=[["amicall-uk-2012"]],
    )
    sort: SortName | None = Field(
        default=None,
        description="Sort order: relevance (the default with `q`), title (the default "
        "without), start (year started) or updated; prefix - to reverse.",
    )
    limit: int = Field(default=20, ge=1, le=200, description="Items per page (1–200).")
    cursor: str | None = Field(
        default=None, max_length=500, description="`next_cursor` of the previous page."
    )
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
            list[str],
            Field(
                default_factory=list,
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
class _Resolved:
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
            allowed = list(session.exec(select(model.slug).order_by(model.slug)).all())
        raise InvalidParameter(
            param, _("unknown value %(values)s", values=", ".join(map(repr, unknown))), allowed
        )
    return [found[s] for s in slugs]


def _places_within(session: Session, place_ids: list[int]) -> list[int]:
    """The places and every place inside them."""
    tree = select(col(Place.id)).where(col(Place.id).in_(place_ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(col(Place.id)).where(col(Place.parent_id) == tree.c.id))
    return [int(i) for i in session.execute(select(tree.c.id)).scalars()]


def _resolve(session: Session, query: PracticeQuery) -> _Resolved:
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
    search = parse(query.q)
    return _Resolved(
        search=search,
        nothing_to_search=bool(query.q and query.q.strip()) and search is None,
        filters=filters,
    )


def _scores(session: Session, index: PracticeIndex, search: SearchQuery) -> np.ndarray:
    """Each row's full-text score; NaN for rows the words do not match."""
    found = hits(session, search)
    matches = session.execute(select(found.c.id, found.c.score)).all()
    rows, which = index.rows([int(practice_id) for practice_id, _score in matches])
    scores = np.full(len(index), np.nan)
    scores[rows] = np.array([float(score) for _id, score in matches])[which]
    return scores


def _facet(
    session: Session, index: PracticeIndex, name: str, rows: np.ndarray, chosen: list[str]
) -> list[FacetValue]:
    """Values of facet ``name`` among ``rows`` with their counts; chosen values always."""
    values: list[FacetValue] = []
    if name in TERM_FILTERS:
        counts = index.counts("term", rows)
        for term in scheme_terms(session, TERM_FILTERS[name]).values():
            count = counts.get(term.id, 0)
            if count or term.code in chosen:
                values.append(
                    FacetValue(
                        value=term.code, label=term.label, count=count, parent=term.parent_code
                    )
                )
        return values  # in the vocabulary's order, broader terms first
    if name == "country":
        values = [
            FacetValue(value=c, label=country_name(c, get_language()) or c, count=n)
            for c, n in index.counts("country", rows).items()
        ]
    else:
        model: Any = Network if name == "network" else Source
        counts = index.counts(name, rows)  # type: ignore[arg-type]
        labels = session.execute(
            select(model.id, model.slug, model.name if model is Network else model.title).where(
                model.id.in_(list(counts))
            )
        ).all()
        values = [FacetValue(value=slug, label=label, count=counts[i]) for i, slug, label in labels]
    counted = {v.value for v in values}
    values += [FacetValue(value=c, label=c, count=0) for c in chosen if c not in counted]
    return sorted(values, key=lambda v: (-v.count, v.label))


def list_practices(
    session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC
) -> Page[PracticeSummary]:
    """The practices ``viewer`` may see that match ``query`` (the public's by default)."""
    key = (query.model_dump_json(), viewer)
    return cached(session, "practices", key, lambda: _list_practices(session, query, viewer))


@dataclass
class _Matches:
    """Which rows of the index a query matches, and the parts that make it up."""

    resolved: _Resolved
    index: PracticeIndex
    base: np.ndarray  # visible to the viewer and matching the words
    masks: dict[str, np.ndarray]  # one per filter given
    matched: np.ndarray  # all of them
    scores: np.ndarray | None  # full-text score per row, when searching


def _matches(session: Session, query: PracticeQuery, viewer: Viewer) -> _Matches:
    resolved = _resolve(session, query)
    index = practice_index(session)
    base = index.visible(session, viewer)
    scores = None
    if resolved.search:
        scores = _scores(session, index, resolved.search)
        base = base & ~np.isnan(scores)
    elif resolved.nothing_to_search:
        base = index.mask()  # e.g. q="%"
    masks = {name: index.having(kind, values) for name, (kind, values) in resolved.filters.items()}
    matched = np.logical_and.reduce([base, *masks.values()])
    return _Matches(resolved, index, base, masks, matched, scores)


def matching_ids(session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC) -> list[int]:
    """Ids of every practice ``query``'s words and filters match, by title (for exports;
    paging and facets are ignored)."""
    found = _matches(session, query, viewer)
    rows = found.index.orders["title"]
    return [int(i) for i in found.index.ids[rows[found.matched[rows]]]]


def _in_order(session: Session, ids: list[int]) -> list[Practice]:
    """The practices ``ids``, in that order (one page's worth)."""
    by_id = {p.id: p for p in session.exec(select(Practice).where(col(Practice.id).in_(ids)))}
    return [by_id[i] for i in ids]


def newest_practices(
    session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC, *, limit: int = 50
) -> list[tuple[Practice, PracticeSummary]]:
    """The most recently published practices ``query``'s words and filters match (for
    feeds; its sort and paging are ignored)."""
    found = _matches(session, query, viewer)
    page = found.index.page(
        found.matched, order="published", descending=True, limit=limit, cursor=None
    )
    practices = _in_order(session, page.rows)
    return list(zip(practices, summaries(session, practices), strict=True))


def _list_practices(
    session: Session, query: PracticeQuery, viewer: Viewer
) -> Page[PracticeSummary]:
    facet_names = query.facet_names()
    found = _matches(session, query, viewer)
    resolved, index, base, masks = found.resolved, found.index, found.base, found.masks
    matched, scores = found.matched, found.scores

    sort_name = query.sort or ("relevance" if resolved.search else "title")
    if sort_name == "relevance" and scores is not None:
        page = index.page_by_score(matched, scores, limit=query.limit, cursor=query.cursor)
    else:
        order = "title" if sort_name == "relevance" else sort_name
        page = index.page(
            matched,
            order=order.removeprefix("-"),  # type: ignore[arg-type]
            descending=order.startswith("-"),
            limit=query.limit,
            cursor=query.cursor,
        )
    practices = _in_order(session, page.rows)
    items = summaries(session, practices)
    if resolved.search:
        marked = highlights(session, resolved.search, page.rows)
        for item, practice in zip(items, practices, strict=True):
            mark = marked.get(int(practice.id or 0))
            item.match = MatchOut(
                score=round(mark.score, 4) if mark else 0.0,
                title=mark.title if mark else escape(practice.title),
                passage=mark.snippet if mark else "",
            )
    chosen = query.active_filters()
    facets = {}
    for name in facet_names:
        # Each facet counts over the other filters, so its own values stay choosable.
        others = [mask for other, mask in masks.items() if other != name]
        rows = np.logical_and.reduce([base, *others])
        facets[name] = _facet(session, index, name, rows, chosen.get(name, []))
    return Page[PracticeSummary](
        items=items,
        total=int(np.count_nonzero(matched)),
        next_cursor=page.next_cursor,
        facets=facets,
    )


def summaries(
    session: Session, practices: Sequence[Practice], *, original: bool = False
) -> list[PracticeSummary]:
    """Public summaries of ``practices``, loading their relations in a few batched queries.

    Titles and summaries come in the reader's language where a translation exists, unless
    ``original`` asks for the text as written.
    """
    if not practices:
        return []
    ids = [p.id for p in practices]
    places = {
        p.id: p
        for p in session.exec(
            select(Place).where(col(Place.id).in_({p.place_id for p in practices}))
        )
    }
    lead_ids = {p.lead_organisation_id for p in practices if p.lead_organisation_id}
    leads = {
        o.id: o
        for o in session.exec(select(Organisation).where(col(Organisation.id).in_(lead_ids)))
    }
    terms: dict[int, dict[str, list[TermRef]]] = defaultdict(lambda: defaultdict(list))
    for practice_id, scheme, code, label in session.exec(
        select(
            PracticeTerm.practice_id,
            VocabularyScheme.code,
            VocabularyTerm.code,
            term_label_column(),
        )
        .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(col(PracticeTerm.practice_id).in_(ids))
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ):
        terms[practice_id][scheme].append(TermRef(code=code, label=label))
    sources: dict[int, list[SourceRef]] = defaultdict(list)
    for practice_id, source, locator in session.exec(
        select(PracticeSource.practice_id, Source, PracticeSource.locator)
        .join(Source, col(Source.id) == PracticeSource.source_id)
        .where(col(PracticeSource.practice_id).in_(ids))
        .order_by(col(PracticeSource.id))
    ):
        ref = SourceRef.model_validate(source).model_copy(update={"locator": locator})
        sources[practice_id].append(ref)
    translations: dict[int, dict[str, PracticeTranslation]] = defaultdict(dict)
    for translation in session.exec(
        select(PracticeTranslation).where(col(PracticeTranslation.practice_id).in_(ids))
    ):
        translations[translation.practice_id][translation.language] = translation
    result = []
    for p in practices:
        assert p.id is not None
        practice_terms = dict(terms[p.id])
        wanted = None if original else translations[p.id].get(get_language())
        shown = wanted if wanted and wanted.language != p.original_language else None
        evidence = practice_terms.get("evidence-level", [])
        lead = leads.get(p.lead_organisation_id)
        result.append(
            PracticeSummary(
                slug=p.slug,
                title=shown.title if shown else p.title,
                summary=shown.summary if shown else p.summary,
                language=shown.language if shown else p.original_language,
                original_language=p.original_language,
                translation=_translation_out(p, shown) if shown else None,
                available_languages=[
                    p.original_language,
                    *sorted(set(translations[p.id]) - {p.original_language}),
                ],
                place=PlaceRef.model_validate(places[p.place_id]),
                lead_organisation=OrganisationRef.model_validate(lead) if lead else None,
                start_year=p.start_year,
                end_year=p.end_year,
                evidence_level=evidence[0] if evidence else None,
                terms=practice_terms,
                sources=sources[p.id],
                url=f"/practices/{p.slug}",
            )
        )
    return result


def _translation_out(practice: Practice, translation: PracticeTranslation) -> TranslationOut:
    return TranslationOut(
        language=translation.language,
        origin="machine" if translation.origin == "machine" else "human",
        stale=translation.source_digest != original_digest(practice.title, practice.summary),
        updated_at=translation.updated_at,
    )


def get_practice(
    session: Session, slug: str, viewer: Viewer = PUBLIC, *, original: bool = False
) -> PracticeDetail:
    return practice_detail(session, find_practice(session, slug, viewer), viewer, original=original)


def practice_detail(
    session: Session, practice: Practice, viewer: Viewer = PUBLIC, *, original: bool = False
) -> PracticeDetail:
    """Everything public about ``practice`` (as found by ``find_practice``)."""
    summary = summaries(session, [practice], original=original)[0]
    partners = [
        PartnerOut(organisation=OrganisationRef.model_validate(org), role=role)
        for org, role in session.exec(
            select(Organisation, PracticePartner.role)
            .join(PracticePartner, col(PracticePartner.organisation_id) == Organisation.id)
            .where(PracticePartner.practice_id == practice.id)
            .order_by(col(Organisation.name))
        )
    ]
    links = practice_networks()
    networks = [
        NetworkRef.model_validate(n)
        for n in session.exec(
            select(Network)
            .where(
                col(Network.id).in_(
                    select(links.c.network_id).where(links.c.practice_id == practice.id)
                )
            )
            .order_by(col(Network.name))
        )
    ]
    outcomes = [
        OutcomeOut(
            text=o.text,
            metric=o.metric,
            value=o.value,
            year=o.year,
            date=o.observed_on.isoformat() if o.observed_on else None,
            source=SourceRef.model_validate(s) if s else None,
            source_note=o.source_note,
            evidence_level=o.evidence_level,
        )
        for o, s in session.exec(
            select(Outcome, Source)
            .outerjoin(Source, col(Source.id) == Outcome.source_id)
            .where(Outcome.practice_id == practice.id)
            .order_by(col(Outcome.id))
        )
    ]
    return PracticeDetail(
        **summary.model_dump(),
        description=practice.description,
        aim=practice.aim,
        participants=practice.participants,
        audience=practice.audience,
        visibility="network" if practice.visibility == "network" else "public",
        partners=partners,
        networks=networks,
        outcomes=outcomes,
        what_did_not_work=practice.what_did_not_work,
        know_how=practice.know_how,
        languages=practice.languages,
        links=practice.links,
        adapted_from=_lineage(session, practice, viewer, upstream=True),
        adaptations=_lineage(session, practice, viewer, upstream=False),
        published_at=practice.published_at,
        version=practice.version,
    )


def _lineage(
    session: Session, practice: Practice, viewer: Viewer, *, upstream: bool
) -> list[LineageOut]:
    """The practices ``practice`` was adapted from (``upstream``), or those adapted from it;
    only those ``viewer`` may see."""
    here, there = (
        (PracticeLineage.practice_id, PracticeLineage.origin_id)
        if upstream
        else (PracticeLineage.origin_id, PracticeLineage.practice_id)
    )
    rows = session.exec(
        select(Practice, PracticeLineage.kind, PracticeLineage.note)
        .join(PracticeLineage, col(there) == Practice.id)
        .where(col(here) == practice.id, *visible(viewer))
        .order_by(func.lower(Practice.title))
    ).all()
    others = {s.slug: s for s in summaries(session, [p for p, _kind, _note in rows])}
    return [LineageOut(practice=others[p.slug], kind=kind, note=note) for p, kind, note in rows]


def find_practice(session: Session, slug: str, viewer: Viewer = PUBLIC) -> Practice:
    """The published practice ``slug`` if ``viewer`` may see it; 404 otherwise (also for
    network-only practices, so that their existence does not leak)."""
    practice = session.exec(
        select(Practice).where(Practice.slug == slug).where(*visible(viewer))
    ).first()
    if practice is None:
        raise NotFound(_("no published practice %(slug)r", slug=slug))
    return practice
