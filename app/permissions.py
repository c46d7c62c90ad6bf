"""Who may see and do what: the viewer a request reads as, which practices it may see,
and who may create or edit practices or moderate. These rules have no other home; the
pages and the API turn a refusal into their own errors.

The public sees published, public practices. A network-only practice ("safe space" for
candid lessons and failures) is also shown to signed-in members of the networks its lead
place or lead body belongs to, to its own organisation, and to moderators. Every query that
lists, counts or reads practices filters with ``visible(viewer)``, so there is one rule to
keep right.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Subquery, false, or_, union
from sqlmodel import Session, col, select

from app.models.accounts import User
from app.models.places import Membership, Network, Organisation
from app.models.practices import Practice, PracticePartner, PracticeStatus, Visibility


@dataclass(frozen=True)
class Viewer:
    """What visibility depends on, worked out once per request."""

    organisation_id: int | None = None
    moderator: bool = False
    networks: tuple[int, ...] = ()


PUBLIC = Viewer()


def practice_networks() -> Subquery:
    """(practice_id, network_id) for the networks of each practice's lead place or lead
    body."""
    by_place: Any = select(col(Practice.id).label("practice_id"), Membership.network_id).join(
        Membership, col(Membership.place_id) == Practice.place_id
    )
    by_lead: Any = select(col(Practice.id).label("practice_id"), Membership.network_id).join(
        Membership, col(Membership.organisation_id) == Practice.lead_organisation_id
    )
    return union(by_place, by_lead).subquery("practice_network")


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
    member_of = col(Membership.organisation_id) == user.organisation_id
    if place_id is not None:
        member_of = or_(member_of, col(Membership.place_id) == place_id)
    networks = session.exec(select(Membership.network_id).where(member_of).distinct()).all()
    return Viewer(organisation_id=user.organisation_id, networks=tuple(sorted(networks)))


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
    a member publishes for its own organisation, and an edit keeps the lead it had."""
    if is_moderator(user):
        return None
    return {
        user.organisation_id,
        practice.lead_organisation_id if practice else user.organisation_id,
    }


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
    this_year = date.today().year
    found = session.exec(
        select(Membership.id).where(
            Membership.network_id == network.id,
            Membership.organisation_id == organisation_id,
            Membership.role == "coordinator",
            or_(col(Membership.end_year).is_(None), col(Membership.end_year) >= this_year),
        )
    ).first()
    return found is not None
