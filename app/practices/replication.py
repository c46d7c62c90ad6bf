"""The replication rung of the evidence ladder: a practice adapted in other places whose
adaptations recorded outcomes of their own.

It is computed from lineage and outcomes, never entered, so it climbs when an adaptation
elsewhere publishes a result and falls when that adaptation is withdrawn.
"""

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.models.practices import LineageKind, Outcome, Practice, PracticeLineage
from app.permissions import PUBLIC, Viewer, visible

_Origin = aliased(Practice)


def _replications(viewer: Viewer) -> Select[int, str, int]:
    """(origin id, adaptation slug, adaptation's place id) for each adaptation that counts:
    adapted from the origin (not only inspired by it), in another place, with an outcome
    of its own, and readable by ``viewer``."""
    return (
        select(PracticeLineage.origin_id, Practice.slug, Practice.place_id)
        .join(Practice, col(Practice.id) == PracticeLineage.practice_id)
        .join(_Origin, col(_Origin.id) == PracticeLineage.origin_id)
        .where(
            PracticeLineage.kind == LineageKind.adapted_from,
            col(Practice.place_id) != _Origin.place_id,
            exists().where(col(Outcome.practice_id) == Practice.id),
            *visible(viewer),
        )
    )


def replications(session: Session, origin_id: int, viewer: Viewer = PUBLIC) -> set[str]:
    """The slugs of the adaptations that replicate the practice ``origin_id``."""
    rows = session.exec(_replications(viewer).where(PracticeLineage.origin_id == origin_id))
    return {adaptation for _origin, adaptation, _place in rows}


def replicated_ids(session: Session, viewer: Viewer = PUBLIC) -> list[int]:
    """The practices replicated in at least one other place, as ``viewer`` sees them."""
    return sorted({origin for origin, _adaptation, _place in session.exec(_replications(viewer))})
