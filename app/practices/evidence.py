"""The evidence ladder explained: each rung, what it takes to reach the next, and how many
practices stand on it (the page at /evidence).

The rungs are the evidence-level vocabulary (data that moderators can translate); what it
takes to climb is guidance written here, compared with Nesta's Standards of Evidence (2013),
whose five levels run from "you can describe what you do" to "you can show it can be
replicated at scale". Replication is a rung of its own, computed from lineage.
"""

from dataclasses import dataclass

from sqlmodel import Session

from app.i18n import N_, _
from app.permissions import PUBLIC, Viewer
from app.practices.filters import PracticeQuery
from app.practices.listing import list_practices
from app.vocabularies.queries import get_scheme

REPLICATED = "replicated"

# Evidence-level code -> what the rung means in practice and how to climb from it.
_GUIDANCE = {
    "none": N_(
        "Only a name is known. To climb, write down what the practice does, for whom, and "
        "why it should work."
    ),
    "described": N_(
        "What it does, for whom and why is written down: Nesta's first level. To climb, "
        "count what it produces (people taking part, people reached, materials made) and "
        "record the counts as outcomes with their dates."
    ),
    "outputs": N_(
        "Outputs are counted. They show that something happened, not that anything "
        "changed. To climb, measure the change the practice aims at (attitudes, contact, "
        "trust, use of services) before it starts and again afterwards."
    ),
    "before-after": N_(
        "The change aimed at was measured before and after: Nesta's second level. It shows "
        "change, not that the practice caused it. To climb, ask an evaluator with no stake "
        "in the practice to assess it, and cite the evaluation as a source."
    ),
    "independent-evaluation": N_(
        "Someone with no stake in the practice assessed it, and the evaluation can be "
        "cited. To climb, compare the people it reached with a similar group it did not "
        "reach."
    ),
    "comparison": N_(
        "Outcomes were compared with a comparison or control group: Nesta's third level, "
        "the strongest evidence that the practice caused the change."
    ),
    REPLICATED: N_(
        "Another place adapted the practice and recorded outcomes of its own: it worked "
        "beyond the place that invented it, as Nesta's fourth level asks. Interlocal "
        "computes this rung from “adapted from” links; nobody can claim it by hand."
    ),
}


@dataclass(frozen=True)
class Rung:
    code: str
    label: str
    definition: str | None
    guidance: str | None
    count: int  # practices the reader can see on this rung
    list_url: str  # those practices
    at_least_url: str | None  # those on this rung or above


def ladder(session: Session, viewer: Viewer = PUBLIC) -> list[Rung]:
    """The rungs of the evidence ladder, lowest first, then replication."""
    scheme = get_scheme(session, "evidence-level")
    counted = list_practices(session, PracticeQuery(limit=1, facets="evidence_level"), viewer)
    counts = {value.value: value.count for value in counted.facets.get("evidence_level", [])}
    rungs = [
        Rung(
            code=term.code,
            label=term.label,
            definition=term.definition,
            guidance=_(_GUIDANCE[term.code]) if term.code in _GUIDANCE else None,
            count=counts.get(term.code, 0),
            list_url=f"/practices?evidence_level={term.code}",
            at_least_url=f"/practices?evidence_min={term.code}" if at else None,
        )
        for at, term in enumerate(scheme.terms)
    ]
    replicated = list_practices(session, PracticeQuery(limit=1, replicated=True), viewer)
    rungs.append(
        Rung(
            code=REPLICATED,
            label=_("Replicated elsewhere"),
            definition=None,
            guidance=_(_GUIDANCE[REPLICATED]),
            count=replicated.total,
            list_url="/practices?replicated=true",
            at_least_url=None,
        )
    )
    return rungs
