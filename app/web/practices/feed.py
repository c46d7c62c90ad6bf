"""What the Atom feeds of practices (``/practices.atom`` and any list's own, in
``routes.py``) are made of: the namespace, how many entries, and their times."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.models.practices import Practice

ATOM = "http://www.w3.org/2005/Atom"


ENTRIES = 50


ET.register_namespace("", ATOM)  # Atom as the default namespace: <feed>, not <ns0:feed>


def iso_moment(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def published_moment(practice: Practice) -> datetime:
    # Practices loaded from the reports have no publication date: their loading is it.
    return practice.published_at or practice.created_at
