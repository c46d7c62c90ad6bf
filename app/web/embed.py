"""The widget partners embed: the latest practices of a network (or of any filter set of the
practice list) as a small document for an ``<iframe>`` on their own site, and the one-line
snippet that embeds it, shown on each network's page.

The widget is anonymous: it shows what the public sees, whoever's cookies the frame carries.
Any site may frame it (``app.web.framing.FramingMiddleware``); its links open Interlocal in a new
tab rather than inside the frame.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape
from pydantic import Field

from app.config import get_settings
from app.i18n import _
from app.permissions import PUBLIC
from app.places.queries import get_network
from app.practices.filters import PracticeQuery
from app.practices.listing import newest_practices
from app.requests import site_url
from app.web.deps import SessionDep
from app.web.templating import href, query_url, render

router = APIRouter()

PREFIX = "/embed/"
PATH = "/embed/practices"
HEIGHT = 460


class EmbedQuery(PracticeQuery):
    """The practice list's filters; the widget always shows the newest published first."""

    limit: int = Field(default=5, ge=1, le=20, description="Practices shown (1–20).")


def is_embed(path: str) -> bool:
    """Whether ``path`` is part of the widget (frameable by any site, errors in its style)."""
    return path.startswith(PREFIX)


def embed_snippet(site: str, network_slug: str, network_name: str) -> str:
    """The HTML a partner pastes to show ``network_slug``'s latest practices (no ``lang``:
    the widget then speaks each visitor's browser language)."""
    src = f"{site}{PATH}?{urlencode({'network': network_slug})}"
    title = _(
        "%(network)s: latest practices on %(site)s",
        network=network_name,
        site=get_settings().site_name,
    )
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" '
        f'height="{HEIGHT}" style="border:0" loading="lazy"></iframe>'
    )


@router.get(PATH, response_class=HTMLResponse)
def embed_practices(
    request: Request, session: SessionDep, query: Annotated[EmbedQuery, Query()]
) -> HTMLResponse:
    """The ``limit`` practices published last that the list's filters match, public ones
    only; an invalid filter raises (and ``app.main`` answers with ``render_embed_error``)."""
    newest = newest_practices(session, query, PUBLIC, limit=query.limit)
    networks = [get_network(session, slug).name for slug in dict.fromkeys(query.network)]
    site = site_url(request)
    chosen = query.active_filters()
    filters = [("q", query.q or "")] + [
        (name, value) for name, values in chosen.items() for value in values
    ]
    return render(
        request,
        "embed/practices.html",
        {
            "practices": [summary for _practice, summary in newest],
            "networks": networks,
            "site": site,
            "more_url": site + query_url("/practices", filters),
        },
    )


def render_embed_error(request: Request, status_code: int, detail: str) -> HTMLResponse:
    """An error of the widget, as a small frameable document rather than a site page."""
    return render(
        request,
        "embed/error.html",
        {
            "status_code": status_code,
            "detail": detail,
            "home_url": site_url(request) + href("/practices"),
        },
        status_code=status_code,
    )
