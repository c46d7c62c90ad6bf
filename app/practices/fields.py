"""A practice's fields as people see them, declared once: their labels, whether they are
prose written in the practice's language, which folded section of the edit form holds
them, and the schemes a practice picks terms of. The form, the search index, revision
pages, diffs and moderation all read them from here.

A new text field is a column of ``app.models.practices.PracticeBase`` plus one
``PracticeField`` below (and its box in ``templates/practices/edit.html``); a new design
prompt is one ``DesignPrompt`` in ``app.models.design``, and nothing more.
"""

from dataclasses import dataclass

from app.i18n import N_
from app.models.design import PROMPTS
from app.models.practices import Practice


@dataclass(frozen=True)
class PracticeField:
    name: str  # a PracticeIn field; "terms" stands for one entry per editable scheme
    label: str  # N_-marked
    # Prose in the practice's own language: a text box, marked with its language where
    # shown, and searched (title and summary are indexed apart, the others as its body).
    written: bool = False
    section: str | None = None  # the edit form's folded section; None: always shown
    # Written on one line (the form's one-line box): no tab or line break.
    one_line: bool = False


# In the order revision pages and diffs show them.
PRACTICE_FIELDS: tuple[PracticeField, ...] = (
    PracticeField("title", N_("Title"), written=True, one_line=True),
    PracticeField("summary", N_("Summary"), written=True),
    PracticeField("description", N_("Description"), written=True, section="detail"),
    PracticeField("aim", N_("What is it designed to achieve?"), written=True),
    PracticeField("participants", N_("Who takes part?"), written=True),
    PracticeField("audience", N_("Whose views or behaviour should it influence?"), written=True),
    PracticeField("place", N_("Place")),
    PracticeField("lead_organisation", N_("Lead organisation")),
    PracticeField("original_language", N_("Written in")),
    PracticeField("start_year", N_("Start year")),
    PracticeField("end_year", N_("End year"), section="detail"),
    PracticeField("visibility", N_("Who can see it")),
    PracticeField("terms", ""),  # labelled by each scheme's name
    PracticeField("outcomes", N_("Outcomes"), section="evidence"),
    PracticeField("what_did_not_work", N_("What did not work"), written=True, section="lessons"),
    PracticeField(
        "know_how", N_("What someone copying it would need"), written=True, section="lessons"
    ),
    *(PracticeField(p.name, p.question, written=True, section="design") for p in PROMPTS),
    PracticeField("languages", N_("Languages offered"), section="detail"),
    PracticeField("links", N_("Links"), section="detail"),
    PracticeField("lineage", N_("Adapted from"), section="lineage"),
)


# Field labels for forms, error summaries, diffs and revision pages (with the form's own
# fields that are not part of a practice).
FIELD_LABELS: dict[str, str] = {
    **{f.name: f.label for f in PRACTICE_FIELDS if f.label},
    "note": N_("What changed"),
    "comment": N_("Comment"),
    "confirm_new": N_("Not a duplicate"),
}


# The fields of a repeated row of the form (an outcome, a source practice), labelled as
# the form shows them and as an error names them ("Outcome 2: What was found").
ROW_LABELS: dict[str, dict[str, str]] = {
    "outcomes": {
        "text": N_("What was found"),
        "metric": N_("What was measured"),
        "value": N_("Value"),
        "date": N_("When"),
        "source": N_("Source"),
        "source_report": N_("Or a report in Interlocal"),
        "evidence_level": N_("How it was established"),
    },
    "lineage": {
        "practice": N_("The other practice"),
        "kind": N_("How closely"),
        "note": N_("What you changed"),
    },
}


# The fields a form posts as one string each: the prose, and the choices and slugs.
SINGLE_VALUE_FIELDS = tuple(
    f.name
    for f in PRACTICE_FIELDS
    if f.written or f.name in ("place", "lead_organisation", "original_language", "visibility")
)


WRITTEN_FIELDS = tuple(f.name for f in PRACTICE_FIELDS if f.written)


ONE_LINE_FIELDS = tuple(f.name for f in PRACTICE_FIELDS if f.one_line)


# How long each written field may be (the form's maxlength): its column's length.
TEXT_LIMITS: dict[str, int] = {
    name: Practice.__table__.columns[name].type.length  # type: ignore[attr-defined]
    for name in WRITTEN_FIELDS
}


# What the search index holds as a practice's body (its title and summary have their own).
BODY_FIELDS = tuple(name for name in WRITTEN_FIELDS if name not in ("title", "summary"))


# Schemes a practice picks one term of (a ladder, a state); the others take several.
SINGLE_TERM_SCHEMES = ("evidence-level", "lifecycle")


# The schemes a practice is classified by (its terms), in the order forms and filters show
# them; each is also a filter of practice lists (``app.practices.filters``).
PRACTICE_SCHEMES: tuple[str, ...] = (
    "activity-type",
    "broad-category",
    "goal",
    "target-group",
    "lra-role",
    "channel",
    "catalyst",
    "framing",
    "policy-area",
    "scale",
    "lifecycle",
    "evidence-level",
    "orton-phase",
    "orton-theme",
    "social-capital",
    "ucl-principle",
)


EDITABLE_SCHEMES = PRACTICE_SCHEMES


# The edit form's folded section of each scheme's terms (schemes not named: always shown).
TERM_SECTIONS = {
    **dict.fromkeys(
        (
            "activity-type",
            "broad-category",
            "channel",
            "scale",
            "catalyst",
            "framing",
            "policy-area",
        ),
        "detail",
    ),
    "evidence-level": "evidence",
    **dict.fromkeys(
        ("orton-phase", "orton-theme", "social-capital", "ucl-principle"), "typologies"
    ),
}


def form_sections() -> dict[str, tuple[str, ...]]:
    """Each folded section of the edit form and the form fields in it (``terms-<scheme>``
    for terms): a section opens when one of its fields has a value or an error."""
    sections: dict[str, list[str]] = {}
    for f in PRACTICE_FIELDS:
        if f.section:
            sections.setdefault(f.section, []).append(f.name)
    for scheme, section in TERM_SECTIONS.items():
        sections.setdefault(section, []).append(f"terms-{scheme}")
    return {section: tuple(names) for section, names in sections.items()}


# The words for states, marked for translation (templates translate them by value).
STATE_NAMES = (
    N_("draft"),
    N_("submitted"),
    N_("returned"),
    N_("published"),
    N_("archived"),
    N_("withdrawn"),
)
