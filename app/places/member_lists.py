"""Reading a network's members: the list the API and the network page show, one
membership's ETag, and the memberships an organisation answers for ("Your networks")."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from app.catalogue.pagination import CursorInteger, SortKey, paginate
from app.models.places import Membership, MembershipStatus, Network, Organisation, Place
from app.models.vocabularies import Source
from app.permissions import current_membership
from app.places.queries import PagingQuery, find_network
from app.places.schemas import MemberOut
from app.schemas import NetworkRef, OrganisationRef, Page, PlaceRef, source_ref


class MemberQuery(PagingQuery):
    status: list[Literal["active", "invited", "requested"]] = Field(
        default_factory=list,
        max_length=3,
        description="Only memberships with this status; repeat for several. All by default.",
        examples=[["invited"]],
    )


def member_items(session: Session, members: Sequence[Membership]) -> list[MemberOut]:
    """``members`` as the API shows them, with their places, organisations and sources."""
    places = {
        p.id: p
        for p in session.exec(select(Place).where(col(Place.id).in_({m.place_id for m in members})))
    }
    orgs = {
        o.id: o
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_({m.organisation_id for m in members})
            )
        )
    }
    sources = {
        s.id: s
        for s in session.exec(
            select(Source).where(col(Source.id).in_({m.source_id for m in members}))
        )
    }
    items: list[MemberOut] = []
    for m in members:
        place: Any = places.get(m.place_id)
        org: Any = orgs.get(m.organisation_id)
        items.append(
            MemberOut(
                id=int(m.id or 0),
                place=PlaceRef.model_validate(place) if place else None,
                organisation=OrganisationRef.model_validate(org) if org else None,
                role=m.role,
                start_year=m.start_year,
                end_year=m.end_year,
                source=source_ref(sources.get(m.source_id)),
                status=m.status,
            )
        )
    return items


def list_members(session: Session, slug: str, query: MemberQuery) -> Page[MemberOut]:
    statement = select(Membership).where(Membership.network_id == find_network(session, slug).id)
    if query.status:
        statement = statement.where(col(Membership.status).in_(query.status))
    sliced = paginate(
        session,
        statement,
        id_column=col(Membership.id),
        sort=SortKey(col(Membership.id), CursorInteger),
        limit=query.limit,
        cursor=query.cursor,
    )
    items = member_items(session, sliced.rows)
    return Page[MemberOut](items=items, total=sliced.total, next_cursor=sliced.next_cursor)


def member_tag(membership: Membership) -> str:
    """An ETag for one membership: it changes whenever any of its facts does."""
    facts = (
        membership.place_id,
        membership.organisation_id,
        membership.role,
        membership.start_year,
        membership.end_year,
        membership.source_id,
        membership.status,
    )
    digest = hashlib.sha256(repr(facts).encode()).hexdigest()[:16]
    return f'"m{membership.id}.{digest}"'


@dataclass
class OwnMembership:
    """A membership on an organisation's "Your networks" page."""

    network: NetworkRef
    member: MemberOut
    tag: str  # the membership's ETag: an answer applies to what was shown
    answers: bool  # waiting for this organisation to accept or decline
    coordinated: bool  # a request to join a network this organisation coordinates


def own_memberships(session: Session, organisation_id: int) -> list[OwnMembership]:
    """The memberships ``organisation_id`` answers for: its own, its place's when it is the
    place's authority, and requests to join the networks it coordinates. Those waiting for
    its answer come first."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        return []
    own = [col(Membership.organisation_id) == organisation_id]
    if organisation.place_id is not None and organisation.type == "lra":
        own.append(col(Membership.place_id) == organisation.place_id)
    coordinated = set(
        session.exec(
            select(Membership.network_id).where(
                Membership.organisation_id == organisation_id,
                Membership.role == "coordinator",
                *current_membership(),  # as app.permissions.coordinates decides
            )
        ).all()
    )
    requests = (col(Membership.status) == MembershipStatus.requested) & col(
        Membership.network_id
    ).in_(coordinated)
    rows = session.exec(
        select(Membership, Network)
        .join(Network, col(Network.id) == Membership.network_id)
        .where(or_(*own, requests))
        .order_by(func.lower(Network.name), col(Membership.id))
    ).all()
    members = member_items(session, [m for m, _network in rows])
    result = []
    for (membership, network), member in zip(rows, members, strict=True):
        is_request = (
            membership.status == MembershipStatus.requested and membership.network_id in coordinated
        )
        answers = is_request or membership.status == MembershipStatus.invited
        result.append(
            OwnMembership(
                NetworkRef.model_validate(network),
                member,
                member_tag(membership),
                answers,
                is_request,
            )
        )
    return sorted(result, key=lambda m: not m.answers)
