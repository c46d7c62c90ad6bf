"""Forms to write practices, and the pages that show their drafts and revisions.

The rules (what is valid, who may do what, conflicts, revisions) live in
``app.queries.publishing``; these routes turn form fields into ``PracticeIn`` data and
back, and choose what to show.
"""

import re
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, select
from starlette.datastructures import FormData

from app.auth import Forbidden, SignedIn, ViewerDep, is_moderator, may_edit_practice
from app.countries import country_name
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _, get_language, gettext
from app.models import Organisation, Place, Practice, Source, User
from app.queries.publishing import (
    EDITABLE_SCHEMES,
    FIELD_LABELS,
    SINGLE_TERM_SCHEMES,
    EditConflict,
    InvalidPractice,
    create_practice,
    editing_data,
    find_any_practice,
    open_revision,
    organisation_practices,
    parse_input,
    published_data,
    published_revisions,
    revision,
    save_practice,
    similar_titles,
)
from app.queries.revisions import changes, describe
from app.queries.visibility import Viewer, viewer_for, visible
from app.queries.vocabularies import list_schemes, scheme_terms
from app.web.csrf import verify_csrf
from app.web.templating import client_address, href, render

router = APIRouter()

TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "place",
    "lead_organisation",
    "original_language",
    "aim",
    "participants",
    "audience",
    "what_did_not_work",
    "know_how",
    "visibility",
)
OUTCOME_FIELDS = ("text", "metric", "value", "date", "source", "source_report", "evidence_level")
LINEAGE_FIELDS = ("practice", "kind", "note")
# The form's folded sections, and the fields in each: a section opens when one of its
# fields has a value or an error.
SECTIONS = {
    "detail": (
        "description",
        "end_year",
        "languages",
        "links",
        *(
            f"terms-{s}"
            for s in (
                "activity-type",
                "broad-category",
                "channel",
                "scale",
                "catalyst",
                "framing",
                "policy-area",
            )
        ),
    ),
    "evidence": ("terms-evidence-level", "outcomes"),
    "lessons": ("what_did_not_work", "know_how"),
    "lineage": ("lineage",),
    "typologies": tuple(
        f"terms-{s}" for s in ("orton-phase", "orton-theme", "social-capital", "ucl-principle")
    ),
}


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
        elif m := re.fullmatch(r"(outcomes|lineage)-(\d+)-\w+", name):
            row = int(m.group(2)) + 1
            result[name] = (
                gettext("Outcome %(n)s", n=row)
                if m.group(1) == "outcomes"
                else gettext("Source practice %(n)s", n=row)
            )
    return result


def _rows(form: FormData, prefix: str, names: tuple[str, ...]) -> list[dict[str, str | None]]:
    """Repeated rows (``outcomes-0-text`` …) in order, leaving out rows left blank."""
    indexes = sorted(
        {int(m.group(1)) for key in form if (m := re.fullmatch(rf"{prefix}-(\d+)-\w+", key))}
    )
    rows = []
    for i in indexes:
        row = {name: str(form.get(f"{prefix}-{i}-{name}", "")).strip() for name in names}
        meaningful = {k: v for k, v in row.items() if k != "kind"}
        if any(meaningful.values()):
            # Blank optional fields are absent, not empty codes; the first field is required.
            rows.append({k: v if v or k == names[0] else None for k, v in row.items()})
    return rows


def form_data(form: FormData) -> dict[str, Any]:
    """The submitted form as ``PracticeIn`` data (still unvalidated)."""
    data: dict[str, Any] = {name: str(form.get(name, "")) for name in TEXT_FIELDS}
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
    by_country: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for slug, name, country in session.exec(
        select(Place.slug, Place.name, Place.country).order_by(func.lower(Place.name))
    ):
        by_country[country_name(country, get_language()) or country].append((slug, name))
    organisations = session.exec(
        select(Organisation.slug, Organisation.name).order_by(func.lower(Organisation.name))
        if is_moderator(user)
        # A member leads with its own organisation, or keeps the lead a practice has.
        else select(Organisation.slug, Organisation.name).where(
            col(Organisation.id).in_(
                {user.organisation_id, practice.lead_organisation_id if practice else None} - {None}
            )
        )
    ).all()
    schemes = {s.scheme: s for s in list_schemes(session)}
    return {
        "places": sorted(by_country.items()),
        "organisations": organisations,
        "schemes": {code: schemes[code] for code in EDITABLE_SCHEMES if code in schemes},
        "terms": {code: list(scheme_terms(session, code).values()) for code in EDITABLE_SCHEMES},
        "single": SINGLE_TERM_SCHEMES,
        "practice_options": session.exec(
            select(Practice.slug, Practice.title)
            .where(*visible(viewer))
            .order_by(func.lower(Practice.title))
        ).all(),
        "sources": session.exec(select(Source.slug, Source.title).order_by(Source.title)).all(),
        "labels": {name: _(label) for name, label in FIELD_LABELS.items()},
    }


def _form(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    *,
    practice: Practice | None = None,
    version: int | None = None,
    errors: dict[str, str] | None = None,
    duplicates: list[Practice] | None = None,
    conflict: str | None = None,
    review_comment: str | None = None,
    note: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    choices = _choices(session, user, viewer_for(session, user), practice)
    open_sections = _open_sections(values, errors)
    # Always one blank row to fill in, so nothing needs JavaScript to add more.
    values = {**values}
    values["outcomes"] = [*values.get("outcomes", []), {}]
    values["lineage"] = [*values.get("lineage", []), {}]
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
            **choices,
        },
        status_code=status_code,
    )


def _may_create(user: User) -> None:
    if not is_moderator(user) and user.organisation_id is None:
        raise Forbidden(gettext("Your account belongs to no organisation, so it cannot publish."))


@router.get("/practices/new", response_class=HTMLResponse)
def new_practice_form(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    _may_create(user)
    lead = session.exec(
        select(Organisation.slug).where(Organisation.id == user.organisation_id)
    ).first()
    values: dict[str, Any] = {
        "original_language": get_language(),
        "visibility": "public",
        "terms": {},
    }
    if lead:
        values["lead_organisation"] = lead
        values["place"] = session.exec(
            select(Place.slug)
            .join(Organisation, col(Organisation.place_id) == Place.id)
            .where(Organisation.id == user.organisation_id)
        ).first()
    return _form(request, session, user, values)


@router.post("/practices/new", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def create_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep
) -> Response:
    _may_create(user)
    form = await request.form()
    values = form_data(form)
    action = str(form.get("action", "save"))
    if action not in ("save", "submit"):  # "Add another" buttons just show the form again
        return _form(request, session, user, values)
    try:
        practice = create_practice(
            session,
            user,
            viewer,
            parse_input(values),
            submit=action == "submit",
            confirm_new=form.get("confirm_new") == "yes",
            client=client_address(request),
        )
    except InvalidPractice as exc:
        return _form(
            request,
            session,
            user,
            values,
            errors=exc.fields,
            duplicates=exc.duplicates,
            status_code=422,
        )
    return RedirectResponse(_after_save(practice, action), status_code=303)


def _after_save(practice: Practice, action: str) -> str:
    if action == "submit":
        return href("/my/practices", submitted=practice.slug)
    return href(f"/practices/{practice.slug}/edit", saved="1")


def _editable(session: Session, user: User, viewer: Viewer, slug: str) -> Practice:
    """The practice, if ``user`` may edit it: 404 when they may not even see it."""
    practice = find_any_practice(session, slug)
    if may_edit_practice(session, user, practice):
        return practice
    seen = session.exec(select(Practice.id).where(Practice.slug == slug, *visible(viewer))).first()
    if seen is None:
        raise NotFound(_("no practice %(slug)r", slug=slug))
    raise Forbidden(gettext("Only the practice's organisations and moderators can edit it."))


@router.get("/practices/{slug}/edit", response_class=HTMLResponse)
def edit_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    practice = _editable(session, user, viewer, slug)
    current = open_revision(session, practice)
    return _form(
        request,
        session,
        user,
        editing_data(session, practice),
        practice=practice,
        version=practice.version,
        review_comment=current.review_comment if current and current.state == "returned" else None,
        note=(current.note or "") if current else "",
    )


@router.post(
    "/practices/{slug}/edit", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
async def save_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> Response:
    practice = _editable(session, user, viewer, slug)
    form = await request.form()
    values = form_data(form)
    action = str(form.get("action", "save"))
    note = str(form.get("note", "")).strip()
    version_field = str(form.get("version", ""))
    version = int(version_field) if version_field.isdigit() else -1
    if action not in ("save", "submit"):
        return _form(request, session, user, values, practice=practice, version=version, note=note)
    try:
        save_practice(
            session,
            user,
            viewer,
            practice,
            parse_input(values),
            expected_version=version,
            note=note or None,
            submit=action == "submit",
            confirm_new=form.get("confirm_new") == "yes",
            client=client_address(request),
        )
    except InvalidPractice as exc:
        return _form(
            request,
            session,
            user,
            values,
            practice=practice,
            version=version,
            errors=exc.fields,
            duplicates=exc.duplicates,
            note=note,
            status_code=422,
        )
    except EditConflict as exc:
        # Keep what they typed; the form now carries the current version, so saving again
        # is a deliberate choice made after seeing the message.
        session.refresh(practice)
        return _form(
            request,
            session,
            user,
            values,
            practice=practice,
            version=practice.version,
            conflict=exc.detail,
            note=note,
            status_code=409,
        )
    return RedirectResponse(_after_save(practice, action), status_code=303)


@router.get("/practices/{slug}/preview", response_class=HTMLResponse)
def preview_page(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    """The edit in progress, as its authors and moderators will read it."""
    practice = _editable(session, user, viewer, slug)
    current = open_revision(session, practice)
    data = current.data if current else editing_data(session, practice)
    return render(
        request,
        "practices/revision.html",
        {
            "practice": practice,
            "fields": describe(session, data),
            "revision": current,
            "preview": True,
            "changes": changes(session, published_data(session, practice), data),
        },
    )


def _visible_practice(session: Session, viewer: Viewer, slug: str) -> Practice:
    practice = session.exec(select(Practice).where(Practice.slug == slug, *visible(viewer))).first()
    if practice is None:
        raise NotFound(_("no published practice %(slug)r", slug=slug))
    return practice


@router.get("/practices/{slug}/history", response_class=HTMLResponse)
def history_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    practice = _visible_practice(session, viewer, slug)
    revisions = published_revisions(session, practice)
    people = _people(session, {r.author_id for r in revisions} | {r.reviewer_id for r in revisions})
    previous = {r.number: revisions[i + 1].data for i, r in enumerate(revisions[:-1])}
    changed = {
        r.number: [c.label for c in changes(session, previous.get(r.number), r.data)]
        if r.number in previous
        else []
        for r in revisions
    }
    return render(
        request,
        "practices/history.html",
        {"practice": practice, "revisions": revisions, "people": people, "changed": changed},
    )


def _people(session: Session, ids: set[int | None]) -> dict[int, str]:
    """How the history names people: their name (or organisation), never their e-mail."""
    rows = session.exec(
        select(User.id, User.name, Organisation.name)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(col(User.id).in_({i for i in ids if i}))
    ).all()
    return {
        int(user_id or 0): name
        or (gettext("a member of %(organisation)s", organisation=org) if org else "")
        or gettext("a moderator")
        for user_id, name, org in rows
    }


@router.get("/practices/{slug}/revisions/{number}", response_class=HTMLResponse)
def revision_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str, number: int
) -> HTMLResponse:
    practice = _visible_practice(session, viewer, slug)
    shown = revision(session, practice, number)
    if shown is None:
        raise NotFound(_("no revision %(number)s of %(slug)r", number=number, slug=slug))
    before = revision(session, practice, number - 1)
    return render(
        request,
        "practices/revision.html",
        {
            "practice": practice,
            "fields": describe(session, shown.data),
            "revision": shown,
            "preview": False,
            "people": _people(session, {shown.author_id, shown.reviewer_id}),
            "changes": changes(session, before.data, shown.data) if before else [],
        },
    )


@router.get("/practices/similar-titles", response_class=HTMLResponse)
def similar_titles_fragment(
    request: Request,
    session: SessionDep,
    _user: SignedIn,
    viewer: ViewerDep,
    title: Annotated[str, Query(max_length=300)] = "",
    place: Annotated[str, Query(max_length=160)] = "",
    slug: Annotated[str, Query(max_length=160)] = "",
) -> HTMLResponse:
    """The duplicate warning, updated as the author types (htmx)."""
    exclude = session.exec(select(Practice.id).where(Practice.slug == slug)).first()
    found = similar_titles(session, title, place, viewer, exclude_id=exclude) if title else []
    return render(
        request,
        "practices/similar_titles.html",
        {"duplicates": found},
        fragment="practices/_duplicates.html",
    )


@router.get("/my/practices", response_class=HTMLResponse)
def my_practices_page(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    return render(
        request,
        "practices/mine.html",
        {"items": organisation_practices(session, user), "moderator": is_moderator(user)},
    )
