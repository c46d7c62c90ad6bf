"""What the practice translation form needs: the practice its editor may translate, the
language to translate into, and the form's page (its routes are in ``routes.py``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from app.i18n import LANGUAGES, gettext
from app.models.practices import Practice, PracticeTranslation
from app.practices.fields import BODY_FIELDS, FIELD_LABELS, ONE_LINE_FIELDS, TEXT_LIMITS
from app.practices.worklists import editable_practice
from app.web.deps import SessionDep, SignedIn, ViewerDep
from app.web.templating import render


def _editable_practice(
    session: SessionDep, user: SignedIn, viewer: ViewerDep, slug: str
) -> Practice:
    """Any practice its editors may translate, published or not: a moderator who does not
    read the original's language can review a submission in translation."""
    refusal = gettext("Only the practice's organisations and moderators can translate it.")
    return editable_practice(session, user, viewer, slug, refusal)


EditablePractice = Annotated[Practice, Depends(_editable_practice)]


def target_language(practice: Practice, requested: str | None) -> str:
    """The language to translate into: the one asked for, else the first that is not the
    original's."""
    if requested in LANGUAGES and requested != practice.original_language:
        return str(requested)
    return next(code for code in LANGUAGES if code != practice.original_language)


# The fields a translation holds, in the order the form shows them.
TRANSLATED_FIELDS = ("title", "summary", *BODY_FIELDS)


def translation_values(existing: PracticeTranslation | None, language: str) -> dict[str, str]:
    """The form's values: the translation saved so far, if any."""
    values = {"language": language, "origin": existing.origin if existing else "human"}
    for name in TRANSLATED_FIELDS:
        values[name] = (getattr(existing, name) or "") if existing else ""
    return values


def posted_values(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in ("language", "origin", *TRANSLATED_FIELDS)}


@dataclass(frozen=True)
class FieldToTranslate:
    """A row of the form: a written field, the original's text beside the box for its
    translation."""

    name: str
    label: str
    original: str
    limit: int
    one_line: bool
    required: bool


def translation_form(
    request: Request,
    practice: Practice,
    values: dict[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    fields = [
        FieldToTranslate(
            name=name,
            label=gettext(FIELD_LABELS[name]),
            original=getattr(practice, name) or "",
            limit=TEXT_LIMITS[name],
            one_line=name in ONE_LINE_FIELDS,
            required=name in ("title", "summary"),
        )
        for name in TRANSLATED_FIELDS
        if getattr(practice, name) or name in ("title", "summary")  # nothing to translate
    ]
    return render(
        request,
        "translations/practice.html",
        {
            "practice": practice,
            "fields": fields,
            "values": values,
            "errors": errors,
            "languages": [code for code in LANGUAGES if code != practice.original_language],
        },
        status_code=status_code,
    )
