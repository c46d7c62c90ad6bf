"""``/api/v1/networks``: networks, and the member lists their coordinators keep with their
members' consent (invitations and requests to join, accepted or declined by the other
side)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.conditional import NOT_MODIFIED, etag, not_modified, require_match
from app.api.deps import SessionDep, Writer
from app.api.idempotency import fingerprint, once
from app.api.paths import MemberId, NetworkSlug
from app.api.writes import WRITE_ERRORS, IdempotencyKey, IfMatch, merge_patch
from app.models.places import Membership
from app.places.member_lists import MemberQuery, list_members, member_tag
from app.places.memberships import (
    accept_member,
    add_member,
    change_member,
    coordinated_network,
    decline_member,
    find_membership,
    member_input,
    member_out,
    remove_member,
)
from app.places.queries import PagingQuery, find_network, get_network, list_networks
from app.places.schemas import MemberIn, MemberOut, NetworkSummary
from app.requests import client_address
from app.schemas import ErrorOut, Page
from app.validation import parse_body

router = APIRouter(prefix="/networks", tags=["networks"])

MEMBER_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    403: {
        "model": ErrorOut,
        "description": "The key's organisation does not coordinate the network (nor, when "
        "asking to join, is it the member).",
    },
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
ANSWER_ERRORS: dict[int | str, dict[str, Any]] = {
    **CHANGE_ERRORS,
    403: {
        "model": ErrorOut,
        "description": "The key's organisation is not the side that answers: the member "
        "(or, for a place, the place's own authority) answers an invitation, the "
        "coordinator a request.",
    },
    409: {
        "model": ErrorOut,
        "description": "Accepting: the membership is active already. Declining: it is your "
        "own organisation's coordination of the network (an administrator can end it).",
    },
}


@router.get("", summary="List networks")
def list_networks_route(
    session: SessionDep, query: Annotated[PagingQuery, Query()]
) -> Page[NetworkSummary]:
    """Peer-learning networks, by name."""
    return list_networks(session, query)


@router.get(
    "/{slug}", summary="Read a network", response_model=NetworkSummary, responses=NOT_MODIFIED
)
def read_network(
    request: Request, response: Response, session: SessionDep, slug: NetworkSlug
) -> Any:
    """One network."""
    network = get_network(session, slug)
    return not_modified(request, response, etag(session)) or network


@router.get("/{slug}/members", summary="List a network's members")
def list_network_members(
    session: SessionDep, slug: NetworkSlug, query: Annotated[MemberQuery, Query()]
) -> Page[MemberOut]:
    """Members of a network (places or organisations) with their role, dates and `status`:
    `active`, or waiting for an answer (`invited` by the coordinator, `requested` by the
    member). Only active memberships, in the years they run, count for what members see."""
    return list_members(session, slug, query)


@router.get(
    "/{slug}/members/{member_id}",
    summary="Read a network membership",
    response_model=MemberOut,
    responses=NOT_MODIFIED,
)
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


@router.post(
    "/{slug}/members",
    summary="Add or invite a member",
    status_code=201,
    response_model=MemberOut,
    responses=MEMBER_ERRORS,
)
def add_network_member(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: NetworkSlug,
    data: MemberIn,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Invite a place or an organisation to a network the key's organisation coordinates,
    or ask to join one.

    Joining takes the member's consent, so a coordinator's invitation has the status
    `invited` and grants nothing until the member accepts it (`POST …/members/{id}/accept`
    with the member's own key, or on the site under "Your networks"). Any other key may
    only ask to join for its own organisation (or, for an authority, for its place): that
    makes a membership `requested`, which the coordinator accepts. A coordinator adding
    itself is `active` at once."""

    def write() -> tuple[int, MemberOut, dict[str, str]]:
        network = find_network(session, slug)
        membership = add_member(
            session,
            writer.user,
            writer.organisation_id,
            network,
            data,
            client=client_address(request),
        )
        return 201, *_written(session, slug, membership)

    digest = fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    return once(session, writer, idempotency_key, digest, write)


@router.patch(
    "/{slug}/members/{member_id}",
    summary="Change a membership",
    response_model=MemberOut,
    responses=CHANGE_ERRORS,
)
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
    """Change a membership of a network the key's organisation coordinates. A change that
    gives the member more than it accepted (another member, an earlier start, a later or no
    end) makes the membership `invited` again, waiting for the member's consent."""

    def write() -> tuple[int, MemberOut, dict[str, str]]:
        network = coordinated_network(session, writer.organisation_id, slug)
        membership = find_membership(session, network, member_id)
        require_match(request, member_tag(membership))
        data = parse_body(MemberIn, merge_patch(member_input(session, membership), changes))
        membership = change_member(
            session,
            writer.user,
            writer.organisation_id,
            network,
            membership,
            data,
            client=client_address(request),
        )
        return 200, *_written(session, slug, membership)

    digest = fingerprint("PATCH", request.url.path, [changes, if_match])
    return once(session, writer, idempotency_key, digest, write)


@router.delete(
    "/{slug}/members/{member_id}",
    summary="Remove a member",
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


@router.post(
    "/{slug}/members/{member_id}/accept",
    summary="Accept a membership",
    response_model=MemberOut,
    responses=ANSWER_ERRORS,
)
def accept_network_member(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: NetworkSlug,
    member_id: MemberId,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Accept a membership waiting for your answer: an invitation to your organisation (or,
    for an authority, to its place), or, as the coordinator, a request to join. Needs
    `If-Match` with the membership's ETag, so you accept exactly what you read. The
    membership becomes `active`."""
    network = find_network(session, slug)
    membership = find_membership(session, network, member_id)
    require_match(request, member_tag(membership))
    membership = accept_member(
        session,
        writer.user,
        writer.organisation_id,
        network,
        membership,
        client=client_address(request),
    )
    body, headers = _written(session, slug, membership)
    return JSONResponse(body.model_dump(mode="json"), headers=headers)


@router.post(
    "/{slug}/members/{member_id}/decline",
    summary="Decline a membership",
    status_code=204,
    response_class=Response,
    responses=ANSWER_ERRORS,
)
def decline_network_member(
    request: Request,
    session: SessionDep,
    writer: Writer,
    slug: NetworkSlug,
    member_id: MemberId,
) -> Response:
    """Say no, and remove the membership: as the member, decline an invitation, withdraw
    your request or leave the network; as the coordinator, decline a request or withdraw
    an invitation."""
    network = find_network(session, slug)
    membership = find_membership(session, network, member_id)
    decline_member(
        session,
        writer.user,
        writer.organisation_id,
        network,
        membership,
        client=client_address(request),
    )
    return Response(status_code=204)
