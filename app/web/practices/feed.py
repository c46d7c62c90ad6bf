"""The Atom feeds of practices (``/practices.atom`` and any list's own, routed in
``routes.py``): the document, how many entries, and their times."""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.i18n import get_language
from app.models.practices import Practice
from app.practices.schemas import PracticeSummary
from app.schemas import as_utc

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


ENTRIES = 50


ET.register_namespace("", ATOM)  # Atom as the default namespace: <feed>, not <ns0:feed>


# What XML 1.0 cannot hold. New text may not contain these (app.validation), but rows saved
# before that rule may, and one of them must not make the feed unreadable for everyone.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str | None) -> str | None:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text) if text else text


def iso_moment(moment: datetime | None) -> str:
    return as_utc(moment or datetime.now(UTC)).isoformat()


def atom_feed(
    site: str,
    self_url: str,
    alternate: str,
    title: str,
    newest: Sequence[tuple[Practice, PracticeSummary]],
) -> bytes:
    """An Atom document of ``newest`` (practices with their summaries, newest first)."""
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: get_language()})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = iso_moment(
        max((practice.updated_at for practice, _summary in newest), default=None)
    )
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=alternate)
    for practice, summary in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry", {XML_LANG: summary.language})
        url = f"{site}{summary.url}"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = xml_text(summary.title)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        if practice.published_at:  # none for a practice from a report without a date
            ET.SubElement(entry, f"{{{ATOM}}}published").text = iso_moment(practice.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = iso_moment(practice.updated_at)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        lead = summary.lead_organisation
        name = lead.name if lead else summary.place.name
        ET.SubElement(author, f"{{{ATOM}}}name").text = xml_text(name)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = xml_text(summary.summary)
        for term in summary.terms.get("activity-type", []):
            label = xml_text(term.label) or ""
            ET.SubElement(entry, f"{{{ATOM}}}category", term=term.code, label=label)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
