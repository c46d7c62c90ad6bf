"""What the catalogue shows at a glance: the numbers behind each chart, counted over the
practices a list's filters match (with the same index, so a chart never disagrees with the
list its bars link to).

A practice counts once for each of its activity types, so a bar of activity types can be
longer than the number of practices it stands for; the charts say so.
"""

from collections.abc import Sequence
from datetime import date
from urllib.parse import urlencode

import numpy as np
from sqlmodel import Session

from app.catalogue.cache import cached
from app.catalogue.charts import Chart, Row, palette
from app.catalogue.practice_index import PracticeIndex
from app.countries import country_name
from app.i18n import _, get_language
from app.permissions import PUBLIC, Viewer
from app.practices.filters import PracticeQuery
from app.practices.listing import matched_rows
from app.vocabularies.queries import Term, scheme_terms

_NOT_FILTERS = {"limit", "cursor", "facets", "sort"}


def _params(query: PracticeQuery) -> list[tuple[str, str]]:
    """The query's words and filters as query parameters."""
    params: list[tuple[str, str]] = []
    for name, value in query.model_dump(exclude_defaults=True, exclude=_NOT_FILTERS).items():
        values = value if isinstance(value, list) else [value]
        params += [(name, str(v).lower() if isinstance(v, bool) else str(v)) for v in values]
    return params


def _url(query: PracticeQuery, *more: tuple[str, str]) -> str:
    """The list of ``query``'s practices narrowed to ``more`` (which replace the values of
    their filters, so that the list counts what the bar does)."""
    replaced = {name for name, _value in more}
    kept = [(name, value) for name, value in _params(query) if name not in replaced]
    return "/practices?" + urlencode([*kept, *more])


def _activity_types(session: Session) -> list[Term]:
    """The broadest activity types (a sub-type counts with its broader term)."""
    return [t for t in scheme_terms(session, "activity-type").values() if t.parent_code is None]


def _term_counts(index: PracticeIndex, rows: np.ndarray, terms: Sequence[Term]) -> list[int]:
    counts = index.counts("term", rows, [t.id for t in terms])
    return [counts.get(t.id, 0) for t in terms]


def activity_by_country(
    session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC, *, countries: int = 10
) -> Chart:
    """Activity types of the matched practices in each of the countries with most of them:
    the seven commonest types, and the others together. Kept while the catalogue stays
    unchanged, under the query's words and filters only: the practice list draws it on
    every page of its results, and ``/insights`` draws it for the same filters."""
    # "Verified within N months" moves with the calendar, as in the list's own key.
    key = (tuple(_params(query)), viewer, countries, query.verified_within and date.today())
    return cached(
        session,
        "activity by country",
        key,
        lambda: _activity_by_country(session, query, viewer, countries),
    )


def _activity_by_country(
    session: Session, query: PracticeQuery, viewer: Viewer, countries: int
) -> Chart:
    index, matched = matched_rows(session, query, viewer)
    types = _activity_types(session)
    overall = _term_counts(index, matched, types)
    ranked = sorted(range(len(types)), key=lambda i: -overall[i])
    shown, others = [types[i] for i in ranked[:7] if overall[i]], [types[i] for i in ranked[7:]]
    per_country = index.counts("country", matched)
    top = sorted(per_country, key=lambda c: (-per_country[c], c))[:countries]
    rows = []
    for code in top:
        in_country = matched & index.having("country", [code])
        values = _term_counts(index, in_country, shown)
        rest = sum(_term_counts(index, in_country, others))
        name = country_name(code, get_language()) or code
        rows.append(Row(name, (*values, rest), _url(query, ("country", code))))
    series = palette([t.label for t in shown], rest=_("Other activity types"))
    leader = rows[0].label if rows else ""
    return Chart(
        id="activity-by-country",
        title=_("Activity types by country"),
        summary=_(
            "A bar for each of the %(count)s countries with most practices, split by "
            "activity type; %(leader)s has most.",
            count=len(rows),
            leader=leader,
        ),
        row_header=_("Country"),
        series=series,
        rows=rows,
        notes=(_("A practice counts once for each of its activity types."),),
    )


def evidence_by_start_year(
    session: Session, query: PracticeQuery, viewer: Viewer = PUBLIC
) -> Chart:
    """How strong the evidence is for the matched practices, by the year they started."""
    index, matched = matched_rows(session, query, viewer)
    ladder = list(scheme_terms(session, "evidence-level").values())
    starts = index.keys["start"]
    years = sorted({int(y) for y in starts[matched] if y > 0})
    rows = []
    for year in years:
        started = matched & (starts == year)
        values = _term_counts(index, started, ladder)
        unrecorded = int(np.count_nonzero(started)) - sum(values)
        rows.append(Row(str(year), (*values, unrecorded)))
    series = palette([t.label for t in ladder], rest=_("Level not recorded"))
    undated = int(np.count_nonzero(matched & (starts <= 0)))
    return Chart(
        id="evidence-by-year",
        title=_("Evidence by the year practices started"),
        summary=_(
            "A bar for each start year from %(first)s to %(last)s, split by evidence level.",
            first=years[0] if years else "",
            last=years[-1] if years else "",
        ),
        row_header=_("Start year"),
        series=series,
        rows=rows,
        notes=(_("%(count)s practices without a start year are not shown.", count=undated),)
        if undated
        else (),
    )


def network_coverage(session: Session, network: str, viewer: Viewer = PUBLIC) -> Chart:
    """How many of a network's practices fall under each activity type, gaps included."""
    query = PracticeQuery(network=[network])
    index, matched = matched_rows(session, query, viewer)
    types = _activity_types(session)
    counts = _term_counts(index, matched, types)
    rows = [
        Row(t.label, (n,), _url(query, ("activity_type", t.code)))
        for t, n in zip(types, counts, strict=True)
    ]
    missing = sum(1 for n in counts if not n)
    return Chart(
        id="network-coverage",
        title=_("Activity types the network's practices cover"),
        summary=_(
            "A bar for each of the %(count)s activity types; %(missing)s have no practice yet.",
            count=len(types),
            missing=missing,
        ),
        row_header=_("Activity type"),
        series=palette([_("Practices")]),
        rows=rows,
    )


def place_profile(
    session: Session, place: str, peers: Sequence[str], viewer: Viewer = PUBLIC
) -> Chart:
    """The share of a place's practices of each activity type, beside its peers' share."""
    types = _activity_types(session)
    shares = []
    for places in ([place], list(peers)):
        if not places:  # no filter would mean the whole catalogue
            shares.append([0] * len(types))
            continue
        index, matched = matched_rows(session, PracticeQuery(place=places), viewer)
        total = int(np.count_nonzero(matched))
        counts = _term_counts(index, matched, types)
        shares.append([round(100 * n / total) if total else 0 for n in counts])
    rows = [
        Row(t.label, (mine, theirs), _url(PracticeQuery(place=[place]), ("activity_type", t.code)))
        for t, mine, theirs in zip(types, *shares, strict=True)
        if mine or theirs
    ]
    return Chart(
        id="place-profile",
        title=_("Practice profile beside its peers'"),
        summary=_(
            "For each activity type, the share of this place's practices beside the share of "
            "its peers' practices."
        ),
        row_header=_("Activity type"),
        series=palette([_("This place"), _("Its peers")]),
        rows=rows,
        stacked=False,
        percent=True,
        notes=(_("A practice counts once for each of its activity types."),),
    )
