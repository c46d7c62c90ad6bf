"""A practice on one page: the summary's context, and the same page as a PDF.

The PDF is the HTML summary typeset by WeasyPrint, with the stylesheet inlined and every
other fetch refused, so that a link or picture in a practice cannot make the server
request anything. It is tagged (PDF/UA-1), so screen readers can read it too.
"""

from datetime import date
from typing import Any

from fastapi import Request
from sqlmodel import Session

from app.errors import AppError
from app.i18n import _
from app.practices.schemas import PracticeDetail
from app.requests import site_url
from app.vocabularies.queries import list_schemes
from app.web.static_files import STATIC_DIR
from app.web.templating import templates

STYLESHEET = STATIC_DIR / "one-pager.css"


class PdfUnavailable(AppError):
    status_code = 503


def summary_context(request: Request, session: Session, practice: PracticeDetail) -> dict[str, Any]:
    return {
        "practice": practice,
        "page_url": site_url(request) + practice.url,
        "scheme_labels": {s.scheme: s.label for s in list_schemes(session)},
        "today": date.today(),
    }


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the summary fetches nothing: {url}")


def summary_pdf(request: Request, context: dict[str, Any]) -> bytes:
    """The one-page summary as a tagged PDF."""
    try:
        from weasyprint import HTML  # Pango is a system library: a host may lack it
    except OSError as error:
        raise PdfUnavailable(
            _(
                "this server cannot make PDFs (%(reason)s); print the summary page instead",
                reason=str(error).splitlines()[0],
            )
        ) from error
    page = templates.env.get_template("practices/summary_document.html").render(
        {**context, "request": request, "stylesheet": STYLESHEET.read_text(encoding="utf-8")}
    )
    document = HTML(string=page, url_fetcher=_refuse)
    return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
