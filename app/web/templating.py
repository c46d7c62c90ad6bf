"""Jinja2 set-up and the one place that decides between a full page and an htmx fragment."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.config import get_settings
from app.countries import country_name

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]

_EN = Locale("en")


def display_country(code: str) -> str:
    return country_name(code) or code


def language_name(code: str) -> str:
    return str(_EN.languages.get(code, code))


templates.env.filters["country_name"] = display_country
templates.env.filters["language_name"] = language_name
templates.env.globals["settings"] = get_settings


def is_partial(request: Request) -> bool:
    """An htmx request that wants a fragment (not a boosted or history-restore request)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def query_url(path: str, params: list[tuple[str, str]], **changes: str | None) -> str:
    """``path`` with ``params``, replacing the keys in ``changes`` (None drops a key)."""
    kept = [(k, v) for k, v in params if k not in changes and v != ""]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return f"{path}?{urlencode(kept)}" if kept else path


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
    return response


def render_error(request: Request, status_code: int, detail: str) -> HTMLResponse:
    return render(
        request,
        "errors/error.html",
        {"status_code": status_code, "detail": detail},
        status_code=status_code,
    )
