"""The data dictionary page: every field of the open data and every vocabulary."""

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from app.opendata.dictionary import data_dictionary
from app.opendata.exports import SEPARATOR
from app.web.deps import SessionDep
from app.web.templating import render

router = APIRouter()

_BACKTICKS = re.compile(r"`([^`]+)`")


def code_spans(text: str) -> Markup:
    """Plain text with ``code`` between backticks, as HTML (the text escaped)."""
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", str(escape(text))))


@router.get("/data", response_class=HTMLResponse)
def data_dictionary_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "data.html",
        {
            "dictionary": data_dictionary(session),
            "code_spans": code_spans,
            "separator": SEPARATOR,
        },
    )
