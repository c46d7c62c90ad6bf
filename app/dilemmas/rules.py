"""Who may read and write a dilemma.

An organisation's own members read and write all of its dilemmas. Others read one only once
a moderator has published it: members of a network the organisation belongs to (directly or
through its place) when it is shared with networks, everyone when it is public. Moderators
read what is shared or waiting to be, never what an organisation keeps private.
"""

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import col, select

from app.models.accounts import User
from app.models.dilemmas import Dilemma, DilemmaState, DilemmaVisibility
from app.models.places import Membership, Organisation
from app.permissions import PUBLIC, Viewer, current_membership


def _in_networks(networks: tuple[int, ...]) -> ColumnElement[bool]:
    """The dilemma's organisation belongs to one of ``networks``, itself or by its place."""
    direct = select(Membership.organisation_id).where(
        col(Membership.network_id).in_(networks), *current_membership()
    )
    by_place = (
        select(Organisation.id)
        .join(Membership, col(Membership.place_id) == Organisation.place_id)
        .where(col(Membership.network_id).in_(networks), *current_membership())
    )
    return or_(col(Dilemma.organisation_id).in_(direct), col(Dilemma.organisation_id).in_(by_place))


def readable(viewer: Viewer = PUBLIC) -> ColumnElement[bool]:
    """The condition on ``Dilemma`` for those ``viewer`` may read."""
    published = col(Dilemma.state) == DilemmaState.published
    allowed: list[ColumnElement[bool]] = [
        published & (col(Dilemma.visibility) == DilemmaVisibility.public)
    ]
    if viewer.organisation_id is not None:
        allowed.append(col(Dilemma.organisation_id) == viewer.organisation_id)
    if viewer.networks:
        shared = col(Dilemma.visibility) == DilemmaVisibility.network
        allowed.append(published & shared & _in_networks(viewer.networks))
    if viewer.moderator:
        waiting = col(Dilemma.state).in_([DilemmaState.submitted, DilemmaState.published])
        allowed.append(waiting & (col(Dilemma.visibility) != DilemmaVisibility.private))
    return or_(false(), *allowed)


def may_write(user: User | None, dilemma: Dilemma | None = None) -> bool:
    """Members of an organisation record its dilemmas and change them."""
    if user is None or user.organisation_id is None:
        return False
    return dilemma is None or dilemma.organisation_id == user.organisation_id
