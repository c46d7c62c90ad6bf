"""Whether a practice as written can be saved or submitted: input, references, completeness."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.errors import AppError
from app.i18n import gettext
from app.models.accounts import User
from app.models.places import Organisation, Place
from app.models.practices import Practice
from app.models.vocabularies import Source
from app.permissions import Viewer, is_moderator, visible
from app.practices.duplicates import similar_titles
from app.practices.fields import EDITABLE_SCHEMES, SINGLE_TERM_SCHEMES
from app.practices.input import PracticeIn
from app.schemas import too_long
from app.vocabularies.queries import scheme_terms


class InvalidPractice(AppError):
    """The practice as written cannot be saved; ``fields`` says why, per form field."""

    status_code = 422

    def __init__(self, fields: dict[str, str], duplicates: Sequence[Practice] = ()) -> None:
        super().__init__(
            "; ".join(f"{name}: {message}" for name, message in fields.items()),
            [{"param": name, "message": message} for name, message in fields.items()],
        )
        self.fields = fields
        self.duplicates = list(duplicates)


def field_name(loc: Sequence[int | str]) -> str:
    """The form field for a pydantic error location: ``outcomes.0.text`` -> ``outcomes-0-text``,
    ``terms.goal.1`` -> ``terms-goal``, a whole-model error -> ``end_year``."""
    parts = [str(p) for p in loc]
    if not parts:
        return "end_year"
    if parts[0] == "terms" and len(parts) > 1:
        return f"terms-{parts[1]}"
    if parts[0] in ("outcomes", "lineage") and len(parts) > 2:
        return "-".join(parts[:3])
    return parts[0]


def _message(error: Any) -> str:
    kind = error["type"]
    name = field_name(error["loc"])
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return gettext("Enter a year as four digits.")
    if kind in ("greater_than_equal", "less_than_equal"):
        return gettext("Enter a year between 1800 and 2100.")
    if kind == "too_long":
        return gettext("At most %(limit)s entries.", limit=error["ctx"]["max_length"])
    if kind == "string_pattern_mismatch":
        if name == "links":
            return gettext("Enter web addresses that start with http:// or https://.")
        if name == "languages":
            return gettext("Use language codes such as en, pl or pt-BR.")
        return gettext("Choose one of the listed values.")
    if kind in ("literal_error", "enum", "dict_type", "list_type", "string_type"):
        return gettext("Choose one of the listed values.")
    if kind == "extra_forbidden":
        return gettext("This field is not part of a practice.")
    if kind in ("missing", "string_too_long", "end_before_start"):
        return str(error["msg"])
    return gettext("This value is not valid.")


def parse_input(data: dict[str, Any]) -> PracticeIn:
    """Validate ``data`` as a practice; raises ``InvalidPractice`` with per-field messages."""
    try:
        return PracticeIn.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            fields.setdefault(field_name(error["loc"]), _message(error))
        raise InvalidPractice(fields) from None


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
    if not is_moderator(user):
        # A member publishes for its own organisation; an edit keeps the lead it had.
        allowed = {user.organisation_id}
        if practice is not None:
            allowed.add(practice.lead_organisation_id)
        if refs.lead_organisation_id not in allowed:
            errors["lead_organisation"] = gettext(
                "Members publish practices led by their own organisation."
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
