"""What the practice translation form needs: the practice its editor may translate, the
language to translate into, and the form's page (its routes are in ``routes.py``)."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from app.errors import Forbidden
from app.i18n import LANGUAGES, gettext
from app.models.practices import Practice
from app.permissions import may_edit_practice
from app.practices.detail import find_practice
from app.web.deps import SessionDep, SignedIn, ViewerDep
from app.web.templating import render


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


def target_language(practice: Practice, requested: str | None) -> str:
    """The language to translate into: the one asked for, else the first that is not the
    original's."""
    if requested in LANGUAGES and requested != practice.original_language:
        return str(requested)
    return next(code for code in LANGUAGES if code != practice.original_language)


def translation_form(
    request: Request,
    practice: Practice,
    values: dict[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "translations/practice.html",
        {
            "practice": practice,
            "values": values,
            "errors": errors,
            "languages": [code for code in LANGUAGES if code != practice.original_language],
        },
        status_code=status_code,
    )
