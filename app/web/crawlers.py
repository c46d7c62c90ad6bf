"""What search engines and other crawlers are told besides each page's canonical address
(``templating.page_addresses``): ``robots.txt`` and the sitemaps.

Every list can be filtered by a dozen facets in six languages, an endless space of
addresses that repeat the same practices. So robots.txt keeps crawlers out of filtered
lists, and the sitemaps list each practice, place and network once per language, with its
address in the other languages.
"""

from xml.etree import ElementTree as ET

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session

from app import i18n
from app.opendata import sitemaps
from app.requests import site_url
from app.schemas import as_utc
from app.web.deps import SessionDep
from app.web.templating import query_url

router = APIRouter()

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
ET.register_namespace("", SITEMAP)
ET.register_namespace("xhtml", XHTML)

# The site's own pages, in every language's sitemap besides the catalogue's.
SITE_PAGES = (
    "/",
    "/practices",
    "/places",
    "/networks",
    "/peers",
    "/vocabularies",
    "/data",
    "/developers",
)

# Lists and searches whose query strings only filter: crawlers read them unfiltered, in
# each language (``lang`` comes last in the site's own links, see ``templating.query_url``).
FILTERED = ("/practices", "/places", "/networks")
PRIVATE = (
    "/my/",
    "/admin/",
    "/moderation",
    "/login",
    "/logout",
    "/password/",
    "/account/",
    "/embed/",
    "/api/",
    "/practices/new",
    "/peers?",
    "/compare?",
    "/practices.atom?",
)


def _address(site: str, path: str, language: str | None) -> str:
    return site + query_url(path, [], lang=language)


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(request: Request) -> str:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in PRIVATE]
    for path in FILTERED:
        lines += [f"Disallow: {path}?", f"Allow: {path}?lang="]
    lines += ["", f"Sitemap: {site_url(request)}/sitemap.xml"]
    return "\n".join(lines) + "\n"


def _xml(root: ET.Element) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/xml; charset=utf-8")


def _files(session: Session) -> list[str]:
    names = ["site"]
    for kind in sitemaps.KINDS:
        names += [f"{kind}-{n}" for n in range(1, sitemaps.pages(session, kind) + 1)]
    return names


@router.get("/sitemap.xml", response_class=Response)
def sitemap_index(request: Request, session: SessionDep) -> Response:
    """The sitemaps: the site's pages and the catalogue's, in each language."""
    site = site_url(request)
    root = ET.Element(f"{{{SITEMAP}}}sitemapindex")
    for language in i18n.LANGUAGES:
        for name in _files(session):
            entry = ET.SubElement(root, f"{{{SITEMAP}}}sitemap")
            ET.SubElement(
                entry, f"{{{SITEMAP}}}loc"
            ).text = f"{site}/sitemaps/{language}/{name}.xml"
    return _xml(root)


@router.get("/sitemaps/{language}/{name}.xml", response_class=Response)
def sitemap(request: Request, session: SessionDep, language: str, name: str) -> Response:
    """One language's addresses of the site's pages (``site``) or of a page of practices,
    places or networks (``practices-1``), each with its other languages."""
    if language not in i18n.LANGUAGES or name not in _files(session):
        raise HTTPException(404, "There is no such sitemap.")
    if name == "site":
        found = [sitemaps.Entry(path, None) for path in SITE_PAGES]
    else:
        kind, _dash, page = name.rpartition("-")
        found = sitemaps.entries(session, kind, int(page))  # type: ignore[arg-type]
    site = site_url(request)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for entry in found:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = _address(site, entry.path, language)
        if entry.changed:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = as_utc(entry.changed).isoformat()
        for code in (*i18n.LANGUAGES, None):
            ET.SubElement(
                url,
                f"{{{XHTML}}}link",
                rel="alternate",
                hreflang=code or "x-default",
                href=_address(site, entry.path, code),
            )
    return _xml(root)
