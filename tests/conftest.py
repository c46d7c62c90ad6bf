"""Fixtures: the seeded catalogue on SQLite and on a real PostgreSQL, an HTTP client, and a
live server with a real browser for the end-to-end tests.

Most tests take ``client`` and so run once per database; pytest orders them so each
database is migrated and seeded once.
"""

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import HTMX_VERSION, ROOT, get_settings
from app.db import get_engine
from tests import postgres
from tests.browser_checks import check_page

LOCAL_HTMX = f"/static/vendor/htmx-{HTMX_VERSION}.min.js"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if not postgres.available():
        pytest.fail("PostgreSQL's initdb/pg_ctl are missing: run `make test`, which installs them")
    with postgres.running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="interlocal-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def fresh_database(request: pytest.FixtureRequest, kind: str, name: str) -> str:
    """URL of a new, empty database of ``kind`` (sqlite or postgresql)."""
    if kind == "sqlite":
        root: Path = request.getfixturevalue("tmp_root")
        return f"sqlite:///{root / (name + '.db')}"
    return postgres.create_database(request.getfixturevalue("postgres_server"), name)


def use_database(url: str) -> None:
    """Point the application (settings and engine) at ``url``."""
    os.environ["INTERLOCAL_DATABASE_URL"] = url
    os.environ["INTERLOCAL_HTMX_URL"] = LOCAL_HTMX
    os.environ["INTERLOCAL_SEED_DIR"] = str(ROOT / "seed")
    # Every test request comes from one address; tests/test_rate_limits.py sets limits.
    os.environ["INTERLOCAL_RATE_LIMIT_ANONYMOUS"] = ""
    os.environ["INTERLOCAL_RATE_LIMIT_KEY"] = ""
    get_settings.cache_clear()
    get_engine.cache_clear()


_catalogues: dict[str, str] = {}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def catalogue(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database migrated to head and loaded with the seed; yields its URL."""
    from sqlmodel import Session

    from app.loaders.seed.writer import load_seed
    from app.migrations import upgrade

    # Made once per kind: pytest sets this fixture up again whenever a run switches between
    # SQLite and PostgreSQL tests (it does with pytest-xdist), and the catalogue carries on.
    url = _catalogues.get(request.param)
    if url is None:
        url = fresh_database(request, request.param, "catalogue")
        use_database(url)
        upgrade(url)
        with Session(get_engine()) as session:
            load_seed(session, ROOT / "seed")
        _catalogues[request.param] = url
    use_database(url)
    yield url
    get_engine().dispose()


@pytest.fixture
def engine(catalogue: str) -> Engine:
    use_database(catalogue)
    return get_engine()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def signed_out(client: TestClient) -> Iterator[TestClient]:
    client.cookies.clear()
    yield client
    client.cookies.clear()


class LiveServer:
    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine


@pytest.fixture(scope="session")
def live_server(tmp_root: Path) -> Iterator[LiveServer]:
    """The app served over real HTTP on loopback, on its own seeded SQLite database."""
    from sqlmodel import Session

    from app.loaders.seed.writer import load_seed
    from app.main import create_app
    from app.migrations import upgrade

    url = f"sqlite:///{tmp_root / 'live.db'}"
    use_database(url)
    upgrade(url)
    with Session(get_engine()) as session:
        load_seed(session, ROOT / "seed")
    app = create_app()
    # The live server keeps its own engine even when other fixtures repoint settings.
    from app.db import get_session, make_engine

    live_engine = make_engine(url)

    def live_session() -> Iterator[Session]:
        with Session(live_engine) as session:
            yield session

    app.dependency_overrides[get_session] = live_session
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    httpx.get(f"{base}/healthz").raise_for_status()
    yield LiveServer(base, live_engine)
    server.should_exit = True
    thread.join(timeout=10)
    live_engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is missing: run `make test`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class CheckedPages:
    """Pages that are checked (axe-core and language) when the test ends: each address the
    test opened, and the last state of each page (after its htmx swaps)."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.pages: list[Any] = []
        self.visited: dict[str, dict[str, Any]] = {}
        self.checked: set[str] = set()

    def check(self, page: Any, *, axe: bool = True) -> None:
        """Check ``page`` now (for a state the test is about to leave); ``axe=False`` skips
        the slower axe run for a page already checked with it in another language."""
        check_page(page, axe=axe)
        self.checked.add(page.url)

    def new_page(self, **context_options: Any) -> Any:
        context = self.browser.new_context(**context_options)
        self.contexts.append(context)
        page = context.new_page()
        # axe runs as a script in the page, so pages without JavaScript are checked by
        # opening their address again with it (the server sends the same markup).
        revisit_options = {k: v for k, v in context_options.items() if k != "java_script_enabled"}
        page.on(
            "framenavigated",
            lambda frame: (
                self.visited.setdefault(frame.url, revisit_options)
                if frame == page.main_frame
                else None
            ),
        )
        if context_options.get("java_script_enabled", True):
            self.pages.append(page)
        return page

    def check_all(self) -> None:
        for page in self.pages:
            if page.url not in self.checked:
                check_page(page)
            self.checked.add(page.url)
        for url, options in self.visited.items():
            if url.startswith("http") and "/api/" not in url and url not in self.checked:
                context = self.browser.new_context(**options)
                revisit = context.new_page()
                revisit.goto(url)
                check_page(revisit)
                context.close()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any) -> Iterator[CheckedPages]:
    """Open pages with ``pages.new_page()``; every page is checked at the end of the test."""
    checked = CheckedPages(browser)
    yield checked
    try:
        checked.check_all()
    finally:
        checked.close()


@pytest.fixture
def page(pages: CheckedPages) -> Any:
    """A checked page with JavaScript on, in English unless the test asks otherwise."""
    return pages.new_page(locale="en-GB")


@pytest.fixture
def page_without_js(pages: CheckedPages) -> Any:
    """A checked page with JavaScript off."""
    return pages.new_page(locale="en-GB", java_script_enabled=False)
