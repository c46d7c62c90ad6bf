"""Listing, filtering and faceting practices (one practice is read in ``detail.py``).

The filters are declared once (``TERM_FILTERS`` and the fields of ``PracticeQuery``); the
JSON API, the HTML list and the facet counts all use them, so a filter added here appears
everywhere. Within one filter several values mean "any of"; different filters combine with
"and". A term filter also matches the term's sub-types.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from markupsafe import escape
from sqlmodel import Session, select

from app.catalogue.cache import cached, cached_many
from app.catalogue.highlighting import highlights
from app.catalogue.pagination import MAX_LISTED
from app.catalogue.practice_index import PracticeIndex, practice_index
from app.countries import country_name
from app.i18n import get_language
from app.models.places import Network
from app.models.practices import Practice
from app.models.vocabularies import Source
from app.permissions import PUBLIC, Viewer
from app.practices.detail import cached_summaries, in_order, summaries
from app.practices.filters import TERM_FILTERS, PracticeQuery, Resolved, resolve
from app.practices.schemas import MatchOut, PracticePage, PracticeSummary
from app.schemas import FacetValue
from app.vocabularies.queries import scheme_terms


def _facet(
    session: Session, index: PracticeIndex, name: str, rows: np.ndarray, chosen: list[str]
) -> list[FacetValue]:
    """Values of facet ``name`` among ``rows`` with their counts; chosen values always."""
    values: list[FacetValue] = []
    if name in TERM_FILTERS:
        terms = scheme_terms(session, TERM_FILTERS[name]).values()
        counts = index.counts("term", rows, [term.id for term in terms])
        for term in terms:
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
    # The chosen values always, and as many others as MAX_LISTED leaves room for.
    ranked = sorted(values, key=lambda v: (-v.count, v.label))
    room = MAX_LISTED - len(set(chosen))
    return [v for at, v in enumerate(ranked) if v.value in chosen or at < room]


def list_practices(session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC) -> PracticePage:
    """The practices ``viewer`` may see that match ``query`` (the public's by default)."""
    # "Verified within N months" moves with the calendar, not only with the catalogue.
    key = (query.model_dump_json(), viewer, date.today() if query.verified_within else None)
    return cached(session, "practices", key, lambda: _list_practices(session, query, viewer))


@dataclass
class _Matches:
    """Which rows of the index a query matches, and the parts that make it up."""

    resolved: Resolved
    index: PracticeIndex
    base: np.ndarray  # visible to the viewer and matching the words
    masks: dict[str, np.ndarray]  # one per filter given
    matched: np.ndarray  # all of them
    scores: np.ndarray | None  # full-text score per row, when searching
    any_word: bool = False  # no practice has every word: those with most of them instead


def _matches(session: Session, query: PracticeQuery, viewer: Viewer) -> _Matches:
    resolved = resolve(session, query, viewer)
    index = practice_index(session)
    visible = index.visible(viewer)
    masks = {name: index.having(kind, values) for name, (kind, values) in resolved.filters.items()}
    search, base, scores = resolved.search, visible, None
    if search:
        scores = index.scores(search)
        base = visible & ~np.isnan(scores)
    elif resolved.nothing_to_search:
        base = index.mask()  # e.g. q="%"
    matched = np.logical_and.reduce([base, *masks.values()])
    if search and len(search.groups) > 1 and not matched.any():
        # "rumours and stereotypes" finds nothing with both words: rather than nothing,
        # the practices with most of them, first those with more (the page says so).
        some = index.most_words_scores(search)
        with_some = visible & ~np.isnan(some)
        matched_some = np.logical_and.reduce([with_some, *masks.values()])
        if matched_some.any():
            return _Matches(resolved, index, with_some, masks, matched_some, some, any_word=True)
    return _Matches(resolved, index, base, masks, matched, scores)


def matched_rows(
    session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC
) -> tuple[PracticeIndex, np.ndarray]:
    """The index, and the mask of its rows that ``query``'s words and filters match (for
    counting them in charts; paging and facets are ignored)."""
    found = _matches(session, query, viewer)
    return found.index, found.matched


def matching_ids(session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC) -> list[int]:
    """Ids of every practice ``query``'s words and filters match, by title (for exports;
    paging and facets are ignored)."""
    found = _matches(session, query, viewer)
    rows = found.index.orders["title"]
    return [int(i) for i in found.index.ids[rows[found.matched[rows]]]]


def newest_practices(
    session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC, *, limit: int = 50
) -> list[tuple[Practice, PracticeSummary]]:
    """The most recently published practices ``query``'s words and filters match (for
    feeds; its sort and paging are ignored)."""
    found = _matches(session, query, viewer)
    page = found.index.page(
        found.matched, order="published", descending=True, limit=limit, cursor=None
    )
    practices = in_order(session, page.rows)
    return list(zip(practices, summaries(session, practices), strict=True))


def _list_practices(session: Session, query: PracticeQuery, viewer: Viewer) -> PracticePage:
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
    items = cached_summaries(session, page.rows)
    if resolved.search and scores is not None:
        search = resolved.search
        marked = cached_many(  # a practice comes up for the same words under many filters
            session,
            "highlights",
            [(search, i) for i in page.rows],
            lambda keys: {
                (search, i): mark
                for i, mark in highlights(session, search, [i for _s, i in keys]).items()
            },
            store="items",
        )
        rows, _which = index.rows(page.rows)
        for at, (practice_id, item) in enumerate(zip(page.rows, items, strict=True)):
            mark = marked.get((search, practice_id))
            match = MatchOut(
                score=round(float(scores[rows[at]]), 4),
                title=mark.title if mark else escape(item.title),
                passage=mark.passage if mark else "",
                found_in=mark.found_in if mark else None,
                language=mark.language if mark else None,
            )
            items[at] = item.model_copy(update={"match": match})  # the cached one stays bare
    chosen = query.active_filters()
    facets = {}
    for name in facet_names:
        # Each facet counts over the other filters, so its own values stay choosable.
        others = [mask for other, mask in masks.items() if other != name]
        rows = np.logical_and.reduce([base, *others])
        facets[name] = _facet(session, index, name, rows, chosen.get(name, []))
    return PracticePage(
        items=items,
        total=int(np.count_nonzero(matched)),
        next_cursor=page.next_cursor,
        facets=facets,
        any_word=found.any_word,
    )
