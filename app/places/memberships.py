"""A network's members, kept by the organisation that coordinates the network, with the
consent of each member.

Partners manage their member lists through the API. Membership decides who reads a
network's members-only practices, and whose members-only practices the network reads, so
joining takes both sides: the coordinator invites (status ``invited``) and the member
accepts, or an organisation asks to join (``requested``) and the coordinator accepts. Until
then the membership grants nothing (``app.permissions.current_membership``). Only a current
``coordinator`` may change or remove members; a change that gives a member more (another
member, earlier or longer dates) is an invitation again.
"""

from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import gettext
from app.models.accounts import User
from app.models.places import Membership, MembershipStatus, Network, Organisation, Place
from app.models.vocabularies import Source
from app.permissions import coordinates, may_answer, speaks_for_member
from app.places.member_lists import member_items, member_tag
from app.places.queries import find_network
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


def _gives_more(before: tuple[int | None, ...], membership: Membership) -> bool:
    """Whether a change gives the membership more than its member agreed to: another
    member, an earlier start or a later end (an open end counts as the latest)."""
    place, organisation, start, end = before
    if (place, organisation) != (membership.place_id, membership.organisation_id):
        return True
    if start is not None and (membership.start_year is None or membership.start_year < start):
        return True
    return end is not None and (membership.end_year is None or membership.end_year > end)


def add_member(
    session: Session,
    user: User,
    organisation_id: int,
    network: Network,
    data: MemberIn,
    *,
    client: str | None = None,
) -> Membership:
    """A coordinator invites a member (active at once only when it is itself); any other
    organisation may only ask to join, for itself or for the place it is the authority of."""
    membership = Membership(network_id=int(network.id or 0))
    with session.no_autoflush:
        _apply(session, membership, data)
    own = speaks_for_member(session, organisation_id, membership)
    if coordinates(session, organisation_id, network):
        membership.status = MembershipStatus.active if own else MembershipStatus.invited
    elif own:
        membership.status = MembershipStatus.requested
    else:
        raise Forbidden(
            gettext(
                "Only the organisation that coordinates %(network)s may invite members; "
                "an organisation may ask to join for itself.",
                network=network.name,
            )
        )
    session.add(membership)
    session.flush()
    action = {
        MembershipStatus.active: "membership.create",
        MembershipStatus.invited: "membership.invite",
        MembershipStatus.requested: "membership.request",
    }[MembershipStatus(membership.status)]
    record(session, user, action, f"{network.slug}/{membership.id}", client=client)
    session.commit()
    session.refresh(membership)
    return membership


def change_member(
    session: Session,
    user: User,
    organisation_id: int,
    network: Network,
    membership: Membership,
    data: MemberIn,
    *,
    client: str | None = None,
) -> Membership:
    """The coordinator changes a membership; one that now gives its member more waits for
    the member's consent again (unless the coordinator is the member)."""
    _keep_own_coordination(session, user, membership)
    before = (
        membership.place_id,
        membership.organisation_id,
        membership.start_year,
        membership.end_year,
    )
    with session.no_autoflush:  # the duplicate check must not see the half-changed row
        _apply(session, membership, data)
    if _gives_more(before, membership) and not speaks_for_member(
        session, organisation_id, membership
    ):
        membership.status = MembershipStatus.invited
    session.add(membership)
    record(
        session,
        user,
        "membership.update",
        f"{network.slug}/{membership.id}",
        client=client,
        status=membership.status,
    )
    session.commit()
    session.refresh(membership)
    return membership


def accept_member(
    session: Session,
    user: User,
    organisation_id: int,
    network: Network,
    membership: Membership,
    *,
    client: str | None = None,
) -> Membership:
    """The other side accepts: the member an invitation, the coordinator a request."""
    if membership.status == MembershipStatus.active:
        raise Conflict(gettext("This membership is already active."))
    if not may_answer(session, organisation_id, network, membership):
        raise Forbidden(_answer_refusal(membership))
    was = membership.status
    membership.status = MembershipStatus.active
    session.add(membership)
    record(
        session,
        user,
        "membership.accept",
        f"{network.slug}/{membership.id}",
        client=client,
        was=was,
    )
    session.commit()
    session.refresh(membership)
    return membership


def decline_member(
    session: Session,
    user: User,
    organisation_id: int,
    network: Network,
    membership: Membership,
    *,
    client: str | None = None,
) -> None:
    """Say no: the member declines an invitation, withdraws its request or leaves; the
    coordinator declines a request or withdraws its invitation. The membership goes (the
    audit trail keeps what it was)."""
    member = speaks_for_member(session, organisation_id, membership)
    pending = membership.status != MembershipStatus.active
    if not (member or (pending and coordinates(session, organisation_id, network))):
        raise Forbidden(_answer_refusal(membership))
    if not pending:
        _keep_own_coordination(session, user, membership)
    record(
        session,
        user,
        "membership.decline",
        f"{network.slug}/{membership.id}",
        client=client,
        was=membership.status,
    )
    session.delete(membership)
    session.commit()


def answer_on_site(
    session: Session,
    user: User,
    membership_id: int,
    *,
    accept: bool,
    tag: str,
    client: str | None = None,
) -> Membership | None:
    """A signed-in member's answer for its organisation, from "Your networks": ``tag`` is
    the ETag of the membership as the page showed it, so nobody accepts changed terms."""
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound(gettext("There is no membership %(id)s.", id=membership_id))
    if user.organisation_id is None:
        raise Forbidden(_answer_refusal(membership))
    if tag != member_tag(membership):
        raise Conflict(gettext("The membership changed since you opened the page; read it again."))
    network = session.get(Network, membership.network_id)
    assert network is not None  # a membership's network goes with it (ON DELETE CASCADE)
    if accept:
        return accept_member(
            session, user, user.organisation_id, network, membership, client=client
        )
    decline_member(session, user, user.organisation_id, network, membership, client=client)
    return None


def _answer_refusal(membership: Membership) -> str:
    if membership.status == MembershipStatus.requested:
        return gettext("Only the network's coordinator answers a request to join.")
    if membership.place_id is not None:
        return gettext(
            "Only the place's own authority answers for it (or the network's coordinator, "
            "for a request)."
        )
    return gettext("Only the member organisation answers for it.")


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
