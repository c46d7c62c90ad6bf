"""Practices at the same place with nearly the same title (the duplicate check)."""

import difflib
import re
import unicodedata

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.models.places import Place
from app.models.practices import Practice, PracticeStatus
from app.permissions import Viewer, visible


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def similar_titles(
    session: Session,
    title: str,
    place_slug: str,
    viewer: Viewer,
    *,
    exclude_id: int | None = None,
    threshold: float = 0.8,
) -> list[Practice]:
    """Practices at the same place whose titles are nearly the same as ``title``: the ones
    ``viewer`` can see, and drafts of the viewer's own organisation."""
    wanted = normalise_title(title)
    if len(wanted) < 4:
        return []
    readable = and_(*visible(viewer))
    if viewer.organisation_id is not None:  # the viewer's own drafts count too
        readable = or_(readable, col(Practice.lead_organisation_id) == viewer.organisation_id)
    statement = (
        select(Practice)
        .join(Place, col(Place.id) == Practice.place_id)
        .where(Place.slug == place_slug, col(Practice.status) != PracticeStatus.archived, readable)
    )
    if exclude_id is not None:
        statement = statement.where(col(Practice.id) != exclude_id)
    found = []
    for practice in session.exec(statement):
        other = normalise_title(practice.title)
        ratio = difflib.SequenceMatcher(None, wanted, other).ratio()
        if ratio >= threshold or (len(wanted) >= 8 and (wanted in other or other in wanted)):
            found.append(practice)
    return found
