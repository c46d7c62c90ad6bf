"""Who may see and do what: the viewer a request reads as, which practices it may see,
and who may create or edit practices or moderate. These rules have no other home; the
pages and the API turn a refusal into their own errors.

The public sees published, public practices. A network-only practice ("safe space" for
candid lessons and failures) is also shown to signed-in members of the networks its lead
place or lead body belongs to, to its own organisation, and to moderators. Every query that
lists, counts or reads practices filters with ``visible(viewer)``, so there is one rule to
keep right; ``sees_revision`` applies it to a past revision. Only memberships that both
sides accepted and that run this year count (``current_membership``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, false, or_, union
from sqlmodel import Session, col, select

from app.models.accounts import User
from app.models.places import Membership, MembershipStatus, Network, Organisation, Place
from app.models.practices import Practice, PracticePartner, PracticeStatus, Visibility


@dataclass(frozen=True)
class Viewer:
    """What visibility depends on, worked out once per request."""

    organisation_id: int | None = None
    moderator: bool = False
    networks: tuple[int, ...] = ()


PUBLIC = Viewer()


def current_membership() -> list[ColumnElement[bool]]:
    """Conditions on ``Membership`` for the memberships that count today: accepted by both
    sides (an invitation or a request grants nothing), begun and not ended. The one rule for
    every decision that memberships take part in."""
    year = date.today().year
    return [
        col(Membership.status) == MembershipStatus.active,
        or_(col(Membership.start_year).is_(None), col(Membership.start_year) <= year),
        or_(col(Membership.end_year).is_(None), col(Membership.end_year) >= year),
    ]


def practice_networks(among: Any = None) -> Subquery:
    """(practice_id, network_id) for the networks each practice's lead place or lead body
    currently belongs to; of the practices ``among`` (ids, or a query of them) when given,
    which the database cannot narrow the union to by itself (SQLite computed it for every
    practice: 20 ms at 50,000, for one practice's page)."""
    chosen = [] if among is None else [col(Practice.id).in_(among)]

    def members(joined: ColumnElement[bool]) -> Any:
        return (
            select(col(Practice.id).label("practice_id"), Membership.network_id)
            .join(Membership, and_(joined, *current_membership()))
            .where(*chosen)
        )

    by_place = members(col(Membership.place_id) == Practice.place_id)
    by_lead = members(col(Membership.organisation_id) == Practice.lead_organisation_id)
    return union(by_place, by_lead).subquery("practice_network")


def member_networks(
    session: Session, organisation_id: int | None, place_id: int | None
) -> tuple[int, ...]:
    """The networks an organisation (or a practice's lead) currently belongs to, directly
    or through its place."""
    member_of: list[ColumnElement[bool]] = []
    if organisation_id is not None:
        member_of.append(col(Membership.organisation_id) == organisation_id)
    if place_id is not None:
        member_of.append(col(Membership.place_id) == place_id)
    if not member_of:
        return ()
    networks = session.exec(
        select(Membership.network_id).where(or_(*member_of), *current_membership()).distinct()
    ).all()
    return tuple(sorted(networks))


def viewer_for(session: Session, user: User | None) -> Viewer:
    if user is None or not user.is_active:
        return PUBLIC
    if is_moderator(user):
        return Viewer(organisation_id=user.organisation_id, moderator=True)
    if user.organisation_id is None:
        return PUBLIC
    place_id = session.exec(
        select(Organisation.place_id).where(Organisation.id == user.organisation_id)
    ).first()
    networks = member_networks(session, user.organisation_id, place_id)
    return Viewer(organisation_id=user.organisation_id, networks=networks)


def visible(viewer: Viewer = PUBLIC) -> list[ColumnElement[bool]]:
    """Conditions on ``Practice`` for the practices ``viewer`` may read."""
    published = col(Practice.status) == PracticeStatus.published
    if viewer.moderator:
        return [published]
    allowed: list[ColumnElement[bool]] = [col(Practice.visibility) == Visibility.public]
    if viewer.organisation_id is not None:
        allowed.append(col(Practice.lead_organisation_id) == viewer.organisation_id)
    if viewer.networks:
        links = practice_networks()
        allowed.append(
            col(Practice.id).in_(
                select(links.c.practice_id).where(links.c.network_id.in_(viewer.networks))
            )
        )
    return [published, or_(false(), *allowed)]


def sees_revision(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> bool:
    """Whether ``viewer`` could read a practice as a published revision had it (``data``,
    a ``PracticeIn`` dump): the rule of ``visible`` applied to the revision's own
    visibility, place and lead, so that text once shared with members only stays theirs."""
    if viewer.moderator or data.get("visibility") != Visibility.network:
        return True
    lead_id = _id_of(session, Organisation, data.get("lead_organisation"))
    if viewer.organisation_id is not None and lead_id == viewer.organisation_id:
        return True
    if not viewer.networks:
        return False
    place_id = _id_of(session, Place, data.get("place"))
    return bool(set(viewer.networks) & set(member_networks(session, lead_id, place_id)))


def _id_of(session: Session, model: type[Organisation | Place], slug: Any) -> int | None:
    if not slug:
        return None
    return session.exec(select(model.id).where(model.slug == str(slug))).first()


def is_moderator(user: User | None) -> bool:
    """Moderators curate everything; administrators may do all a moderator may."""
    return user is not None and user.role in ("moderator", "admin")


def is_admin(user: User | None) -> bool:
    """Only administrators manage accounts, API keys and trusted organisations."""
    return user is not None and user.role == "admin"


def may_create_practice(user: User | None) -> bool:
    """Moderators write for anyone; a member writes for its organisation, so needs one."""
    return is_moderator(user) or (user is not None and user.organisation_id is not None)


def leads_it_may_name(user: User, practice: Practice | None) -> set[int | None] | None:
    """The organisations ``user`` may name as a practice's lead (None: any, for moderators):
    a member publishes for its own organisation, and an edit keeps the lead it had. The lead
    decides who edits the practice, so only a moderator moves it (a partner naming itself
    would take the practice over)."""
    if is_moderator(user):
        return None
    return {practice.lead_organisation_id if practice else user.organisation_id}


def may_edit_practice(session: Session, user: User | None, practice: Practice) -> bool:
    """Moderators edit any practice; a member edits those its organisation leads or partners."""
    if user is None:
        return False
    if is_moderator(user):
        return True
    if user.organisation_id is None:
        return False
    if practice.lead_organisation_id == user.organisation_id:
        return True
    partner = session.exec(
        select(PracticePartner.id).where(
            PracticePartner.practice_id == practice.id,
            PracticePartner.organisation_id == user.organisation_id,
        )
    ).first()
    return partner is not None


def coordinates(session: Session, organisation_id: int, network: Network) -> bool:
    """Whether the organisation currently coordinates ``network``: only then may it change
    the network's members (membership decides who sees members-only practices)."""
    found = session.exec(
        select(Membership.id).where(
            Membership.network_id == network.id,
            Membership.organisation_id == organisation_id,
            Membership.role == "coordinator",
            *current_membership(),
        )
    ).first()
    return found is not None


def speaks_for_member(session: Session, organisation_id: int, membership: Membership) -> bool:
    """Whether the organisation consents for the membership's member: the member
    organisation itself or, for a member place, that place's own authority (an organisation
    of type ``lra`` based there), which answers for the practices filed at its place."""
    if membership.organisation_id is not None:
        return membership.organisation_id == organisation_id
    if membership.place_id is None:
        return False
    found = session.exec(
        select(Organisation.id).where(
            Organisation.id == organisation_id,
            Organisation.place_id == membership.place_id,
            Organisation.type == "lra",
        )
    ).first()
    return found is not None


def may_answer(
    session: Session, organisation_id: int, network: Network, membership: Membership
) -> bool:
    """Whether the organisation may accept or decline a pending membership: the member
    answers an invitation, the coordinator a request."""
    if membership.status == MembershipStatus.invited:
        return speaks_for_member(session, organisation_id, membership)
    if membership.status == MembershipStatus.requested:
        return coordinates(session, organisation_id, network)
    return False
