"""A practice's fields as people see them: labels and the schemes a practice picks terms
of. Forms, error summaries, revision diffs and moderation all read them from here."""

from app.i18n import N_
from app.practices.filters import TERM_FILTERS

# Schemes a practice picks one term of (a ladder, a state); the others take several.
SINGLE_TERM_SCHEMES = ("evidence-level", "lifecycle")


EDITABLE_SCHEMES = tuple(TERM_FILTERS.values())


# Field labels for forms, error summaries, diffs and revision pages.
FIELD_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "description": N_("Description"),
    "place": N_("Place"),
    "lead_organisation": N_("Lead organisation"),
    "original_language": N_("Written in"),
    "start_year": N_("Start year"),
    "end_year": N_("End year"),
    "aim": N_("What is it designed to achieve?"),
    "participants": N_("Who takes part?"),
    "audience": N_("Whose views or behaviour should it influence?"),
    "what_did_not_work": N_("What did not work"),
    "know_how": N_("What someone copying it would need"),
    "languages": N_("Languages offered"),
    "links": N_("Links"),
    "visibility": N_("Who can see it"),
    "outcomes": N_("Outcomes"),
    "lineage": N_("Adapted from"),
    "note": N_("What changed"),
    "comment": N_("Comment"),
    "confirm_new": N_("Not a duplicate"),
}


# The words for states, marked for translation (templates translate them by value).
STATE_NAMES = (
    N_("draft"),
    N_("submitted"),
    N_("returned"),
    N_("published"),
    N_("archived"),
    N_("withdrawn"),
)
