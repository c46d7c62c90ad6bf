"""``/api/v1/practices``: listing, reading (JSON and JSON-LD), creating and changing
practices, and similar practices."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from app.api.conditional import NOT_MODIFIED, etag, expected_version, not_modified
from app.api.deps import ApiViewer, SessionDep, Writer
from app.api.idempotency import fingerprint, once
from app.api.paths import PracticeSlug
from app.api.writes import WRITE_ERRORS, IdempotencyKey, IfMatch, merge_patch
from app.models.practices import Practice
from app.opendata.linked_data import practice_jsonld
from app.practices.checks import parse_input
from app.practices.detail import find_practice, practice_detail
from app.practices.filters import PracticeQuery
from app.practices.input import PracticeIn
from app.practices.listing import list_practices
from app.practices.revisions import editing_data
from app.practices.schemas import (
    PracticeDetail,
    PracticePage,
    PracticeWritten,
    SimilarOut,
)
from app.practices.similar import similar_practices
from app.practices.workflow import create_practice, publish_if_trusted, save_practice
from app.practices.worklists import editable_practice
from app.requests import client_address, site_url
from app.schemas import ErrorOut

router = APIRouter(prefix="/practices", tags=["practices"])

ConfirmNew = Annotated[
    bool,
    Query(
        description="Set after checking that a practice with a very similar title at the "
        "same place is not the same initiative (otherwise that is refused, naming it)."
    ),
]


@router.get("", summary="List and search practices")
def list_practices_route(
    session: SessionDep, viewer: ApiViewer, query: Annotated[PracticeQuery, Query()]
) -> PracticePage:
    """Published practices, filtered, sorted and paginated, with optional facet counts."""
    return list_practices(session, query, viewer)


@router.get(
    "/{slug}.jsonld",
    summary="Read a practice as JSON-LD",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {}}, "description": "JSON-LD."}},
)
def read_practice_jsonld(
    request: Request, session: SessionDep, viewer: ApiViewer, slug: PracticeSlug
) -> JSONResponse:
    """One practice as linked data: JSON-LD with schema.org terms (a `Project` with its
    place, lead body, partners, typology keywords and the reports about it). Practice pages
    embed the same document."""
    practice = practice_detail(session, find_practice(session, slug, viewer), viewer)
    document = practice_jsonld(practice, site_url(request))
    return JSONResponse(document, media_type="application/ld+json")


@router.get(
    "/{slug}",
    summary="Read a practice",
    response_model=PracticeDetail,
    responses=NOT_MODIFIED,
)
def read_practice(
    request: Request, response: Response, session: SessionDep, viewer: ApiViewer, slug: PracticeSlug
) -> Any:
    """One practice with its partners, networks, outcomes and sources. Its ETag names its
    version, for `If-None-Match` (304 when unchanged) and for `If-Match` when changing it."""
    practice = find_practice(session, slug, viewer)
    unchanged = not_modified(request, response, etag(session, practice.version, viewer))
    return unchanged or practice_detail(session, practice, viewer)


def _written(session: Session, practice: Practice) -> tuple[PracticeWritten, dict[str, str]]:
    body = PracticeWritten(
        slug=practice.slug,
        status=practice.status,
        version=practice.version,
        url=f"/practices/{practice.slug}",
        api_url=f"/api/v1/practices/{practice.slug}",
    )
    headers = {"ETag": etag(session, practice.version), "Location": body.api_url}
    return body, headers


@router.post(
    "",
    summary="Publish or submit a practice",
    status_code=201,
    response_model=PracticeWritten,
    responses=WRITE_ERRORS,
)
def create_practice_route(
    request: Request,
    session: SessionDep,
    writer: Writer,
    data: PracticeIn,
    confirm_new: ConfirmNew = False,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Submit a new practice for review, led by the key's organisation unless it names
    another lead it may act for. It is published once a moderator approves it, or at once
    if an administrator has marked the organisation as trusted."""

    def write() -> tuple[int, PracticeWritten, dict[str, str]]:
        practice = create_practice(
            session,
            writer.user,
            writer.viewer,
            data,
            submit=True,
            confirm_new=confirm_new,
            client=client_address(request),
        )
        practice = publish_if_trusted(session, writer.user, writer.viewer, practice)
        return 201, *_written(session, practice)

    digest = fingerprint("POST", request.url.path, [data.model_dump(mode="json"), confirm_new])
    return once(session, writer, idempotency_key, digest, write)


@router.patch(
    "/{slug:slug}",
    summary="Change a practice",
    response_model=PracticeWritten,
    responses={
        **WRITE_ERRORS,
        404: {"model": ErrorOut, "description": "No such practice."},
        409: {
            "model": ErrorOut,
            "description": "Saved by someone else meanwhile, or a request with this "
            "Idempotency-Key is running.",
        },
        412: {"model": ErrorOut, "description": "If-Match names an older version."},
        428: {"model": ErrorOut, "description": "If-Match is missing."},
    },
)
def update_practice_route(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: PracticeSlug,
    changes: Annotated[
        dict[str, Any],
        Body(
            description="The fields to change, as in POST (a JSON merge patch: a field "
            "set to null is cleared). Needs `If-Match` with the ETag you read.",
            examples=[{"summary": "Now in three districts.", "end_year": 2025}],
        ),
    ],
    confirm_new: ConfirmNew = False,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change a practice the key's organisation leads or partners. The change is
    submitted for review (readers see the published version until it is approved), or
    published at once for a trusted organisation."""

    def write() -> tuple[int, PracticeWritten, dict[str, str]]:
        practice = editable_practice(session, writer.user, writer.viewer, slug)
        version = expected_version(request, practice.version)
        merged = merge_patch(editing_data(session, practice), changes)
        practice = save_practice(
            session,
            writer.user,
            writer.viewer,
            practice,
            parse_input(merged),
            expected_version=version,
            submit=True,
            confirm_new=confirm_new,
            client=client_address(request),
        )
        practice = publish_if_trusted(session, writer.user, writer.viewer, practice)
        return 200, *_written(session, practice)

    digest = fingerprint("PATCH", request.url.path, [changes, confirm_new, if_match])
    return once(session, writer, idempotency_key, digest, write)


@router.get("/{slug}/similar", summary="List similar practices")
def read_similar_practices(
    session: SessionDep,
    slug: PracticeSlug,
    limit: Annotated[int, Query(ge=1, le=20, description="How many (1–20).")] = 5,
) -> list[SimilarOut]:
    """Practices at other places most like this one, best first, each with why: shared
    activity types, goals and target groups, shared distinctive words, and how alike the
    two places are."""
    return similar_practices(session, slug, limit=limit)
