"""What the practice translation form needs: the practice its editor may translate, the
language to translate into, and the form's page (its routes are in ``routes.py``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.errors import InvalidInput
from app.i18n import LANGUAGES, gettext
from app.models.accounts import User
from app.models.practices import Practice, PracticeStatus, PracticeTranslation
from app.permissions import is_moderator
from app.practices.fields import (
    BODY_FIELDS,
    FIELD_LABELS,
    ONE_LINE_FIELDS,
    ROW_LABELS,
    TEXT_LIMITS,
)
from app.practices.translations import (
    original_outcomes,
    practice_translation,
    save_practice_translation,
    translated_outcomes,
    translation_input,
)
from app.practices.worklists import editable_practice
from app.web.deps import SessionDep, SignedIn, ViewerDep
from app.web.templating import href, render


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


def translation_values(
    existing: PracticeTranslation | None, language: str, outcomes: list[str]
) -> dict[str, Any]:
    """The form's values: the translation saved so far, if any, with a row for each of
    the practice's ``outcomes``."""
    values: dict[str, Any] = {
        "language": language,
        "origin": existing.origin if existing else "human",
    }
    for name in TRANSLATED_FIELDS:
        values[name] = (getattr(existing, name) or "") if existing else ""
    values["outcomes"] = [{"text": text or ""} for text in translated_outcomes(existing, outcomes)]
    return values


def posted_values(form: FormData, outcomes: int) -> dict[str, Any]:
    """The posted form's values, with a row for each of the practice's ``outcomes``."""
    values: dict[str, Any] = {
        name: str(form.get(name, "")) for name in ("language", "origin", *TRANSLATED_FIELDS)
    }
    values["outcomes"] = [
        {"text": str(form.get(f"outcomes-{at}-text", ""))} for at in range(outcomes)
    ]
    return values


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
    outcomes: list[str],
    values: dict[str, Any],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    """The form: each written field the original has, and what each of its ``outcomes``
    found, beside a box for its translation."""
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
            "outcomes": outcomes,
            "outcome_label": gettext(ROW_LABELS["outcomes"]["text"]),
            "values": values,
            "errors": errors,
            "languages": [code for code in LANGUAGES if code != practice.original_language],
        },
        status_code=status_code,
    )


def empty_translation_form(
    request: Request, session: Session, practice: Practice, to: str | None
) -> HTMLResponse:
    """The form for a translation into ``to`` (or the first other language), filled with
    what was saved of it."""
    language = target_language(practice, to)
    existing = practice_translation(session, practice, language)
    outcomes = original_outcomes(session, practice)
    values = translation_values(existing, language, outcomes)
    return translation_form(request, practice, outcomes, values, {})


async def save_posted_translation(
    request: Request, session: Session, user: User, practice: Practice
) -> Response:
    """Save the posted translation and go back where its translator came from: the
    review of a submission for a moderator, the form of a practice not yet published, or
    the practice's page in the translation's language."""
    outcomes = original_outcomes(session, practice)
    values = posted_values(await request.form(), len(outcomes))
    try:
        save_practice_translation(session, practice, user, translation_input(practice, values))
    except InvalidInput as exc:
        return translation_form(request, practice, outcomes, values, exc.fields, status_code=422)
    back = f"/practices/{practice.slug}"
    if practice.status != PracticeStatus.published:
        back = f"/moderation/{practice.slug}" if is_moderator(user) else f"{back}/edit"
    return RedirectResponse(href(back, lang=values["language"], saved="1"), status_code=303)
