"""Writing practices: drafts, submission, moderation and revisions.

The live rows (``Practice`` and its terms, outcomes and lineage) hold what readers see. An
edit is a ``PracticeRevision`` holding the whole ``PracticeIn``: while it is a draft, is
submitted or was returned, readers keep seeing the published version; publishing applies it
to the live rows and gives it the next number. A practice that was never published has its
live row updated with every save too (nobody but its editors can see it), so lists of one's
own practices show current titles.

Every write checks ``expected_version`` against ``Practice.version`` in the same UPDATE that
bumps it, so two people who opened the same version cannot both save (the second gets
``EditConflict``), and records an audit event in the same transaction.

The HTML forms and the API's writes both call these functions with a ``PracticeIn``.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, delete, select

from app.audit import record
from app.auth import Forbidden, is_moderator, may_edit_practice
from app.errors import AppError, Conflict, NotFound
from app.i18n import N_, _, gettext
from app.models import (
    Organisation,
    Outcome,
    Place,
    Practice,
    PracticeLineage,
    PracticeRevision,
    PracticeTerm,
    Source,
    User,
    VocabularyScheme,
    VocabularyTerm,
    utcnow,
)
from app.queries.changes import is_public, neighbours, note_change
from app.queries.practices import TERM_FILTERS, find_practice
from app.queries.search import index_practices
from app.queries.visibility import Viewer, visible
from app.queries.vocabularies import scheme_terms
from app.schemas import PracticeIn, too_long

# Schemes a practice picks one term of (a ladder, a state); the others take several.
SINGLE_TERM_SCHEMES = ("evidence-level", "lifecycle")
EDITABLE_SCHEMES = tuple(TERM_FILTERS.values())
OPEN_STATES = ("draft", "submitted", "returned")

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


class EditConflict(Conflict):
    """Someone saved the practice after the version the writer started from."""


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


# Reading the input ----------------------------------------------------------------------


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
class _References:
    """The ids the input's slugs and codes stand for, once they are all known to exist."""

    place_id: int = 0
    lead_organisation_id: int | None = None
    term_ids: list[int] = field(default_factory=list)
    source_ids: dict[str, int] = field(default_factory=dict)
    lineage_ids: dict[str, int] = field(default_factory=dict)


def _check_references(
    session: Session, data: PracticeIn, user: User, viewer: Viewer, practice: Practice | None
) -> _References:
    errors: dict[str, str] = {}
    refs = _References()
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


def _check_complete(data: PracticeIn) -> None:
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


# Similar titles (the duplicate check) ---------------------------------------------------


def _normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def similar_titles(
    session: Session,
    title: str,
    place_slug: str,
    viewer: Viewer,
    *,
    exclude_id: int | None = None,
    threshold: float = 0.8,
) -> list[Practice]:
    """Practices at the same place whose titles are nearly the same as ``title``: the ones
    ``viewer`` can see, and drafts of the viewer's own organisation."""
    wanted = _normalise(title)
    if len(wanted) < 4:
        return []
    readable = and_(*visible(viewer))
    if viewer.organisation_id is not None:  # the viewer's own drafts count too
        readable = or_(readable, col(Practice.lead_organisation_id) == viewer.organisation_id)
    statement = (
        select(Practice)
        .join(Place, col(Place.id) == Practice.place_id)
        .where(Place.slug == place_slug, col(Practice.status) != "archived", readable)
    )
    if exclude_id is not None:
        statement = statement.where(col(Practice.id) != exclude_id)
    found = []
    for practice in session.exec(statement):
        other = _normalise(practice.title)
        ratio = difflib.SequenceMatcher(None, wanted, other).ratio()
        if ratio >= threshold or (len(wanted) >= 8 and (wanted in other or other in wanted)):
            found.append(practice)
    return found


# Snapshots of the live rows ------------------------------------------------------------


def snapshot(session: Session, practice: Practice) -> dict[str, Any]:
    """The live practice as ``PracticeIn`` data (what an edit starts from)."""
    place_slug = session.exec(select(Place.slug).where(Place.id == practice.place_id)).one()
    lead = (
        session.exec(
            select(Organisation.slug).where(Organisation.id == practice.lead_organisation_id)
        ).first()
        if practice.lead_organisation_id
        else None
    )
    terms: dict[str, list[str]] = {}
    for scheme, code in session.exec(
        select(VocabularyScheme.code, VocabularyTerm.code)
        .join(VocabularyTerm, col(VocabularyTerm.scheme_id) == VocabularyScheme.id)
        .join(PracticeTerm, col(PracticeTerm.term_id) == VocabularyTerm.id)
        .where(PracticeTerm.practice_id == practice.id)
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ):
        terms.setdefault(scheme, []).append(code)
    outcomes = [
        {
            "text": o.text,
            "metric": o.metric,
            "value": o.value,
            "date": o.observed_on.isoformat()
            if o.observed_on
            else (str(o.year) if o.year else None),
            "source": o.source_note,
            "source_report": report,
            "evidence_level": o.evidence_level,
        }
        for o, report in session.exec(
            select(Outcome, Source.slug)
            .outerjoin(Source, col(Source.id) == Outcome.source_id)
            .where(Outcome.practice_id == practice.id)
            .order_by(col(Outcome.id))
        )
    ]
    lineage = [
        {"practice": slug, "kind": kind, "note": note}
        for slug, kind, note in session.exec(
            select(Practice.slug, PracticeLineage.kind, PracticeLineage.note)
            .join(PracticeLineage, col(PracticeLineage.origin_id) == Practice.id)
            .where(PracticeLineage.practice_id == practice.id)
            .order_by(col(PracticeLineage.id))
        )
    ]
    return {
        "title": practice.title,
        "summary": practice.summary or None,
        "description": practice.description,
        "place": place_slug,
        "lead_organisation": lead,
        "original_language": practice.original_language,
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "aim": practice.aim,
        "participants": practice.participants,
        "audience": practice.audience,
        "what_did_not_work": practice.what_did_not_work,
        "know_how": practice.know_how,
        "languages": list(practice.languages),
        "links": list(practice.links),
        "visibility": practice.visibility,
        "terms": terms,
        "outcomes": outcomes,
        "lineage": lineage,
    }


def _apply(session: Session, practice: Practice, data: PracticeIn, refs: _References) -> None:
    """Make the live rows say what ``data`` says."""
    practice.title = data.title
    practice.summary = data.summary or ""
    practice.description = data.description
    practice.place_id = refs.place_id
    practice.lead_organisation_id = refs.lead_organisation_id
    practice.original_language = data.original_language
    practice.start_year = data.start_year
    practice.end_year = data.end_year
    practice.aim = data.aim
    practice.participants = data.participants
    practice.audience = data.audience
    practice.what_did_not_work = data.what_did_not_work
    practice.know_how = data.know_how
    practice.languages = list(data.languages)
    practice.links = list(data.links)
    practice.visibility = data.visibility
    practice.updated_at = utcnow()
    session.add(practice)
    session.flush()
    session.exec(delete(PracticeTerm).where(col(PracticeTerm.practice_id) == practice.id))
    session.exec(delete(Outcome).where(col(Outcome.practice_id) == practice.id))
    session.exec(delete(PracticeLineage).where(col(PracticeLineage.practice_id) == practice.id))
    assert practice.id is not None
    index_practices(session, [practice.id])
    for term_id in dict.fromkeys(refs.term_ids):
        session.add(PracticeTerm(practice_id=practice.id, term_id=term_id))
    for outcome in data.outcomes:
        when = outcome.date or ""
        session.add(
            Outcome(
                practice_id=practice.id,
                text=outcome.text,
                metric=outcome.metric,
                value=outcome.value,
                year=int(when[:4]) if when else None,
                observed_on=date.fromisoformat(when) if len(when) == 10 else None,
                source_id=refs.source_ids.get(outcome.source_report or ""),
                source_note=outcome.source,
                evidence_level=outcome.evidence_level,
            )
        )
    for link in data.lineage:
        session.add(
            PracticeLineage(
                practice_id=practice.id,
                origin_id=refs.lineage_ids[link.practice],
                kind=link.kind,
                note=link.note,
            )
        )


# Revisions -----------------------------------------------------------------------------


def open_revision(session: Session, practice: Practice) -> PracticeRevision | None:
    """The edit in progress (draft, submitted or returned), if any."""
    return session.exec(
        select(PracticeRevision).where(
            PracticeRevision.practice_id == practice.id,
            col(PracticeRevision.state).in_(OPEN_STATES),
        )
    ).first()


def published_revisions(session: Session, practice: Practice) -> list[PracticeRevision]:
    """Published revisions, newest first."""
    return list(
        session.exec(
            select(PracticeRevision)
            .where(
                PracticeRevision.practice_id == practice.id,
                PracticeRevision.state == "published",
            )
            .order_by(col(PracticeRevision.number).desc())
        )
    )


def revision(session: Session, practice: Practice, number: int) -> PracticeRevision | None:
    return session.exec(
        select(PracticeRevision).where(
            PracticeRevision.practice_id == practice.id,
            PracticeRevision.number == number,
            PracticeRevision.state == "published",
        )
    ).first()


def editing_data(session: Session, practice: Practice) -> dict[str, Any]:
    """What the edit form starts from: the edit in progress, else the live practice."""
    current = open_revision(session, practice)
    return dict(current.data) if current else snapshot(session, practice)


def published_data(session: Session, practice: Practice) -> dict[str, Any] | None:
    """The last published state (what a moderator compares an edit with); None for a
    practice never published. Practices loaded before revisions existed fall back to their
    live rows."""
    latest = published_revisions(session, practice)
    if latest:
        return dict(latest[0].data)
    if practice.status in ("published", "archived"):
        return snapshot(session, practice)
    return None


def record_import(session: Session, practice: Practice, note: str | None) -> None:
    """Revision 1 of a practice loaded from the seed reports."""
    session.add(
        PracticeRevision(
            practice_id=practice.id,  # type: ignore[arg-type]
            number=1,
            state="published",
            data=snapshot(session, practice),
            note=note,
            reviewed_at=practice.updated_at,
        )
    )


# Writes --------------------------------------------------------------------------------


def _bump(session: Session, practice: Practice, expected_version: int) -> None:
    """Claim the next version, or fail if someone else claimed it first."""
    result = session.execute(
        update(Practice)
        .where(col(Practice.id) == practice.id, col(Practice.version) == expected_version)
        .values(version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise EditConflict(
            gettext(
                "Someone else saved this practice while you were working on it. "
                "Nothing of yours was saved: check their changes, then save again."
            )
        )
    session.refresh(practice)


def _unique_slug(session: Session, title: str, place_slug: str) -> str:
    base = _normalise(f"{place_slug} {title}").replace(" ", "-")[:140].strip("-") or "practice"
    taken = set(
        session.exec(select(Practice.slug).where(col(Practice.slug).startswith(base))).all()
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_submission(
    session: Session,
    data: PracticeIn,
    viewer: Viewer,
    *,
    exclude_id: int | None,
    confirm_new: bool,
) -> None:
    _check_complete(data)
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


def _check_note(name: str, note: str | None, limit: int) -> None:
    if note and len(note) > limit:
        raise InvalidPractice({name: too_long(limit, len(note))})


def create_practice(
    session: Session,
    user: User,
    viewer: Viewer,
    data: PracticeIn,
    *,
    submit: bool = False,
    confirm_new: bool = False,
    client: str | None = None,
) -> Practice:
    """A new practice, saved as a draft or submitted for review. Members lead with their
    own organisation unless they name it."""
    if data.lead_organisation is None and user.organisation_id is not None:
        slug = session.exec(
            select(Organisation.slug).where(Organisation.id == user.organisation_id)
        ).one()
        data = data.model_copy(update={"lead_organisation": slug})
    refs = _check_references(session, data, user, viewer, None)
    if submit:
        _check_submission(session, data, viewer, exclude_id=None, confirm_new=confirm_new)
    practice = Practice(
        slug=_unique_slug(session, data.title, data.place),
        title=data.title,
        summary=data.summary or "",
        place_id=refs.place_id,
        status="submitted" if submit else "draft",
        created_by_id=user.id,
    )
    _apply(session, practice, data, refs)
    now = utcnow()
    session.add(
        PracticeRevision(
            practice_id=practice.id,  # type: ignore[arg-type]
            data=data.model_dump(mode="json"),
            author_id=user.id,
            state="submitted" if submit else "draft",
            submitted_at=now if submit else None,
        )
    )
    record(session, user, "practice.create", practice.slug, client=client, submitted=submit)
    session.commit()
    session.refresh(practice)
    return practice


def save_practice(
    session: Session,
    user: User,
    viewer: Viewer,
    practice: Practice,
    data: PracticeIn,
    *,
    expected_version: int,
    note: str | None = None,
    submit: bool = False,
    confirm_new: bool = False,
    client: str | None = None,
) -> Practice:
    """Save an edit as a draft, or submit it for review. Nothing is written on errors."""
    refs = _check_references(session, data, user, viewer, practice)
    if submit:
        _check_submission(session, data, viewer, exclude_id=practice.id, confirm_new=confirm_new)
    _check_note("note", note, 1000)
    _bump(session, practice, expected_version)
    current = open_revision(session, practice)
    if current is None:
        current = PracticeRevision(practice_id=practice.id)  # type: ignore[arg-type]
    current.data = data.model_dump(mode="json")
    current.author_id = user.id
    current.note = note or current.note
    current.updated_at = utcnow()
    current.state = "submitted" if submit else "draft"
    if submit:
        current.submitted_at = utcnow()
    session.add(current)
    if practice.status in ("draft", "submitted"):
        _apply(session, practice, data, refs)
        practice.status = "submitted" if submit else "draft"
        session.add(practice)
    record(
        session,
        user,
        "practice.submit" if submit else "practice.save",
        practice.slug,
        client=client,
        version=practice.version,
    )
    session.commit()
    session.refresh(practice)
    return practice


def _pending(session: Session, practice: Practice) -> PracticeRevision:
    current = open_revision(session, practice)
    if current is None or current.state != "submitted":
        raise InvalidPractice({"comment": gettext("This practice is not waiting for review.")})
    return current


def publish(
    session: Session,
    moderator: User,
    viewer: Viewer,
    practice: Practice,
    *,
    expected_version: int,
    client: str | None = None,
) -> Practice:
    """Publish the submitted edit (or bring back an archived practice as it was)."""
    was_public = is_public(practice)
    if practice.status == "archived" and open_revision(session, practice) is None:
        _bump(session, practice, expected_version)
        practice.status = "published"
        session.add(practice)
        note_change(session, practice, was_public=was_public)
        record(session, moderator, "practice.restore", practice.slug, client=client)
        session.commit()
        return practice
    current = _pending(session, practice)
    data = parse_input(current.data)
    author = session.get(User, current.author_id) if current.author_id else moderator
    refs = _check_references(session, data, author or moderator, viewer, practice)
    _bump(session, practice, expected_version)
    linked_before = neighbours(session, int(practice.id or 0))
    _apply(session, practice, data, refs)
    now = utcnow()
    practice.status = "published"
    practice.published_at = now
    session.add(practice)
    note_change(session, practice, was_public=was_public, linked_before=linked_before)
    last = session.exec(
        select(func.max(PracticeRevision.number)).where(PracticeRevision.practice_id == practice.id)
    ).one()
    current.number = (last or 0) + 1
    current.state = "published"
    current.reviewer_id = moderator.id
    current.reviewed_at = now
    session.add(current)
    record(
        session,
        moderator,
        "practice.publish",
        practice.slug,
        client=client,
        revision=current.number,
    )
    session.commit()
    session.refresh(practice)
    return practice


def return_to_authors(
    session: Session,
    moderator: User,
    practice: Practice,
    *,
    expected_version: int,
    comment: str,
    client: str | None = None,
) -> Practice:
    """Send the submitted edit back with a comment; the authors edit and resubmit it."""
    comment = comment.strip()
    if not comment:
        raise InvalidPractice({"comment": gettext("Say what the authors should change.")})
    _check_note("comment", comment, 2000)
    current = _pending(session, practice)
    _bump(session, practice, expected_version)
    current.state = "returned"
    current.reviewer_id = moderator.id
    current.reviewed_at = utcnow()
    current.review_comment = comment
    session.add(current)
    if practice.status == "submitted":
        practice.status = "draft"
        session.add(practice)
    record(session, moderator, "practice.return", practice.slug, client=client, comment=comment)
    session.commit()
    session.refresh(practice)
    return practice


def archive(
    session: Session,
    moderator: User,
    practice: Practice,
    *,
    expected_version: int,
    comment: str | None = None,
    client: str | None = None,
) -> Practice:
    """Take the practice out of the catalogue (it can be published again)."""
    was_public = is_public(practice)
    _bump(session, practice, expected_version)
    current = open_revision(session, practice)
    if current is not None:
        current.state = "withdrawn"
        current.reviewer_id = moderator.id
        current.reviewed_at = utcnow()
        current.review_comment = (comment or "").strip()[:2000] or None
        session.add(current)
    practice.status = "archived"
    session.add(practice)
    note_change(session, practice, was_public=was_public)
    record(session, moderator, "practice.archive", practice.slug, client=client, comment=comment)
    session.commit()
    session.refresh(practice)
    return practice


# Lists for the people who write and review ----------------------------------------------


@dataclass
class WorkItem:
    practice: Practice
    revision: PracticeRevision | None
    place_name: str
    author: str | None = None


def _work_items(
    session: Session, rows: Iterable[tuple[Practice, PracticeRevision | None, str]]
) -> list[WorkItem]:
    items = [WorkItem(p, r, name) for p, r, name in rows]
    author_ids = {i.revision.author_id for i in items if i.revision and i.revision.author_id}
    authors = {
        u.id: u.name or u.email
        for u in session.exec(select(User).where(col(User.id).in_(author_ids)))
    }
    for item in items:
        if item.revision and item.revision.author_id:
            item.author = authors.get(item.revision.author_id)
    return items


def organisation_practices(session: Session, user: User) -> list[WorkItem]:
    """Every practice the user's organisation leads, in any state, with its open edit."""
    if user.organisation_id is None:
        return []
    rows = session.exec(
        select(Practice, PracticeRevision, Place.name)
        .join(Place, col(Place.id) == Practice.place_id)
        .outerjoin(
            PracticeRevision,
            (col(PracticeRevision.practice_id) == Practice.id)
            & col(PracticeRevision.state).in_(OPEN_STATES),
        )
        .where(Practice.lead_organisation_id == user.organisation_id)
        .order_by(col(Practice.updated_at).desc())
    ).all()
    return _work_items(session, rows)


def review_queue(session: Session) -> list[WorkItem]:
    """Submitted edits, oldest first."""
    rows = session.exec(
        select(Practice, PracticeRevision, Place.name)
        .join(PracticeRevision, col(PracticeRevision.practice_id) == Practice.id)
        .join(Place, col(Place.id) == Practice.place_id)
        .where(PracticeRevision.state == "submitted")
        .order_by(col(PracticeRevision.submitted_at))
    ).all()
    return _work_items(session, rows)


def editable_practice(session: Session, user: User, viewer: Viewer, slug: str) -> Practice:
    """The practice, if ``user`` may edit it: 404 when they may not even see it."""
    practice = find_any_practice(session, slug)
    if may_edit_practice(session, user, practice):
        return practice
    find_practice(session, slug, viewer)  # 404 unless visible
    raise Forbidden(gettext("Only the practice's organisations and moderators can edit it."))


def publish_if_trusted(
    session: Session, user: User, viewer: Viewer, practice: Practice
) -> Practice:
    """Publish what ``user`` just submitted if an administrator trusts its organisation
    (partners' API writes skip review then); otherwise leave it for a moderator."""
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    pending = open_revision(session, practice)
    if organisation and organisation.trusted and pending and pending.state == "submitted":
        return publish(session, user, viewer, practice, expected_version=practice.version)
    return practice


def find_any_practice(session: Session, slug: str) -> Practice:
    """The practice ``slug`` in any state (callers check who may see or edit it)."""
    practice = session.exec(select(Practice).where(Practice.slug == slug)).first()
    if practice is None:
        raise NotFound(_("no practice %(slug)r", slug=slug))
    return practice
