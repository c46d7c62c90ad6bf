"""Atom feeds of newly published practices: of the whole catalogue (/practices.atom), and
of any search or filter set of the list (the same query parameters)."""

from datetime import UTC, datetime
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Query, Request, Response

from app.auth import ViewerDep
from app.config import get_settings
from app.db import SessionDep
from app.i18n import _
from app.models import Practice
from app.queries.practices import PracticeQuery, newest_practices
from app.requests import site_url
from app.web.templating import query_url

router = APIRouter()
ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
ET.register_namespace("", ATOM)  # Atom as the default namespace: <feed>, not <ns0:feed>


def _iso(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _published(practice: Practice) -> datetime:
    # Practices loaded from the reports have no publication date: their loading is it.
    return practice.published_at or practice.created_at


@router.get("/practices.atom", response_class=Response)
def practices_feed(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    query: Annotated[PracticeQuery, Query()],
) -> Response:
    """The 50 practices published last among those the list's query matches, newest first."""
    site = site_url(request)
    newest = newest_practices(session, query, viewer, limit=ENTRIES)
    params = list(request.query_params.multi_items())
    self_url = site + query_url("/practices.atom", params)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{get_settings().site_name}: {_('Practices')}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(
        _published(newest[0][0]) if newest else None
    )
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    alternate = site + query_url("/practices", params)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=alternate)
    for practice, summary in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = f"{site}{summary.url}"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = summary.title
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(_published(practice))
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(practice.updated_at)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        lead = summary.lead_organisation
        ET.SubElement(author, f"{{{ATOM}}}name").text = lead.name if lead else summary.place.name
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary.summary
        for term in summary.terms.get("activity-type", []):
            ET.SubElement(entry, f"{{{ATOM}}}category", term=term.code, label=term.label)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
