"""The practice list's filter labels."""

from app.i18n import N_, _
from app.practices.filters import TERM_FILTERS
from app.vocabularies.queries import list_schemes
from app.web.deps import SessionDep

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
