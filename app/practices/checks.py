"""Whether a practice as written can be saved or submitted: input, references, completeness."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.i18n import gettext
from app.models.accounts import User
from app.models.places import Organisation, Place
from app.models.practices import Practice
from app.models.vocabularies import Source
from app.permissions import Viewer, leads_it_may_name, visible
from app.practices.duplicates import similar_titles
from app.practices.fields import EDITABLE_SCHEMES, SINGLE_TERM_SCHEMES
from app.practices.input import PracticeIn
from app.validation import parse_form, too_long, unsafe_character
from app.vocabularies.queries import scheme_terms


class InvalidPractice(InvalidInput):
    """The practice as written cannot be saved; ``fields`` says why, per form field, and
    ``duplicates`` names the practices its title is too like."""

    def __init__(self, fields: Mapping[str, str], duplicates: Sequence[Practice] = ()) -> None:
        super().__init__(fields)
        self.duplicates = list(duplicates)


def parse_input(data: dict[str, Any]) -> PracticeIn:
    """Validate ``data`` as a practice; raises ``InvalidPractice`` with per-field messages
    (an error of the whole practice is its years being out of order: ``end_year``)."""
    return parse_form(PracticeIn, data, whole="end_year", error=InvalidPractice)


@dataclass
class References:
    """The ids the input's slugs and codes stand for, once they are all known to exist."""

    place_id: int = 0
    lead_organisation_id: int | None = None
    term_ids: list[int] = field(default_factory=list)
    source_ids: dict[str, int] = field(default_factory=dict)
    lineage_ids: dict[str, int] = field(default_factory=dict)


def check_references(
    session: Session, data: PracticeIn, user: User, viewer: Viewer, practice: Practice | None
) -> References:
    errors: dict[str, str] = {}
    refs = References()
    place_id = session.exec(select(Place.id).where(Place.slug == data.place)).first()
    if place_id is None:
        errors["place"] = gettext("Choose one of the listed places.")
    else:
        refs.place_id = place_id
    if data.lead_organisation:
        refs.lead_organisation_id = session.exec(
            select(Organisation.id).where(Organisation.slug == data.lead_organisation)
        ).first()
        if refs.lead_organisation_id is None:
            errors["lead_organisation"] = gettext("Choose one of the listed organisations.")
    allowed = leads_it_may_name(user, practice)
    if allowed is not None and refs.lead_organisation_id not in allowed:
        errors["lead_organisation"] = (
            gettext("Members publish practices led by their own organisation.")
            if practice is None
            else gettext("Only a moderator can change a practice's lead organisation.")
        )
    for scheme, codes in data.terms.items():
        name = f"terms-{scheme}"
        if scheme not in EDITABLE_SCHEMES:
            errors[name] = gettext("This field is not part of a practice.")
            continue
        known = scheme_terms(session, scheme)
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors[name] = gettext(
                "Unknown code %(codes)s; choose from the list.", codes=", ".join(unknown)
            )
        elif scheme in SINGLE_TERM_SCHEMES and len(set(codes)) > 1:
            errors[name] = gettext("Choose only one.")
        else:
            refs.term_ids += [known[c].id for c in dict.fromkeys(codes)]
    evidence = scheme_terms(session, "evidence-level")
    reports = {o.source_report for o in data.outcomes if o.source_report}
    if reports:
        refs.source_ids = dict(
            session.exec(select(Source.slug, Source.id).where(col(Source.slug).in_(reports))).all()  # type: ignore[arg-type]
        )
    for i, outcome in enumerate(data.outcomes):
        if outcome.source_report and outcome.source_report not in refs.source_ids:
            errors[f"outcomes-{i}-source_report"] = gettext("Choose one of the listed values.")
        if outcome.evidence_level and outcome.evidence_level not in evidence:
            errors[f"outcomes-{i}-evidence_level"] = gettext("Choose one of the listed values.")
    seen: set[str] = set()
    for i, link in enumerate(data.lineage):
        name = f"lineage-{i}-practice"
        found = session.exec(
            select(Practice.id).where(Practice.slug == link.practice, *visible(viewer))
        ).first()
        if found is None:
            errors[name] = gettext("No published practice has this address.")
        elif practice is not None and found == practice.id:
            errors[name] = gettext("A practice cannot be adapted from itself.")
        elif link.practice in seen:
            errors[name] = gettext("This practice is listed twice.")
        else:
            refs.lineage_ids[link.practice] = found
        seen.add(link.practice)
    if errors:
        raise InvalidPractice(errors)
    return refs


def check_complete(data: PracticeIn) -> None:
    """What a practice needs before a moderator sees it: a handful of fields, no more."""
    errors: dict[str, str] = {}
    required = gettext("Needed before you submit.")
    if not data.summary:
        errors["summary"] = required
    if not data.aim and not data.terms.get("goal"):
        errors["aim"] = gettext("Say what it is designed to achieve, or pick a goal.")
    if not data.terms.get("target-group"):
        errors["terms-target-group"] = gettext("Pick at least one group it addresses.")
    if errors:
        raise InvalidPractice(errors)


def check_submission(
    session: Session,
    data: PracticeIn,
    viewer: Viewer,
    *,
    exclude_id: int | None,
    confirm_new: bool,
) -> None:
    check_complete(data)
    if confirm_new:
        return
    duplicates = similar_titles(session, data.title, data.place, viewer, exclude_id=exclude_id)
    if duplicates:
        raise InvalidPractice(
            {
                "confirm_new": gettext(
                    "A practice with a very similar title exists at this place. "
                    "Check that it is not the same initiative, then confirm."
                )
            },
            duplicates,
        )


def check_note(name: str, note: str | None, limit: int) -> None:
    if note and len(note) > limit:
        raise InvalidPractice({name: too_long(limit, len(note))})
    if note and (problem := unsafe_character(note)):
        raise InvalidPractice({name: problem})
