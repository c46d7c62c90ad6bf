"""``/api/v1/networks``: networks, and the member lists their coordinators keep."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.conditional import NOT_MODIFIED, etag, not_modified, require_match
from app.api.deps import SessionDep, Writer
from app.api.idempotency import fingerprint, once
from app.api.paths import MemberId, NetworkSlug
from app.api.writes import WRITE_ERRORS, IdempotencyKey, IfMatch, merge_patch
from app.models.places import Membership
from app.places.memberships import (
    coordinated_network,
    find_membership,
    member_input,
    member_out,
    member_tag,
    remove_member,
    save_member,
)
from app.places.queries import PagingQuery, find_network, get_network, list_members, list_networks
from app.places.schemas import MemberIn, MemberOut, NetworkSummary
from app.requests import client_address
from app.schemas import ErrorOut, Page
from app.validation import parse_body

router = APIRouter(prefix="/networks", tags=["networks"])

MEMBER_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    403: {"model": ErrorOut, "description": "The key's organisation does not coordinate it."},
    404: {"model": ErrorOut, "description": "No such network or membership."},
    409: {
        "model": ErrorOut,
        "description": "The member already has this role, the write would end your own "
        "coordination, or a request with this Idempotency-Key is running.",
    },
    422: {"model": ErrorOut, "description": "The membership is invalid; `errors` says why."},
}
CHANGE_ERRORS: dict[int | str, dict[str, Any]] = {
    **MEMBER_ERRORS,
    412: {"model": ErrorOut, "description": "It changed since the ETag in If-Match."},
    428: {"model": ErrorOut, "description": "If-Match is missing."},
}


@router.get("")
def list_networks_route(
    session: SessionDep, query: Annotated[PagingQuery, Query()]
) -> Page[NetworkSummary]:
    """Peer-learning networks, by name."""
    return list_networks(session, query)


@router.get("/{slug}", response_model=NetworkSummary, responses=NOT_MODIFIED)
def read_network(
    request: Request, response: Response, session: SessionDep, slug: NetworkSlug
) -> Any:
    """One network."""
    network = get_network(session, slug)
    return not_modified(request, response, etag(session)) or network


@router.get("/{slug}/members")
def list_network_members(
    session: SessionDep, slug: NetworkSlug, query: Annotated[PagingQuery, Query()]
) -> Page[MemberOut]:
    """Members of a network (places or organisations) with their role and dates."""
    return list_members(session, slug, query)


@router.get("/{slug}/members/{member_id}", response_model=MemberOut, responses=NOT_MODIFIED)
def read_network_member(
    request: Request,
    response: Response,
    session: SessionDep,
    slug: NetworkSlug,
    member_id: MemberId,
) -> Any:
    """One membership. Its ETag is what `If-Match` needs to change or remove it."""
    membership = find_membership(session, find_network(session, slug), member_id)
    return not_modified(request, response, member_tag(membership)) or member_out(
        session, membership
    )


def _written(
    session: SessionDep, slug: str, membership: Membership
) -> tuple[MemberOut, dict[str, str]]:
    headers = {
        "ETag": member_tag(membership),
        "Location": f"/api/v1/networks/{slug}/members/{membership.id}",
    }
    return member_out(session, membership), headers


@router.post("/{slug}/members", status_code=201, response_model=MemberOut, responses=MEMBER_ERRORS)
def add_network_member(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: NetworkSlug,
    data: MemberIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a place or an organisation to a network the key's organisation coordinates."""

    def write() -> tuple[int, MemberOut, dict[str, str]]:
        network = coordinated_network(session, writer.organisation_id, slug)
        membership = save_member(
            session, writer.user, network, None, data, client=client_address(request)
        )
        return 201, *_written(session, slug, membership)

    digest = fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    return once(session, writer, idempotency_key, digest, write)


@router.patch("/{slug}/members/{member_id}", response_model=MemberOut, responses=CHANGE_ERRORS)
def change_network_member(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: NetworkSlug,
    member_id: MemberId,
    changes: Annotated[
        dict[str, Any],
        Body(
            description="The fields to change, as in POST (a JSON merge patch: null clears "
            "a field). Needs `If-Match` with the membership's ETag.",
            examples=[{"end_year": 2025}],
        ),
    ],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Change a membership of a network the key's organisation coordinates."""

    def write() -> tuple[int, MemberOut, dict[str, str]]:
        network = coordinated_network(session, writer.organisation_id, slug)
        membership = find_membership(session, network, member_id)
        require_match(request, member_tag(membership))
        data = parse_body(MemberIn, merge_patch(member_input(session, membership), changes))
        membership = save_member(
            session, writer.user, network, membership, data, client=client_address(request)
        )
        return 200, *_written(session, slug, membership)

    digest = fingerprint("PATCH", request.url.path, [changes, if_match])
    return once(session, writer, idempotency_key, digest, write)


@router.delete(
    "/{slug}/members/{member_id}",
    status_code=204,
    response_class=Response,
    responses=CHANGE_ERRORS,
)
def remove_network_member(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: NetworkSlug,
    member_id: MemberId,
    if_match: IfMatch = None,
) -> Response:
    """End a membership of a network the key's organisation coordinates (to record that a
    member left but keep the history, PATCH its `end_year` instead)."""
    network = coordinated_network(session, writer.organisation_id, slug)
    membership = find_membership(session, network, member_id)
    require_match(request, member_tag(membership))
    remove_member(session, writer.user, network, membership, client=client_address(request))
    return Response(status_code=204)
