"""Forms to translate a practice's title and summary, and a vocabulary's terms."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import Forbidden, Moderator, SignedIn, ViewerDep, may_edit_practice
from app.db import SessionDep
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext
from app.models import Practice, VocabularyScheme
from app.queries.practices import find_practice
from app.queries.translations import (
    FormErrors,
    practice_translation,
    save_practice_translation,
    save_term_translations,
    term_rows,
)
from app.queries.vocabularies import find_scheme
from app.web.csrf import verify_csrf
from app.web.templating import href, render

router = APIRouter()


def _editable_practice(
    session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> Practice:
    practice = find_practice(session, slug, viewer)
    if not may_edit_practice(session, user, practice):
        raise Forbidden(
            gettext("Only the practice's organisations and moderators can translate it.")
        )
    return practice


EditablePractice = Annotated[Practice, Depends(_editable_practice)]


def _target(practice: Practice, requested: str | None) -> str:
    """The language to translate into: the one asked for, else the first that is not the
    original's."""
    if requested in LANGUAGES and requested != practice.original_language:
        return str(requested)
    return next(code for code in LANGUAGES if code != practice.original_language)


@router.get("/practices/{slug}/translate", response_class=HTMLResponse)
def practice_translation_form(
    request: Request,
    session: SessionDep,
    practice: EditablePractice,
    to: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    language = _target(practice, to)
    existing = practice_translation(session, practice, language)
    values = {
        "language": language,
        "title": existing.title if existing else "",
        "summary": existing.summary if existing else "",
        "origin": existing.origin if existing else "human",
    }
    return _practice_form(request, practice, values, FormErrors())


def _practice_form(
    request: Request,
    practice: Practice,
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "translations/practice.html",
        {
            "practice": practice,
            "values": values,
            "errors": errors.fields,
            "languages": [code for code in LANGUAGES if code != practice.original_language],
        },
        status_code=status_code,
    )


@router.post(
    "/practices/{slug}/translate",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
def save_practice_translation_form(
    request: Request,
    session: SessionDep,
    user: SignedIn,
    practice: EditablePractice,
    language: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    origin: Annotated[str, Form()] = "",
) -> Response:
    values = {"language": language, "title": title, "summary": summary, "origin": origin}
    errors = save_practice_translation(session, practice, user, **values)
    if errors:
        return _practice_form(request, practice, values, errors, status_code=422)
    return RedirectResponse(
        href(f"/practices/{practice.slug}", lang=language, saved="1"), status_code=303
    )


def _vocabulary_form(
    request: Request,
    session: SessionDep,
    scheme: VocabularyScheme,
    language: str,
    errors: FormErrors,
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
            "errors": errors.fields,
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
    return _vocabulary_form(
        request, session, find_scheme(session, code), str(language), FormErrors()
    )


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
    errors = save_term_translations(session, scheme, moderator, language, submitted)
    if errors:
        return _vocabulary_form(
            request, session, scheme, language, errors, submitted, status_code=422
        )
    return RedirectResponse(
        href(f"/vocabularies/{code}/translate", to=language, saved="1"), status_code=303
    )
