"""The dilemma log's pages: the list with its clusters counted, one dilemma, the form that
records or changes one, and a moderator's decision."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from app.dilemmas.queries import Shown, cluster_chart, find_dilemma, list_dilemmas
from app.dilemmas.rules import may_write
from app.dilemmas.writes import CLUSTERS, RESPONSES, decide, save_dilemma
from app.errors import Forbidden, InvalidInput
from app.i18n import get_language
from app.models.accounts import User
from app.models.dilemmas import Dilemma, DilemmaVisibility
from app.models.practices import Practice
from app.validation import RecordId
from app.vocabularies.queries import scheme_terms
from app.web.csrf import verify_csrf
from app.web.deps import CurrentUser, Moderator, SessionDep, SignedIn, ViewerDep
from app.web.templating import href, render

router = APIRouter(prefix="/dilemmas")

FIELDS = ("title", "cluster", "situation", "handling", "response", "result", "practice")


@router.get("", response_class=HTMLResponse)
def dilemmas_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: ViewerDep,
    cluster: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    context = {
        "items": list_dilemmas(session, viewer, cluster=cluster or None),
        "clusters": list(scheme_terms(session, CLUSTERS).values()),
        "cluster": cluster,
        "chart": cluster_chart(session, viewer),
        "may_record": may_write(user),
    }
    return render(request, "dilemmas/list.html", context)


def _form(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    dilemma: Dilemma | None = None,
) -> HTMLResponse:
    practices = session.exec(
        select(Practice.slug, Practice.title)
        .where(Practice.lead_organisation_id == user.organisation_id)
        .order_by(col(Practice.title))
    ).all()
    context = {
        "values": values,
        "errors": errors or {},
        "dilemma": dilemma,
        "clusters": list(scheme_terms(session, CLUSTERS).values()),
        "responses": list(scheme_terms(session, RESPONSES).values()),
        "practices": practices,
        "visibilities": list(DilemmaVisibility),
    }
    return render(request, "dilemmas/edit.html", context, status_code=422 if errors else 200)


def _writer(user: User, dilemma: Dilemma | None = None) -> None:
    if not may_write(user, dilemma):
        raise Forbidden("only members of its organisation can record or change its dilemmas")


async def _save(
    request: Request, session: Session, user: User, dilemma: Dilemma | None
) -> Response:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in FIELDS}
    values["visibility"] = str(form.get("visibility", "private"))
    values["language"] = str(form.get("language", get_language()))
    action: Literal["save", "submit"] = "submit" if form.get("action") == "submit" else "save"
    optional = ("handling", "response", "result", "practice")
    cleaned = {k: (v or None) if k in optional else v for k, v in values.items()}
    try:
        saved = save_dilemma(session, user, cleaned, dilemma, action=action)
    except InvalidInput as error:
        session.rollback()
        return _form(request, session, user, values, error.fields, dilemma)
    return RedirectResponse(href(f"/dilemmas/{saved.id}", recorded=action), status_code=303)


@router.get("/new", response_class=HTMLResponse)
def new_dilemma_form(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    _writer(user)
    return _form(request, session, user, {"visibility": "private", "language": get_language()})


@router.post("/new", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def create_dilemma(request: Request, session: SessionDep, user: SignedIn) -> Response:
    _writer(user)
    return await _save(request, session, user, None)


def _own(session: Session, user: User, dilemma_id: int) -> Dilemma:
    dilemma = session.get(Dilemma, dilemma_id)
    if dilemma is None or not may_write(user, dilemma):
        find_dilemma(session, dilemma_id)  # a 404 for what the user may not read either
        raise Forbidden("only members of its organisation can change a dilemma")
    return dilemma


@router.get("/{dilemma_id}/edit", response_class=HTMLResponse)
def edit_dilemma_form(
    request: Request, session: SessionDep, user: SignedIn, dilemma_id: RecordId
) -> HTMLResponse:
    dilemma = _own(session, user, dilemma_id)
    values: dict[str, Any] = {name: getattr(dilemma, name) for name in FIELDS if name != "practice"}
    values |= {"visibility": str(dilemma.visibility), "language": dilemma.language}
    values["practice"] = session.exec(
        select(Practice.slug).where(Practice.id == dilemma.practice_id)
    ).first()
    return _form(request, session, user, values, dilemma=dilemma)


@router.post("/{dilemma_id}/edit", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def save_dilemma_form(
    request: Request, session: SessionDep, user: SignedIn, dilemma_id: RecordId
) -> Response:
    return await _save(request, session, user, _own(session, user, dilemma_id))


@router.get("/{dilemma_id}", response_class=HTMLResponse)
def dilemma_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: ViewerDep,
    dilemma_id: RecordId,
) -> HTMLResponse:
    shown: Shown = find_dilemma(session, dilemma_id, viewer)
    context = {
        "item": shown,
        "may_edit": may_write(user, shown.dilemma),
        "may_review": viewer.moderator and shown.dilemma.state == "submitted",
    }
    return render(request, "dilemmas/detail.html", context)


@router.post("/{dilemma_id}/review", dependencies=[Depends(verify_csrf)])
def review_dilemma(
    request: Request,
    session: SessionDep,
    moderator: Moderator,
    viewer: ViewerDep,
    dilemma_id: RecordId,
    action: Annotated[Literal["publish", "return"], Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    shown = find_dilemma(session, dilemma_id, viewer)
    try:
        decide(session, moderator, shown.dilemma, action, comment)
    except InvalidInput as error:  # the page again, the problem beside the comment box
        session.rollback()
        context = {
            "item": find_dilemma(session, dilemma_id, viewer),
            "may_edit": False,
            "may_review": True,
            "errors": error.fields,
            "comment": comment,
        }
        return render(request, "dilemmas/detail.html", context, status_code=422)
    return RedirectResponse(href(f"/dilemmas/{dilemma_id}", decided=action), status_code=303)
