"""For developers: the partner guide as a page of the site, and the API reference (Swagger
UI, served from our own origin) inside the site's frame."""

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.requests import site_url
from app.web.framing import docs_policy
from app.web.static_files import static_url
from app.web.templating import render

router = APIRouter()

GUIDE = Path(__file__).resolve().parent.parent / "content" / "partner-guide.md"
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
# The address the guide's examples use for the site; its page shows the site's own.
EXAMPLE_SITE = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Guide:
    html: Markup
    sections: list[tuple[str, str]]  # (anchor, heading) of each section, in order


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@lru_cache(maxsize=8)
def guide(site: str) -> Guide:
    """The guide as HTML (raw HTML in it escaped), its sections anchored, its examples
    aimed at ``site``."""
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse(GUIDE.read_text(encoding="utf-8").replace(EXAMPLE_SITE, site))
    sections = []
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open":
            anchor = _anchor(inline.content)
            opening.attrSet("id", anchor)
            if opening.tag == "h2":
                sections.append((anchor, inline.content))
    html = markdown.renderer.render(tokens, markdown.options, {})
    return Guide(Markup(html), sections)  # ours, rendered with raw HTML escaped


@router.get("/developers", response_class=HTMLResponse)
def developers(request: Request) -> HTMLResponse:
    return render(request, "developers/guide.html", {"guide": guide(site_url(request))})


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI inside the site's frame; its scripts and styles from our own origin, so
    that the reference works for hosts without internet."""
    page = render(
        request,
        "developers/api_docs.html",
        {
            "swagger_js": static_url("swagger-ui-bundle.js", SWAGGER_UI, "/static/swagger-ui"),
            "swagger_css": static_url("swagger-ui.css", SWAGGER_UI, "/static/swagger-ui"),
        },
    )
    page.headers["Content-Security-Policy"] = docs_policy()
    return page
