"""Checks every browser test applies to every page it opens (see the ``page`` fixtures).

- axe-core (the npm package, fetched by ``tests/fetch_tools.py``) finds no WCAG 2.2 A/AA
  violation;
- the page declares a supported language, offers the language switcher, and every
  internal link carries that language, so a copied link keeps it.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.i18n import LANGUAGES, gettext, set_language
from tests.fetch_tools import path_of

AXE_PATH = path_of("axe-core")

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Widgets drawn by others' code that we cannot change, left out of the check (README,
# Accessibility): Swagger UI on /api/docs nests buttons and colours its method badges below
# the contrast AA asks for.
THIRD_PARTY = ["#swagger-ui"]


def axe_source() -> str:
    if not Path(AXE_PATH).exists():
        raise RuntimeError("axe-core is missing: run `make test` (tests/fetch_tools.py fetches it)")
    return Path(AXE_PATH).read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the pages' Content-Security-Policy
        # (no inline scripts) would block a <script> element added to them.
        page.evaluate(axe_source() + "\n;undefined")
    result = page.evaluate(
        "async ([tags, excluded]) => await axe.run("
        "{include: [['html']], exclude: excluded.map((s) => [s])},"
        " {runOnly: {type: 'tag', values: tags}})",
        [AXE_TAGS, THIRD_PARTY],
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def language_problems(page: Any) -> list[str]:
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang not in LANGUAGES:
        problems.append(f"<html lang={lang!r}> is not one of {LANGUAGES}")
    asked = parse_qs(urlsplit(page.url).query).get("lang")
    if asked and asked[0] in LANGUAGES and asked[0] != lang:
        problems.append(f"asked for lang={asked[0]} but the page is in {lang}")
    switcher = page.locator("nav.languages a[hreflang]")
    if sorted(switcher.evaluate_all("links => links.map(a => a.hreflang)")) != sorted(LANGUAGES):
        problems.append("the language switcher does not offer every language")
    hrefs = page.evaluate(
        "Array.from(document.querySelectorAll('a[href^=\"/\"]:not([hreflang]), form[method=get]'))"
        ".map(e => e.localName === 'a' ? e.getAttribute('href') : "
        "'form:' + (e.getAttribute('action') || '').split('?')[0] + '?' + "
        "(e.querySelector('input[name=lang]') ? 'lang=' + e.querySelector('input[name=lang]')"
        ".value : ''))"
    )
    for href in hrefs:
        target = href.removeprefix("form:")
        if target.startswith(("/static/", "/api/")) or target.startswith("#"):
            continue
        if parse_qs(urlsplit(target).query).get("lang") != [lang]:
            problems.append(f"internal link {href!r} does not keep the language {lang}")
    return problems


def check_page(page: Any, *, axe: bool = True) -> None:
    """Fail with a readable list when the page has accessibility or language problems."""
    if "text/html" not in (page.evaluate("document.contentType") or ""):
        return
    problems = language_problems(page)
    violations = axe_violations(page) if axe else []
    if violations:
        problems.append("axe: " + json.dumps(violations, indent=1, ensure_ascii=False))
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def gettext_in(language: str, message: str) -> str:
    """``message`` as the catalogue of ``language`` translates it."""
    set_language(language)
    try:
        return gettext(message)
    finally:
        set_language("en")


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{base}/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
