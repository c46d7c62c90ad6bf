"""The main pages are valid HTML as the Nu HTML Checker (the W3C's, run locally from the npm
package vnu-jar, with Java) reads them: no error."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.fetch_tools import path_of

MAIN_PAGES = [
    "/",
    "/practices",
    "/practices?q=rumour&country=ES",
    "/practices/barcelona-anti-rumour-strategy",
    "/places",
    "/places/barcelona",
    "/peers?place=hackney",
    "/compare?a=spain&b=italy",
    "/networks",
    "/networks/inclusive-cities",
    "/vocabularies",
    "/evidence",
    "/insights",
    "/dilemmas",
    "/data",
    "/developers",
    "/api/docs",
    "/login",
    "/account/request",
    "/practices/no-such-practice",
]


def nu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors in ``pages`` (address -> HTML), as "address:line: message"."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: run `make test`, which installs it")
    files = {}
    for i, (address, html) in enumerate(pages.items()):
        files[f"page-{i}.html"] = address
        (folder / f"page-{i}.html").write_text(html, encoding="utf-8")
    checked = subprocess.run(
        [
            java,
            "-jar",
            str(path_of("vnu-jar")),
            "--errors-only",
            "--format",
            "json",
            *(str(folder / name) for name in files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    return [
        f"{files[Path(m.get('url', '')).name]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


def test_the_main_pages_are_valid_html(client: TestClient, tmp_path: Path) -> None:
    """In English and in Hungarian (the longest words), in one run of the checker."""
    pages = {}
    for language in ("en", "hu"):
        for address in MAIN_PAGES:
            separator = "&" if "?" in address else "?"
            url = f"{address}{separator}lang={language}"
            response = client.get(url)
            assert response.headers["content-type"].startswith("text/html"), url
            pages[url] = response.text
    assert nu_errors(pages, tmp_path) == []


def test_the_checker_finds_an_error(tmp_path: Path) -> None:
    broken = "<!doctype html><html lang=en><title>x</title><p hx-get=/x>unclosed <b>bold</p>"
    errors = nu_errors({"/broken": broken}, tmp_path)
    assert any("hx-get" in e for e in errors), errors
