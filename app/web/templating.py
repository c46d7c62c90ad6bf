"""Jinja2 set-up and the one place that decides between a full page and an htmx fragment."""

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import starlette
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket
from markupsafe import Markup

from app import i18n
from app.config import get_settings
from app.countries import country_name
from app.models.design import GROUPS, PROMPTS
from app.permissions import is_moderator
from app.requests import site_url
from app.web import csrf
from app.web.static_files import HTMX_FALLBACK, static_url


class _BytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept in a private directory of the system's temporary one
    (Jinja's default: made with mode 0700, refused if another user owns it), so that a new
    worker loads them instead of compiling them again: all fifty templates take 0.6 to 0.8 s
    to compile and 15 ms to load, each page's first render in a worker 30 to 50 ms. It
    does nothing for later requests, which use the templates already in memory.

    Jinja checks a template's source and its own version, not how the environment
    compiles (extensions, autoescape): the files' names carry a digest of this module,
    where the environment is set up, and of Starlette's version, whose defaults it uses."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full disk: the page is rendered all the same
            super().dump_bytecode(bucket)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    try:
        setup = Path(__file__).read_bytes() + starlette.__version__.encode()
        return _BytecodeCache(pattern=f"interlocal-{hashlib.sha256(setup).hexdigest()[:12]}-%s")
    except (OSError, RuntimeError):  # no private temporary directory: compile each time
        return None


templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
templates.env.bytecode_cache = _bytecode_cache()
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.template_gettext, i18n.template_ngettext, newstyle=True
)


def display_country(code: str) -> str:
    return country_name(code, i18n.get_language()) or code


def href(path: str, **params: str | None) -> str:
    """An internal link that keeps the reader's language (and sets ``params``).

    Every link a page renders goes through here or ``query_url``, so a copied or shared
    address opens in the language it was copied in.
    """
    parts = urlsplit(path)
    return query_url(parts.path, parse_qsl(parts.query), **params)


def query_url(path: str, params: list[tuple[str, str]], **changes: str | None) -> str:
    """``path`` with ``params``, replacing the keys in ``changes`` (None drops a key).

    The current language is always carried as ``lang``, last: what comes before it filters
    the page, which robots.txt reads (``crawlers``).
    """
    changes = {**changes, "lang": changes.get("lang", i18n.get_language())}
    kept = [(k, v) for k, v in params if k not in changes and v != ""]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return f"{path}?{urlencode(kept)}" if kept else path


# The parameters that name a page rather than filter it, by path: a peer search is about
# its place, a comparison about its two. Every other parameter is left out of a page's
# canonical address, so that a filtered list points crawlers to the whole list.
IDENTIFYING = {"/peers": ("place",), "/compare": ("a", "b")}


@dataclass(frozen=True)
class Addresses:
    canonical: str
    alternates: list[tuple[str, str]]  # (hreflang, absolute address); x-default last


def page_addresses(request: Request) -> Addresses:
    """This page's canonical address and its address in each language, all absolute;
    ``x-default`` (no language) lets the site choose the reader's."""
    site, path = site_url(request), request.url.path
    names = IDENTIFYING.get(path, ())
    params = [(k, v) for k, v in request.query_params.multi_items() if k in names]
    alternates = [(code, site + query_url(path, params, lang=code)) for code in i18n.LANGUAGES]
    alternates.append(("x-default", site + query_url(path, params, lang=None)))
    return Addresses(site + query_url(path, params), alternates)


def signed_in_user(request: Request) -> Any:
    """The user ``app.web.deps.current_user`` found for this request, if any (None on errors
    raised before the page's dependencies ran)."""
    return getattr(request.state, "user", None)


def switch_language(request: Request, language: str) -> str:
    """The address of this page in another language."""
    return query_url(request.url.path, list(request.query_params.multi_items()), lang=language)


templates.env.filters.update(
    country_name=display_country,
    language_name=i18n.language_name,
    number=i18n.format_number,
    share=i18n.format_share,
    date=i18n.format_date,
)
templates.env.globals.update(
    settings=get_settings,
    href=href,
    switch_language=switch_language,
    page_addresses=page_addresses,
    get_language=i18n.get_language,
    native_name=i18n.native_name,
    LANGUAGES=i18n.LANGUAGES,
    csrf_token=csrf.csrf_token,
    signed_in_user=signed_in_user,
    is_moderator=is_moderator,
    static_url=static_url,
    HTMX_FALLBACK=Markup(HTMX_FALLBACK),  # ours, constant, allowed by its hash
    # The design profile's prompts by group, for its form and wherever it is shown.
    DESIGN_GROUPS=[(g, [p for p in PROMPTS if p.group == g.code]) for g in GROUPS],
)


def is_partial(request: Request) -> bool:
    """An htmx request that wants a fragment (not a boosted or history-restore request)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    page: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    name = fragment if fragment and is_partial(request) else page
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    csrf.set_cookie(request, response)
    return response


def render_error(request: Request, status_code: int, detail: str) -> HTMLResponse:
    return render(
        request,
        "errors/error.html",
        {"status_code": status_code, "detail": detail},
        status_code=status_code,
    )
