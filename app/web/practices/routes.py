"""Every /practices page, on one router. Paths without a parameter come first, so a fixed
path such as /practices/new is never taken for a practice's slug."""

from datetime import date
from itertools import pairwise
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from app.catalogue.cache import cached
from app.catalogue.search import expansions
from app.config import get_settings
from app.errors import NotFound
from app.i18n import LANGUAGES, _, get_language
from app.models.places import Organisation, Place
from app.models.practices import Practice, RevisionState, Visibility
from app.opendata.linked_data import practice_jsonld, script_json
from app.permissions import is_admin, may_edit_practice
from app.practices.detail import find_practice, practice_detail
from app.practices.duplicates import similar_titles
from app.practices.filters import FACETS, PracticeQuery
from app.practices.follow_ups import confirm_accurate
from app.practices.insights import activity_by_country
from app.practices.listing import list_practices, newest_practices
from app.practices.preview import previewed
from app.practices.revisions import (
    changes,
    describe,
    editing_data,
    names_for,
    open_revision,
    people_names,
    published_data,
    published_revisions,
    revision,
    revision_before,
)
from app.practices.similar import similar_to
from app.practices.translations import translator_name
from app.practices.worklists import editable_practice
from app.requests import client_address, site_url
from app.validation import RecordId
from app.vocabularies.queries import list_schemes, scheme_terms
from app.web.csrf import verify_csrf
from app.web.deps import CurrentUser, SessionDep, SignedIn, ViewerDep
from app.web.practices.feed import ENTRIES, atom_feed
from app.web.practices.forms import may_create, render_form, write_practice
from app.web.practices.listing import OPEN_FACETS, filter_chips, filter_labels
from app.web.practices.printing import summary_context, summary_pdf
from app.web.practices.translating import (
    EditablePractice,
    empty_translation_form,
    save_posted_translation,
)
from app.web.templating import href, query_url, render, signed_in_user

router = APIRouter(prefix="/practices")


@router.get("", response_class=HTMLResponse)
def practices_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    query: Annotated[PracticeQuery, Query()],
) -> HTMLResponse:
    query = query.model_copy(update={"facets": ",".join(FACETS)})
    page = list_practices(session, query, viewer)
    params = list(request.query_params.multi_items())
    chosen = query.active_filters()
    facet_labels = filter_labels(session)
    ladder = [(t.code, t.label) for t in scheme_terms(session, "evidence-level").values()]
    chips = filter_chips(query, page, params, facet_labels, dict(ladder))
    return render(
        request,
        "practices/list.html",
        {
            "query": query,
            "page": page,
            "also": expansions(query.q),
            "chosen": chosen,
            "chips": chips,
            "evidence_levels": ladder[1:],  # "at least no evidence" is no filter
            "facet_labels": facet_labels,
            "open_facets": OPEN_FACETS,
            "next_url": query_url("/practices", params, cursor=page.next_cursor)
            if page.next_cursor
            else None,
            "first_url": query_url("/practices", params, cursor=None) if query.cursor else None,
            "json_url": query_url("/api/v1/practices", params),
            "feed_url": query_url("/practices.atom", params, cursor=None),
            "csv_url": query_url("/api/v1/practices.csv", params, cursor=None, lang=None),
            "insights_url": query_url("/insights", params, cursor=None, sort=None),
            "chart": activity_by_country(session, query, viewer) if page.items else None,
            "clear_url": query_url("/practices", []),
        },
        fragment="practices/_catalogue.html",
    )


@router.get(".atom", response_class=Response)
def practices_feed(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    query: Annotated[PracticeQuery, Query()],
) -> Response:
    """The 50 practices published last among those the list's query matches, newest first."""
    site = site_url(request)
    newest = newest_practices(session, query, viewer, limit=ENTRIES)
    params = list(request.query_params.multi_items())
    self_url = site + query_url("/practices.atom", params)
    title = f"{get_settings().site_name}: {_('Practices')}"
    alternate = site + query_url("/practices", params)
    body = atom_feed(site, self_url, alternate, title, newest)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/new", response_class=HTMLResponse)
def new_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep
) -> HTMLResponse:
    may_create(user)
    values: dict[str, Any] = {
        "original_language": get_language(),
        "visibility": Visibility.public,
        "terms": {},
    }
    own = session.exec(
        select(Organisation.slug, Place.slug)
        .outerjoin(Place, col(Place.id) == Organisation.place_id)
        .where(Organisation.id == user.organisation_id)
    ).first()
    if own:
        values["lead_organisation"], values["place"] = own
    return render_form(request, session, user, viewer, values)


@router.post("/new", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def create_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep
) -> Response:
    may_create(user)
    return await write_practice(request, session, user, viewer, None)


@router.get("/similar-titles", response_class=HTMLResponse)
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


def _scheme_labels(session: SessionDep) -> dict[str, str]:
    return {s.scheme: s.label for s in list_schemes(session)}


SHOW_PATTERN = "^(original|" + "|".join(LANGUAGES) + ")$"  # which text a practice page shows


@router.get("/{slug}.pdf", response_class=Response)
def practice_pdf(request: Request, session: SessionDep, viewer: ViewerDep, slug: str) -> Response:
    """The one-page summary as a PDF (declared before ``/{slug}``, which would take it)."""
    practice = find_practice(session, slug, viewer)

    def typeset() -> bytes:  # half a second of CPU: kept until the catalogue changes
        detail = practice_detail(session, practice, viewer)
        return summary_pdf(request, summary_context(request, session, detail))

    body = cached(session, "practice pdf", (slug, viewer, site_url(request), date.today()), typeset)
    disposition = f'inline; filename="{slug}.pdf"'
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get("/{slug}/summary", response_class=HTMLResponse)
def summary_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    """The practice on one printable page."""
    detail = practice_detail(session, find_practice(session, slug, viewer), viewer)
    return render(request, "practices/summary.html", summary_context(request, session, detail))


@router.get("/{slug}", response_class=HTMLResponse)
def practice_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: ViewerDep,
    slug: str,
    show: Annotated[str | None, Query(pattern=SHOW_PATTERN)] = None,
) -> HTMLResponse:
    """``show=original`` shows the text as written, and ``show=`` a language code its
    translation into that language, keeping the interface language."""
    found = find_practice(session, slug, viewer)
    may_edit = may_edit_practice(session, user, found)
    detail = practice_detail(session, found, viewer, show=show)
    return render(
        request,
        "practices/detail.html",
        {
            "practice": detail,
            "jsonld": script_json(practice_jsonld(detail, site_url(request))),
            "scheme_labels": _scheme_labels(session),
            "may_translate": may_edit,
            "may_edit": may_edit,
            "pending": open_revision(session, found) if may_edit else None,
            "similar": similar_to(session, found, viewer),
            "translator": detail.translation
            and translator_name(session, found, detail.translation.language),
            "json_url": f"/api/v1/practices/{slug}",
        },
    )


@router.get("/{slug}/edit", response_class=HTMLResponse)
def edit_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    practice = editable_practice(session, user, viewer, slug)
    current = open_revision(session, practice)
    return render_form(
        request,
        session,
        user,
        viewer,
        editing_data(session, practice),
        practice=practice,
        version=practice.version,
        review_comment=current.review_comment
        if current and current.state == RevisionState.returned
        else None,
        note=(current.note or "") if current else "",
    )


@router.post("/{slug}/edit", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def save_practice_form(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> Response:
    return await write_practice(
        request, session, user, viewer, editable_practice(session, user, viewer, slug)
    )


@router.get("/{slug}/history", response_class=HTMLResponse)
def history_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    practice = find_practice(session, slug, viewer)
    revisions = published_revisions(session, practice, viewer)  # newest first
    names = names_for(session, viewer, [r.data for r in revisions])
    changed = {
        newer.number: [c.label for c in changes(names, older.data, newer.data)]
        for newer, older in pairwise(revisions)
    }
    return render(
        request,
        "practices/history.html",
        {
            "practice": practice,
            "revisions": revisions,
            "people": people_names(
                session,
                {r.author_id for r in revisions} | {r.reviewer_id for r in revisions},
                key_names=is_admin(signed_in_user(request)),
            ),
            "changed": changed,
        },
    )


@router.get("/{slug}/preview", response_class=HTMLResponse)
def preview_page(
    request: Request, session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    """The edit in progress as readers will see it once published, with what it changes
    in the published version (if there is one)."""
    practice = editable_practice(session, user, viewer, slug)
    current = open_revision(session, practice)
    data = editing_data(session, practice)
    before = published_data(session, practice)
    names = names_for(session, viewer, [data, before])
    context: dict[str, Any] = {
        "practice": practice,
        "revision": current,
        "preview": True,
        "changes": changes(names, before, data) if before else [],
        "fields": describe(names, data),
    }
    page = previewed(session, practice, user, viewer)
    if page is None:  # the edit no longer applies: its fields as written
        return render(request, "practices/revision.html", context)
    context |= {"practice": page, "scheme_labels": _scheme_labels(session)}
    return render(request, "practices/detail.html", context)


@router.get("/{slug}/translate", response_class=HTMLResponse)
def practice_translation_form(
    request: Request,
    session: SessionDep,
    practice: EditablePractice,
    to: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    return empty_translation_form(request, session, practice, to)


@router.post(
    "/{slug}/translate",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
async def save_practice_translation_form(
    request: Request, session: SessionDep, user: SignedIn, practice: EditablePractice
) -> Response:
    return await save_posted_translation(request, session, user, practice)


@router.post("/{slug}/verify", dependencies=[Depends(verify_csrf)])
def confirm_accurate_form(
    request: Request,
    session: SessionDep,
    user: SignedIn,
    viewer: ViewerDep,
    slug: str,
    back: Annotated[Literal["practice", "mine", "moderation"], Form()] = "practice",
) -> RedirectResponse:
    """The one-click "still accurate": records who and when, then back where it was asked."""
    practice = find_practice(session, slug, viewer)
    confirm_accurate(session, user, practice, client=client_address(request))
    where = {"mine": "/my/practices", "moderation": "/moderation/follow-ups"}
    return RedirectResponse(href(where.get(back, f"/practices/{slug}"), verified=slug), 303)


@router.get("/{slug}/revisions/{number}", response_class=HTMLResponse)
def revision_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str, number: RecordId
) -> HTMLResponse:
    practice = find_practice(session, slug, viewer)
    shown = revision(session, practice, number, viewer)
    if shown is None:
        raise NotFound(_("no revision %(number)s of %(slug)r", number=number, slug=slug))
    before = revision_before(session, practice, number, viewer)
    names = names_for(session, viewer, [shown.data, before.data if before else None])
    return render(
        request,
        "practices/revision.html",
        {
            "practice": practice,
            "fields": describe(names, shown.data),
            "revision": shown,
            "preview": False,
            "people": people_names(
                session,
                {shown.author_id, shown.reviewer_id},
                key_names=is_admin(signed_in_user(request)),
            ),
            "changes": changes(names, before.data, shown.data) if before else [],
            "before": before,
        },
    )
