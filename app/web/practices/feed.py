"""What the Atom feeds of practices (``/practices.atom`` and any list's own, in
``routes.py``) are made of: the namespaces, how many entries, and their times."""

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

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
