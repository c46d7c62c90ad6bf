"""The practice list's filter labels, and the chips that name the chosen filters."""

from app.i18n import N_, _
from app.i18n import template_ngettext as ngettext
from app.practices.filters import TERM_FILTERS, PracticeQuery
from app.practices.schemas import PracticePage
from app.vocabularies.queries import list_schemes
from app.web.deps import SessionDep
from app.web.templating import query_url

OTHER_FACET_LABELS = {
    "country": N_("Country"),
    "network": N_("Network"),
    "source": N_("Source report"),
    "place": N_("Place"),
}


# Filters shown open on the list page; the others start folded.
OPEN_FACETS = ("country", "activity_type", "target_group", "evidence_level")


def filter_labels(session: SessionDep) -> dict[str, str]:
    schemes = {s.scheme: s.label for s in list_schemes(session)}
    labels = {name: schemes.get(scheme, name) for name, scheme in TERM_FILTERS.items()}
    return {name: _(label) for name, label in OTHER_FACET_LABELS.items()} | labels


def filter_chips(
    query: PracticeQuery,
    page: PracticePage,
    params: list[tuple[str, str]],
    facet_labels: dict[str, str],
    levels: dict[str, str],
) -> list[tuple[str, str]]:
    """One removable chip per chosen filter value: its label, and the same list without it."""
    value_labels = {
        (name, v.value): v.label for name, values in page.facets.items() for v in values
    }

    def without(*removed: tuple[str, str] | str) -> str:
        kept = [(k, v) for k, v in params if (k, v) not in removed and k not in removed]
        return query_url("/practices", kept, cursor=None)

    chips = [
        (f"{facet_labels[name]}: {value_labels.get((name, value), value)}", without((name, value)))
        for name, values in query.active_filters().items()
        for value in values
    ]
    if query.evidence_min:
        level = levels.get(query.evidence_min, query.evidence_min)
        chips.append((_("Evidence: at least %(level)s", level=level), without("evidence_min")))
    if query.verified_within:
        months = query.verified_within
        label = ngettext(
            "Verified in the last month", "Verified in the last %(num)s months", months
        )
        chips.append((label % {"num": months}, without("verified_within")))
    if query.replicated:
        chips.append((_("Replicated elsewhere"), without("replicated")))
    return chips
