"""The practice edit form: turning form fields into ``PracticeIn`` data and back, its
choices and folded sections, and showing it again with the problems by their fields.

The rules (what is valid, who may do what, conflicts, revisions) live in ``app.practices``
(checks, writing, workflow); the routes that use this are in ``routes.py``.
"""

import re
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, select
from starlette.datastructures import FormData

from app.errors import Forbidden
from app.i18n import _, gettext
from app.models.accounts import User
from app.models.places import Organisation
from app.models.practices import Practice
from app.models.vocabularies import Source
from app.permissions import Viewer, leads_it_may_name, may_create_practice, visible
from app.places.gazetteer.picker import Picked, pick_place
from app.practices.checks import InvalidPractice, check_complete, parse_input
from app.practices.fields import (
    EDITABLE_SCHEMES,
    FIELD_LABELS,
    ROW_LABELS,
    SINGLE_TERM_SCHEMES,
    SINGLE_VALUE_FIELDS,
    TEXT_LIMITS,
    form_sections,
)
from app.practices.input import LineageIn, OutcomeIn
from app.practices.workflow import create_practice, save_practice
from app.practices.writing import EditConflict
from app.requests import client_address
from app.vocabularies.queries import list_schemes, scheme_terms
from app.web.templating import href, render

PRACTICE_SUGGESTIONS = 1000


# The fields of a repeated row, as the input declares them (the first one is required).
OUTCOME_FIELDS = tuple(OutcomeIn.model_fields)
LINEAGE_FIELDS = tuple(LineageIn.model_fields)


# The form's folded sections, and the fields in each.
SECTIONS = form_sections()


def _open_sections(values: dict[str, Any], errors: dict[str, str]) -> dict[str, bool]:
    def filled(name: str) -> bool:
        if name.startswith("terms-"):
            return bool((values.get("terms") or {}).get(name[len("terms-") :]))
        return bool(values.get(name))

    return {
        section: any(filled(n) or any(e.startswith(n) for e in errors) for n in names)
        for section, names in SECTIONS.items()
    }


def _error_labels(errors: dict[str, str], labels: dict[str, str], schemes: Any) -> dict[str, str]:
    """Labels for the error summary, including repeated rows ("Outcome 2") and term groups."""
    result = dict(labels)
    for name in errors:
        if name.startswith("terms-") and name[6:] in schemes:
            result[name] = schemes[name[6:]].label
        elif m := re.fullmatch(ROW_FIELD, name):
            row = int(m.group(2)) + 1
            which = (
                gettext("Outcome %(n)s", n=row)
                if m.group(1) == "outcomes"
                else gettext("Source practice %(n)s", n=row)
            )
            field = ROW_LABELS[m.group(1)].get(m.group(3))
            result[name] = f"{which}: {gettext(field)}" if field else which
    return result


# A field of a repeated row: ``outcomes-0-text``. The form numbers rows from 0 and a
# practice has at most 50 of each, so longer numbers are no row of this form: they are
# ignored (and never handed to int(), which refuses thousands of digits).
ROW_FIELD = re.compile(r"(outcomes|lineage)-([0-9]{1,4})-([a-z_]+)")

# The version the form was read at: a number as the form writes it, else none (-1).
VERSION = re.compile(r"[0-9]{1,18}")


def _rows(form: FormData, prefix: str, names: tuple[str, ...]) -> list[dict[str, str | None]]:
    """Repeated rows (``outcomes-0-text`` …) in order, leaving out rows left blank."""
    rows = []
    for i in _row_numbers(form, prefix):
        row = {name: str(form.get(f"{prefix}-{i}-{name}", "")).strip() for name in names}
        meaningful = {k: v for k, v in row.items() if k != "kind"}
        if any(meaningful.values()):
            # Blank optional fields are absent, not empty codes; the first field is required.
            rows.append({k: v if v or k == names[0] else None for k, v in row.items()})
    return rows


def _row_numbers(form: FormData, prefix: str) -> list[int]:
    """The numbers of the repeated rows of ``prefix`` the form posted, in order."""
    return sorted(
        {int(m.group(2)) for key in form if (m := ROW_FIELD.fullmatch(key)) and m[1] == prefix}
    )


def _blank_rows(form: FormData, prefix: str, names: tuple[str, ...]) -> int:
    """How many repeated rows were posted with nothing filled in."""
    filled = [name for name in names if name != "kind"]  # a choice with a default
    return sum(
        not any(str(form.get(f"{prefix}-{i}-{name}", "")).strip() for name in filled)
        for i in _row_numbers(form, prefix)
    )


def form_data(form: FormData) -> dict[str, Any]:
    """The submitted form as ``PracticeIn`` data (still unvalidated)."""
    data: dict[str, Any] = {name: str(form.get(name, "")) for name in SINGLE_VALUE_FIELDS}
    data["lead_organisation"] = data["lead_organisation"].strip() or None
    for name in ("original_language", "visibility"):  # left out: the model's default
        if not data[name]:
            del data[name]
    for name in ("start_year", "end_year"):
        data[name] = str(form.get(name, "")).strip() or None
    data["terms"] = {
        scheme: [str(v) for v in form.getlist(f"terms-{scheme}") if str(v)]
        for scheme in EDITABLE_SCHEMES
        if any(str(v) for v in form.getlist(f"terms-{scheme}"))
    }
    data["languages"] = re.split(r"[\s,;]+", str(form.get("languages", "")).strip())
    data["languages"] = [code for code in data["languages"] if code]
    data["links"] = [line.strip() for line in str(form.get("links", "")).splitlines()]
    data["links"] = [link for link in data["links"] if link]
    data["outcomes"] = _rows(form, "outcomes", OUTCOME_FIELDS)
    data["lineage"] = _rows(form, "lineage", LINEAGE_FIELDS)
    for link in data["lineage"]:  # a pasted page address stands for its slug
        if m := re.search(r"/practices/([^/?#]+)", link["practice"] or ""):
            link["practice"] = m.group(1)
    return data


def _choices(
    session: Session, user: User, viewer: Viewer, practice: Practice | None
) -> dict[str, Any]:
    """What the form's lists offer."""
    leads = select(Organisation.slug, Organisation.name).order_by(func.lower(Organisation.name))
    allowed = leads_it_may_name(user, practice)
    if allowed is not None:
        leads = leads.where(col(Organisation.id).in_(allowed - {None}))
    organisations = session.exec(leads).all()
    schemes = {s.scheme: s for s in list_schemes(session)}
    return {
        "organisations": organisations,
        "schemes": {code: schemes[code] for code in EDITABLE_SCHEMES if code in schemes},
        "terms": {code: list(scheme_terms(session, code).values()) for code in EDITABLE_SCHEMES},
        "single": SINGLE_TERM_SCHEMES,
        # Suggestions for "adapted from"; any other practice's address can be pasted.
        "practice_options": session.exec(
            select(Practice.slug, Practice.title)
            .where(*visible(viewer))
            .order_by(col(Practice.updated_at).desc(), col(Practice.id).desc())
            .limit(PRACTICE_SUGGESTIONS)
        ).all(),
        "sources": session.exec(select(Source.slug, Source.title).order_by(Source.title)).all(),
        "labels": {name: _(label) for name, label in FIELD_LABELS.items()},
        "row_labels": {
            prefix: {name: _(label) for name, label in fields.items()}
            for prefix, fields in ROW_LABELS.items()
        },
        "limits": TEXT_LIMITS,
    }


def render_form(
    request: Request,
    session: Session,
    user: User,
    viewer: Viewer,
    values: dict[str, Any],
    *,
    practice: Practice | None = None,
    version: int | None = None,
    errors: dict[str, str] | None = None,
    duplicates: list[Practice] | None = None,
    conflict: str | None = None,
    review_comment: str | None = None,
    note: str = "",
    picked: Picked | None = None,
    blank_rows: dict[str, int] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    choices = _choices(session, user, viewer, practice)
    if picked is None:  # the place as saved
        picked = pick_place(session, "place", values.get("place"), None, required=False)
    open_sections = _open_sections(values, errors)
    # Always a blank row to fill in, so nothing needs JavaScript to add more; "Add another"
    # asks for one more than were left blank.
    blank = blank_rows or {}
    for section, names in SECTIONS.items():  # the section a row was added to stays open
        open_sections[section] = open_sections[section] or any(n in blank for n in names)
    values = {**values}
    for prefix in ("outcomes", "lineage"):
        values[prefix] = [*values.get(prefix, []), *({} for _ in range(blank.get(prefix, 1)))]
    return render(
        request,
        "practices/edit.html",
        {
            "practice": practice,
            "values": values,
            "version": version,
            "errors": errors,
            "error_labels": _error_labels(errors, choices["labels"], choices["schemes"]),
            "open_sections": open_sections,
            "duplicates": duplicates or [],
            "conflict": conflict,
            "review_comment": review_comment,
            "note": note,
            "place_picked": picked,
            **choices,
        },
        status_code=status_code,
    )


async def write_practice(
    request: Request, session: Session, user: User, viewer: Viewer, practice: Practice | None
) -> Response:
    """Save or submit the posted form: a new practice when ``practice`` is None."""
    form = await request.form()
    values = form_data(form)
    action = str(form.get("action", "save"))
    note = str(form.get("note", "")).strip()
    posted_version = str(form.get("version", ""))
    version = int(posted_version) if VERSION.fullmatch(posted_version) else -1
    # Any place of the gazetteer: chosen from the picker, or found by the name typed.
    picked = pick_place(
        session, "place", values["place"], str(form.get("place_q", "")), required=False
    )
    values["place"] = picked.place.slug if picked.place else ""
    again = partial(
        render_form,
        request,
        session,
        user,
        viewer,
        values,
        practice=practice,
        version=version,
        note=note,
        picked=picked,
    )
    if action in ("add-outcome", "add-lineage"):  # the form again, with one more row
        prefix, names = (
            ("outcomes", OUTCOME_FIELDS) if action == "add-outcome" else ("lineage", LINEAGE_FIELDS)
        )
        return again(blank_rows={prefix: _blank_rows(form, prefix, names) + 1})
    if action not in ("save", "submit"):
        return again()
    submit, confirm_new = action == "submit", form.get("confirm_new") == "yes"
    if picked.error:  # nothing is written until the place is certain; say what else is wrong
        errors: dict[str, str] = {}
        try:
            # Any well-formed slug stands in for the place, whose problem the picker says.
            data = parse_input({**values, "place": "place-to-choose"})
            if submit:
                check_complete(data)
        except InvalidPractice as exc:
            errors = exc.fields
        return again(errors={**errors, "place": picked.error}, status_code=422)
    try:
        if practice is None:
            practice = create_practice(
                session,
                user,
                viewer,
                parse_input(values),
                submit=submit,
                confirm_new=confirm_new,
                client=client_address(request),
            )
        else:
            save_practice(
                session,
                user,
                viewer,
                practice,
                parse_input(values),
                expected_version=version,
                note=note or None,
                submit=submit,
                confirm_new=confirm_new,
                client=client_address(request),
            )
    except InvalidPractice as exc:
        return again(errors=exc.fields, duplicates=exc.duplicates, status_code=422)
    except EditConflict as exc:
        # Keep what they typed; the form now carries the current version, so saving again
        # is a deliberate choice made after seeing the message.
        assert practice is not None
        session.refresh(practice)
        return again(version=practice.version, conflict=exc.detail, status_code=409)
    if submit:
        return RedirectResponse(href("/my/practices", submitted=practice.slug), status_code=303)
    return RedirectResponse(href(f"/practices/{practice.slug}/edit", saved="1"), status_code=303)


def may_create(user: User) -> None:
    if not may_create_practice(user):
        raise Forbidden(gettext("Your account belongs to no organisation, so it cannot publish."))
