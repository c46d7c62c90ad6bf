"""Vocabulary pages and their translation forms."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.errors import InvalidInput
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.models.vocabularies import VocabularyScheme
from app.permissions import is_moderator
from app.practices.filters import TERM_FILTERS
from app.vocabularies.extending import EXTENDABLE, add_term
from app.vocabularies.queries import find_scheme, scheme_details
from app.vocabularies.translations import save_term_translations, term_rows
from app.web.csrf import verify_csrf
from app.web.deps import CurrentUser, Moderator, SessionDep
from app.web.templating import href, render

router = APIRouter()


@router.get("/vocabularies", response_class=HTMLResponse)
def vocabularies_page(request: Request, session: SessionDep, user: CurrentUser) -> HTMLResponse:
    schemes = scheme_details(session)
    filters = {scheme: name for name, scheme in TERM_FILTERS.items()}
    return render(
        request,
        "vocabularies.html",
        {
            "schemes": schemes,
            "filters": filters,
            "may_translate": is_moderator(user),
            "extendable": EXTENDABLE,
            "json_url": "/api/v1/vocabularies",
        },
    )


def _vocabulary_form(
    request: Request,
    session: SessionDep,
    scheme: VocabularyScheme,
    language: str,
    errors: Mapping[str, str],
    submitted: dict[str, tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = term_rows(session, scheme, language)
    for row in rows:
        if submitted and row.code in submitted:
            row.translated_label, row.translated_definition = submitted[row.code]
    return render(
        request,
        "translations/vocabulary.html",
        {
            "scheme": scheme,
            "language": language,
            "languages": [code for code in LANGUAGES if code != DEFAULT_LANGUAGE],
            "rows": rows,
            "errors": errors,
            "field_labels": {
                f"{kind}-{row.code}": row.label for row in rows for kind in ("label", "definition")
            },
        },
        status_code=status_code,
    )


@router.get("/vocabularies/{code}/translate", response_class=HTMLResponse)
def vocabulary_translation_form(
    request: Request,
    session: SessionDep,
    _moderator: Moderator,
    code: str,
    to: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    language = to if to in LANGUAGES and to != DEFAULT_LANGUAGE else LANGUAGES[1]
    return _vocabulary_form(request, session, find_scheme(session, code), str(language), {})


@router.post(
    "/vocabularies/{code}/translate",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
async def save_vocabulary_translation_form(
    request: Request, session: SessionDep, moderator: Moderator, code: str
) -> Response:
    scheme = find_scheme(session, code)
    form = await request.form()
    language = str(form.get("language", ""))
    submitted = {
        str(key)[len("label-") :]: (
            str(value),
            str(form.get(f"definition-{str(key)[len('label-') :]}", "")),
        )
        for key, value in form.multi_items()
        if str(key).startswith("label-")
    }
    try:
        save_term_translations(session, scheme, moderator, language, submitted)
    except InvalidInput as exc:
        return _vocabulary_form(
            request, session, scheme, language, exc.fields, submitted, status_code=422
        )
    return RedirectResponse(
        href(f"/vocabularies/{code}/translate", to=language, saved="1"), status_code=303
    )


@router.get("/vocabularies/{code}/terms/new", response_class=HTMLResponse)
def new_term_form(
    request: Request, session: SessionDep, _moderator: Moderator, code: str
) -> HTMLResponse:
    scheme = find_scheme(session, code)
    return render(
        request, "translations/add_term.html", {"scheme": scheme, "values": {}, "errors": {}}
    )


@router.post(
    "/vocabularies/{code}/terms/new",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
async def add_term_form(
    request: Request, session: SessionDep, moderator: Moderator, code: str
) -> Response:
    scheme = find_scheme(session, code)
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("label", "definition")}
    try:
        add_term(session, scheme, moderator, values)
    except InvalidInput as exc:
        session.rollback()
        context = {"scheme": scheme, "values": values, "errors": exc.fields}
        return render(request, "translations/add_term.html", context, status_code=422)
    return RedirectResponse(href("/vocabularies", saved="1") + f"#{code}", status_code=303)
