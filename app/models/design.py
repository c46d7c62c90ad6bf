"""The design profile: prompts from the reports that a practice's officers answer in their
own words, to reflect on how it was designed. Never a score: no totals, no ranking (the
AMICALL report: "a tickbox approach to benchmarking [is] counter-productive").

Each prompt is a column of ``Practice`` and of ``PracticeTranslation`` (``DesignAnswers``),
so an answer is drafted, revised, diffed, searched and translated like any written field.
The questions that have choices are vocabularies a practice is classified by (goal, target
group, the authority's role, scale, channel, framing), so lists filter by them.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import create_model
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.validation import Text, limit

ANSWER_LENGTH = 2000


@dataclass(frozen=True)
class DesignGroup:
    code: str
    title: str  # N_-marked
    intro: str  # N_-marked: where the prompts come from and how to answer them


@dataclass(frozen=True)
class DesignPrompt:
    name: str  # the column
    group: str
    question: str  # N_-marked


GROUPS = (
    DesignGroup(
        "amicall",
        N_("Why, who, how, what, where, when"),
        N_(
            "The AMICALL checklist of key considerations (final transnational report, "
            "Recommendations: strategic approaches). The goal, the target group and the "
            "authority's role are chosen with the classification."
        ),
    ),
    DesignGroup(
        "characteristics",
        N_("What activities that worked had in common"),
        N_(
            "Ten characteristics of successful interaction activities (Council of Europe "
            "report, ¶79): “the precise type of activity mattered less than the "
            "characteristics associated with it”. Say how yours has each one, if it does."
        ),
    ),
    DesignGroup(
        "contact",
        N_("Conditions for contact to reduce prejudice"),
        N_(
            "Allport's conditions, which later research has broadly upheld (Council of "
            "Europe report, ¶72–73). Say how the contact your practice creates meets each."
        ),
    ),
    DesignGroup(
        "pitfalls",
        N_("Pitfalls"),
        N_(
            "The pitfalls practitioners named (Council of Europe report, ¶80–97). Say "
            "which you met and how you responded: peers learn most from these."
        ),
    ),
)

PROMPTS = (
    DesignPrompt("design_why", "amicall", N_("Why? What context or need does it respond to?")),
    DesignPrompt("design_who", "amicall", N_("Who carries the message?")),
    DesignPrompt(
        "design_how",
        "amicall",
        N_("How? Its framing, message, medium, and the type, frequency and style of contact."),
    ),
    DesignPrompt("design_effect", "amicall", N_("What effect is it meant to have?")),
    DesignPrompt("design_where", "amicall", N_("Where does it take place?")),
    DesignPrompt("design_when", "amicall", N_("When does it take place?")),
    DesignPrompt(
        "design_needs",
        "characteristics",
        N_("Does it ask what communities need, working from the grassroots up?"),
    ),
    DesignPrompt(
        "design_access",
        "characteristics",
        N_("Is it easy to join, with no long commitment asked at the start?"),
    ),
    DesignPrompt(
        "design_safe_space", "characteristics", N_("Does it create a protected, safe space?")
    ),
    DesignPrompt(
        "design_sustainability",
        "characteristics",
        N_("Is it built to last, at a cost that several partners can share?"),
    ),
    DesignPrompt(
        "design_strengths",
        "characteristics",
        N_("Does it look at the positive characteristics of the people taking part?"),
    ),
    DesignPrompt(
        "design_skills", "characteristics", N_("Can everyone taking part use their own skills?")
    ),
    DesignPrompt(
        "design_common_goal",
        "characteristics",
        N_("Does it link people to a common goal, from shared concerns?"),
    ),
    DesignPrompt(
        "design_partners",
        "characteristics",
        N_("Which partners are involved: residents, their organisations, firms, the authority?"),
    ),
    DesignPrompt(
        "design_capacity",
        "characteristics",
        N_("Does it build capacity and link people without founding a new organisation?"),
    ),
    DesignPrompt(
        "design_adapts",
        "characteristics",
        N_("How have the organisers adapted to the groups' views?"),
    ),
    DesignPrompt("contact_equal_status", "contact", N_("Do people meet on an equal footing?")),
    DesignPrompt("contact_common_goals", "contact", N_("Do they pursue common goals?")),
    DesignPrompt(
        "contact_institutional_support",
        "contact",
        N_("Do institutions, law or the local atmosphere support the contact?"),
    ),
    DesignPrompt(
        "contact_common_humanity",
        "contact",
        N_("Does it lead people to see common interests and a common humanity?"),
    ),
    DesignPrompt("pitfall_one_size", "pitfalls", N_("A “one size fits all” approach")),
    DesignPrompt("pitfall_stereotyping", "pitfalls", N_("Stereotyping and labels")),
    DesignPrompt("pitfall_media", "pitfalls", N_("The media")),
    DesignPrompt("pitfall_skills", "pitfalls", N_("Skills development")),
    DesignPrompt("pitfall_evaluation", "pitfalls", N_("Evaluating it")),
    DesignPrompt("pitfall_coordination", "pitfalls", N_("Lack of co-ordination and communication")),
    DesignPrompt("pitfall_funding", "pitfalls", N_("Funding and resources")),
    DesignPrompt("pitfall_political_correctness", "pitfalls", N_("Political correctness")),
    DesignPrompt(
        "pitfall_participation",
        "pitfalls",
        N_("Managing who takes part, and who speaks for whom"),
    ),
)

DESIGN_FIELDS = tuple(p.name for p in PROMPTS)

_answers: dict[str, Any] = {
    p.name: (
        Annotated[Text, limit(ANSWER_LENGTH)],
        Field(default=None, max_length=ANSWER_LENGTH, description=p.question),
    )
    for p in PROMPTS
}
# The answers, as fields: a base of ``PracticeBase`` and of ``PracticeTranslation``.
DesignAnswers: type[SQLModel] = create_model("DesignAnswers", __base__=SQLModel, **_answers)
