"""A network's members, kept by the organisation that coordinates the network.

Partners manage their member lists through the API. Only an organisation that is a current
``coordinator`` member of a network may change that network's members: membership decides
who sees a network's members-only practices, so it cannot be open to every key.
"""

import hashlib

from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import gettext
from app.models.accounts import User
from app.models.places import Membership, Network, Organisation, Place
from app.models.vocabularies import Source
from app.permissions import coordinates
from app.places.queries import find_network, member_items
from app.places.schemas import MemberIn, MemberOut
from app.practices.filters import slug_ids


def coordinated_network(session: Session, organisation_id: int, slug: str) -> Network:
    """The network ``slug`` if the organisation may change its members; 404 or 403."""
    network = find_network(session, slug)
    if not coordinates(session, organisation_id, network):
        raise Forbidden(
            gettext(
                "Only the organisation that coordinates %(network)s may change its members.",
                network=network.name,
            )
        )
    return network


def find_membership(session: Session, network: Network, member_id: int) -> Membership:
    membership = session.get(Membership, member_id)
    if membership is None or membership.network_id != network.id:
        raise NotFound(
            gettext("%(network)s has no membership %(id)s", network=network.name, id=member_id)
        )
    return membership


def member_out(session: Session, membership: Membership) -> MemberOut:
    return member_items(session, [membership])[0]


def member_tag(membership: Membership) -> str:
    """An ETag for one membership: it changes whenever any of its facts does."""
    facts = (
        membership.place_id,
        membership.organisation_id,
        membership.role,
        membership.start_year,
        membership.end_year,
        membership.source_id,
    )
    digest = hashlib.sha256(repr(facts).encode()).hexdigest()[:16]
    return f'"m{membership.id}.{digest}"'


def member_input(session: Session, membership: Membership) -> dict[str, object]:
    """A membership as ``MemberIn`` fields, for merge patches."""
    out = member_out(session, membership)
    return {
        "place": out.place.slug if out.place else None,
        "organisation": out.organisation.slug if out.organisation else None,
        "role": out.role,
        "start_year": out.start_year,
        "end_year": out.end_year,
        "source": out.source.slug if out.source else None,
    }


def _slug_id(
    session: Session, model: type[Place | Organisation | Source], param: str, slug: str | None
) -> int | None:
    return slug_ids(session, model, param, [slug])[0] if slug else None


def _apply(session: Session, membership: Membership, data: MemberIn) -> None:
    membership.place_id = _slug_id(session, Place, "place", data.place)
    membership.organisation_id = _slug_id(session, Organisation, "organisation", data.organisation)
    membership.source_id = _slug_id(session, Source, "source", data.source)
    membership.role = data.role
    membership.start_year = data.start_year
    membership.end_year = data.end_year
    same = select(Membership.id).where(
        Membership.network_id == membership.network_id,
        Membership.role == membership.role,
        col(Membership.place_id).is_not_distinct_from(membership.place_id),
        col(Membership.organisation_id).is_not_distinct_from(membership.organisation_id),
    )
    if membership.id is not None:
        same = same.where(Membership.id != membership.id)
    twin = session.exec(same).first()
    if twin is not None:
        raise Conflict(
            gettext(
                "This member already has this role in the network (membership %(id)s).", id=twin
            )
        )


def _keep_own_coordination(session: Session, user: User, membership: Membership) -> None:
    """A coordinator cannot end its own coordination through the API: it would lock
    itself out. An administrator can."""
    if membership.organisation_id == user.organisation_id and membership.role == "coordinator":
        raise Conflict(
            gettext(
                "This is your own organisation's coordination of the network; "
                "an administrator can change it."
            )
        )


def save_member(
    session: Session,
    user: User,
    network: Network,
    membership: Membership | None,
    data: MemberIn,
    *,
    client: str | None = None,
) -> Membership:
    """Add a member to ``network`` (``membership`` None) or change ``membership``."""
    action = "membership.create" if membership is None else "membership.update"
    if membership is None:
        membership = Membership(network_id=int(network.id or 0))
    else:
        _keep_own_coordination(session, user, membership)
    with session.no_autoflush:  # the duplicate check must not see the half-changed row
        _apply(session, membership, data)
    session.add(membership)
    session.flush()
    record(session, user, action, f"{network.slug}/{membership.id}", client=client)
    session.commit()
    session.refresh(membership)
    return membership


def remove_member(
    session: Session,
    user: User,
    network: Network,
    membership: Membership,
    *,
    client: str | None = None,
) -> None:
    _keep_own_coordination(session, user, membership)
    record(session, user, "membership.delete", f"{network.slug}/{membership.id}", client=client)
    session.delete(membership)
    session.commit()
