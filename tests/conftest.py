"""Fixtures: the seeded catalogue on SQLite and on a real PostgreSQL, an HTTP client, and a
live server with a real browser for the end-to-end tests.

Most tests take ``client`` and so run once per database. Each database is migrated and
seeded once per run, by the first pytest-xdist worker that needs it; the workers share one
PostgreSQL server, and each reads a copy of the catalogue of its own.
"""

import fcntl
import itertools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.config import HTMX_VERSION, ROOT, get_settings
from app.db import get_engine
from tests import postgres
from tests.browser_checks import check_page
from tests.routes import page_kind

LOCAL_HTMX = f"/static/vendor/htmx-{HTMX_VERSION}.min.js"
# Starlette's TestClient names the host "testserver"; the live server 127.0.0.1. Set on
# import, as test modules may build an app when they are collected (tests/test_contract.py).
os.environ["INTERLOCAL_ALLOWED_HOSTS"] = '["testserver", "localhost", "127.0.0.1"]'
# argon2's cheapest parameters: the suite hashes and checks hundreds of passwords.
os.environ["INTERLOCAL_PASSWORD_HASHING"] = "cheapest"
# Every test makes an app of its own, most on a fresh copy of the catalogue: loading the
# index and the features of 22,000 places for each, in a thread beside the test, took a
# quarter of the suite's time, for tests that mostly read neither.
os.environ["INTERLOCAL_WARM_UP"] = "false"


# This run's worker (pytest-xdist's "gw0", "gw1" ...), which names its PostgreSQL databases
# (the workers share one server).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_SHARED = "INTERLOCAL_TEST_RUN_DIR"


def pytest_configure(config: pytest.Config) -> None:
    """In the process that starts the run (xdist's controller, or the only one): a directory
    the run's processes share, inherited by the workers through the environment."""
    if not hasattr(config, "workerinput"):
        os.environ[_SHARED] = tempfile.mkdtemp(prefix="interlocal-run-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """After every worker has finished: stop the run's PostgreSQL server, if one started."""
    if not hasattr(config, "workerinput") and _SHARED in os.environ:
        shared = Path(os.environ.pop(_SHARED))
        server = shared / "postgres.dir"
        if server.exists():
            postgres.stop(Path(server.read_text()))
        shutil.rmtree(shared, ignore_errors=True)


def once_per_run(name: str, make: Callable[[Path], str]) -> str:
    """``make(shared)``'s answer (an address), computed by the first of the run's processes
    to ask and read back by the others, which wait for it under a lock; ``shared`` is the
    run's shared directory."""
    shared = Path(os.environ[_SHARED])
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        answer = shared / f"{name}.answer"
        if not answer.exists():
            answer.write_text(make(shared))
        return answer.read_text()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the run's PostgreSQL server (its maintenance database), started by the
    first worker that needs it."""
    if not postgres.available():
        pytest.fail("PostgreSQL's initdb/pg_ctl are missing: run `make test`, which installs them")

    def start(shared: Path) -> str:
        url, workdir = postgres.start()
        (shared / "postgres.dir").write_text(str(workdir))  # for pytest_unconfigure
        return url

    return once_per_run("postgres", start)


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
    return postgres.create_database(request.getfixturevalue("postgres_server"), f"{name}_{WORKER}")


_copies = itertools.count(1)


def copy_database(template: str) -> str:
    """URL of a new copy of the seeded catalogue at ``template`` (a file copy for SQLite, a
    ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL): far cheaper than seeding again."""
    name = f"copy{next(_copies)}_{WORKER}"
    if template.startswith("sqlite"):
        source = Path(template.split("///", 1)[1])
        target = source.with_name(f"{name}.db")
        shutil.copyfile(source, target)  # complete: the template was checkpointed, then kept
        return f"sqlite:///{target}"
    return postgres.create_database(template, name, template=template)


def drop_database(url: str) -> None:
    """Delete a copy made by ``copy_database``. What the app cached from it stays under its
    own address, which no later copy reuses (``_copies`` counts on)."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        postgres.drop_database(url)


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only = ON")


def use_database(url: str, *, read_only: bool = False) -> None:
    """Point the application (settings and engine) at ``url``; ``read_only`` makes its
    SQLite connections refuse writes (the PostgreSQL catalogue refuses them itself)."""
    os.environ["INTERLOCAL_DATABASE_URL"] = url
    os.environ["INTERLOCAL_HTMX_URL"] = LOCAL_HTMX
    os.environ["INTERLOCAL_SEED_DIR"] = str(ROOT / "seed")
    # Every test request comes from one address; tests/test_rate_limits.py sets limits.
    os.environ["INTERLOCAL_RATE_LIMIT_ANONYMOUS"] = ""
    os.environ["INTERLOCAL_RATE_LIMIT_KEY"] = ""
    get_settings.cache_clear()
    if get_engine.cache_info().currsize:
        current = get_engine()
        if current.url.render_as_string(hide_password=False) == url:
            return  # the same engine, its pool and its listeners carry on
        current.dispose()
        get_engine.cache_clear()
    if read_only and url.startswith("sqlite"):
        event.listen(get_engine(), "connect", _query_only)


_catalogues: dict[str, str] = {}
GAZETTEER_MIN_POPULATION = 5000  # the default: tests see the places a host's users see


def seeded(request: pytest.FixtureRequest, kind: str) -> str:
    """URL of this process's seeded catalogue of ``kind``: a read-only copy (tests that
    write use copies of it) of the run's seeded template, made on first use."""
    url = _catalogues.get(kind)
    if url is None:
        url = copy_database(once_per_run(kind, lambda shared: _template(request, kind, shared)))
        if kind == "postgresql":
            postgres.make_read_only(url)
        _catalogues[kind] = url
    return url


def _template(request: pytest.FixtureRequest, kind: str, shared: Path) -> str:
    """The run's catalogue of ``kind`` (``once_per_run``), made in ``shared``: migrated to
    head, loaded with the seed and the gazetteer (as `make run` does). Nothing connects to
    it afterwards (PostgreSQL copies a database only while nobody is connected to it)."""
    from sqlmodel import Session

    from app.loaders.gazetteer.loader import load_gazetteer
    from app.loaders.seed.writer import load_seed
    from app.migrations import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{shared / 'catalogue.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = postgres.create_database(server, "catalogue")
    use_database(url)
    upgrade(url)
    with Session(get_engine()) as session:
        load_seed(session, ROOT / "seed")
        load_gazetteer(session, GAZETTEER_MIN_POPULATION)
    if kind == "sqlite":
        with get_engine().connect() as conn:  # everything into the file, which copies copy
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    get_engine().dispose()
    get_engine.cache_clear()
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def catalogue(request: pytest.FixtureRequest) -> Iterator[str]:
    """The seeded catalogue (see ``seeded``); yields its URL. Tests that write are marked
    ``writes``: their ``engine`` and ``client`` are on a copy of their own."""
    # Set up again whenever a run switches between SQLite and PostgreSQL tests (it does
    # with pytest-xdist); the catalogue itself is made once per kind and process.
    url = seeded(request, request.param)
    use_database(url, read_only=True)
    yield url
    get_engine().dispose()


@pytest.fixture
def writable(catalogue: str) -> Iterator[str]:
    """A copy of the seeded catalogue for this test alone; yields its URL."""
    url = copy_database(catalogue)
    use_database(url)
    try:
        yield url
    finally:
        get_engine().dispose()
        use_database(catalogue, read_only=True)
        drop_database(url)


@pytest.fixture
def engine(request: pytest.FixtureRequest, catalogue: str) -> Engine:
    """The engine of the seeded catalogue, or of a copy of it for a test marked ``writes``."""
    if request.node.get_closest_marker("writes") is not None:
        request.getfixturevalue("writable")
    else:
        use_database(catalogue, read_only=True)
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


class _Served:
    """The live server's address and the engine its requests use, which each test sets."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.url = ""
        self.engine: Engine | None = None
        self.copy: str | None = None

    def replace_copy(self) -> None:
        """Serve a new copy of the template. The last test's copy is dropped only now, as
        its pages are checked again after it ends (see ``CheckedPages``)."""
        from app.db import make_engine

        self.drop_copy()
        self.copy = copy_database(self.template)
        self.engine = make_engine(self.copy)

    def drop_copy(self) -> None:
        if self.engine is not None and self.copy is not None:
            self.engine.dispose()
            drop_database(self.copy)
        self.engine = self.copy = None


@pytest.fixture(scope="session")
def served_app(request: pytest.FixtureRequest) -> Iterator[_Served]:
    """The app served over real HTTP on loopback, on the database ``live_server`` sets."""
    from sqlmodel import Session

    from app.db import get_session
    from app.main import create_app

    served = _Served(seeded(request, "sqlite"))
    use_database(served.template, read_only=True)
    app = create_app()

    # The live server keeps its own engine even when other fixtures repoint settings.
    def live_session() -> Iterator[Session]:
        assert served.engine is not None, "use the live_server fixture"
        with Session(served.engine) as session:
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
    served.url = f"http://127.0.0.1:{port}"
    httpx.get(f"{served.url}/healthz").raise_for_status()
    yield served
    server.should_exit = True
    thread.join(timeout=10)
    served.drop_copy()


@pytest.fixture
def live_server(served_app: _Served) -> LiveServer:
    """The live server, over a copy of the seeded SQLite catalogue for this test alone."""
    served_app.replace_copy()
    assert served_app.engine is not None
    return LiveServer(served_app.url, served_app.engine)


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


# Kinds of page (``page_kind``: a route and the names of its query parameters) already
# opened again and checked by an earlier test of this process. The a11y walk
# (tests/test_accessibility.py) checks every route; a journey's addresses are checked
# again once per kind, since a page load with axe takes one to two seconds of the
# browser's time and journeys pass many pages of one kind (/login, /practices/{slug}).
_revisited: set[str] = set()


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
            address = page_kind(urlsplit(url)._replace(scheme="", netloc="").geturl())
            if (
                url.startswith("http")
                and "/api/" not in url
                and url not in self.checked
                and address not in _revisited
            ):
                context = self.browser.new_context(**options)
                revisit = context.new_page()
                revisit.goto(url)
                check_page(revisit)
                context.close()
                _revisited.add(address)

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
