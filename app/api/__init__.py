"""The JSON API under /api/v1: one router per prefix, thin routes over the domain packages
(``app.practices``, ``app.places``, ``app.vocabularies``, ``app.opendata``), with the
errors every operation documents and the ``lang`` parameter every operation takes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api import (
    changes,
    exports,
    networks,
    organisations,
    peers,
    places,
    practices,
    vocabularies,
)
from app.api.deps import rate_limited
from app.errors import InvalidParameter
from app.i18n import LANGUAGES, gettext
from app.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "The body is not valid JSON."},
    401: {
        "model": ErrorOut,
        "description": "The Authorization header holds no valid API key (a missing header "
        "is fine where no key is needed).",
    },
    404: {"model": ErrorOut, "description": "No such resource."},
    422: {"model": ErrorOut, "description": "A parameter is invalid; `errors` names it."},
    429: {
        "model": ErrorOut,
        "description": "Too many requests from this key or address; `Retry-After` says how "
        "many seconds to wait.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
    500: {
        "model": ErrorOut,
        "description": "Something failed on the server; the answer says no more, and the "
        "host's log has the details.",
    },
}


async def language(
    lang: Annotated[
        str | None,
        Query(
            max_length=10,
            description="Language of labels, titles and summaries (overrides "
            "`Accept-Language`). The answer's `Content-Language` header says which was used; "
            "a practice's `language` field says whether its text is a translation.",
            examples=["de"],
            json_schema_extra={"enum": list(LANGUAGES)},
        ),
    ] = None,
) -> None:
    """Validates ``lang``; ``LocaleMiddleware`` has already applied a valid one."""
    if lang is not None and lang not in LANGUAGES:
        raise InvalidParameter(
            "lang", gettext("unknown language %(lang)r", lang=lang), allowed=LANGUAGES
        )


api_router = APIRouter(
    prefix="/api/v1", responses=ERRORS, dependencies=[Depends(rate_limited), Depends(language)]
)
for module in (exports, practices, places, peers, organisations, networks, vocabularies, changes):
    api_router.include_router(module.router)
