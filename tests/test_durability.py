"""Losing nothing: the app runs as real server processes (``tests/servers.py``) while
several clients write at once through the API and the forms; servers are killed with
SIGKILL mid-write and restarted, and two of them share one PostgreSQL.

Every write a client saw acknowledged (a 2xx) must be there, whole, afterwards; no two
practices may share a slug; no acknowledged version may be overwritten by a writer that
started from an older one; and a partner reading the change feed while others write must
miss nothing.
"""

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from app.db import make_engine
from tests.conftest import copy_database, drop_database
from tests.factories import (
    PASSWORD,
    auth,
    csrf_from,
    new_key,
    new_user,
    practice_data,
    practice_form,
    trusted_organisation,
)
from tests.servers import AppServer, served

pytestmark = pytest.mark.writes

THREADS = 10
ACKNOWLEDGEMENTS = 12  # before the SIGKILL


@pytest.fixture
def database(catalogue: str) -> Iterator[str]:
    """A copy of the seeded catalogue for this test's servers alone."""
    url = copy_database(catalogue)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def setup_engine(database: str) -> Iterator[Engine]:
    """An engine on the test's database, to make accounts and keys and to check rows."""
    engine = make_engine(database)
    try:
        yield engine
    finally:
        engine.dispose()


def signed_in(base_url: str, email: str, copies: int) -> list[tuple[httpx.Client, str]]:
    """``copies`` browser-like clients sharing one sign-in as ``email`` (one password
    check, not one each), with the CSRF token of their forms."""
    client = httpx.Client(base_url=base_url, timeout=60)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    token = csrf_from(client.get("/practices/new").text)
    others = [
        httpx.Client(base_url=base_url, timeout=60, cookies=client.cookies)
        for _ in range(copies - 1)
    ]
    return [(c, token) for c in [client, *others]]


def post_form(client: httpx.Client, token: str, title: str) -> httpx.Response:
    fields = practice_form(title, action="submit", confirm_new="yes", csrf_token=token)
    return client.post("/practices/new", data=fields)


def form_slug(response: httpx.Response) -> str:
    """The slug of the practice a form submitted (it redirects to the author's list)."""
    assert response.status_code == 303, response.text
    found = re.search(r"submitted=([\w-]+)", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def post_api(client: httpx.Client, key: str, title: str, place: str = "oslo") -> httpx.Response:
    return client.post(
        "/api/v1/practices?confirm_new=true",
        json=practice_data(title, place=place),
        headers=auth(key),
    )


def patch_summary(client: httpx.Client, key: str, slug: str, summary: str) -> httpx.Response:
    """Change the practice's summary from the version just read (If-Match its ETag)."""
    read = client.get(f"/api/v1/practices/{slug}", headers=auth(key))
    assert read.status_code == 200, read.text
    return client.patch(
        f"/api/v1/practices/{slug}?confirm_new=true",
        json={"summary": summary},
        headers={**auth(key), "If-Match": read.headers["etag"]},
    )


def all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run ``jobs`` in threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def read_feed(client: httpx.Client, since: str) -> tuple[list[tuple[str, str, str]], str]:
    """Every change after cursor ``since`` now, and the cursor after the last."""
    items: list[tuple[str, str, str]] = []
    while True:
        response = client.get("/api/v1/changes", params={"since": since, "limit": 1000})
        assert response.status_code == 200, response.text
        page = response.json()
        items += [(i["kind"], i["practice"], i["at"]) for i in page["items"]]
        since = page["next_cursor"]
        if not page["has_more"]:
            return items, since


@dataclass
class Ledger:
    """What the clients sent, and what they saw acknowledged (a 2xx)."""

    created: dict[str, str] = field(default_factory=dict)  # slug: title
    published: set[str] = field(default_factory=set)
    edits: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (version, summary)
    sent: dict[str, list[str]] = field(default_factory=dict)  # summaries, acknowledged or not
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.created) + sum(len(e) for e in self.edits.values())


def keep_writing(stop: threading.Event, ledger: Ledger, write: Callable[[int], None]) -> None:
    """Call ``write(n)`` for n = 0, 1, … until ``stop``, or until the server is gone."""
    for n in itertools.count():
        if stop.is_set():
            return
        try:
            write(n)
        except httpx.TransportError:
            return  # killed mid-request: that write was never acknowledged
        except Exception as exc:
            with ledger.lock:
                ledger.failures.append(repr(exc))
            return


def api_writes(client: httpx.Client, key: str, ledger: Ledger, name: str) -> Callable[[int], None]:
    """Create a practice (published at once: the key's organisation is trusted), then
    change its summary."""

    def write(n: int) -> None:
        title = f"Durable api practice {name} {n}"
        created = post_api(client, key, title, place="barcelona")
        assert created.status_code == 201, created.text
        slug = created.json()["slug"]
        with ledger.lock:
            ledger.created[slug] = title
            ledger.published.add(slug)
        summary = f"Changed by {name} in round {n}."
        ledger.sent.setdefault(slug, []).append(summary)
        changed = patch_summary(client, key, slug, summary)
        assert changed.status_code == 200, changed.text
        with ledger.lock:
            ledger.edits.setdefault(slug, []).append((changed.json()["version"], summary))

    return write


def form_writes(
    client: httpx.Client, token: str, ledger: Ledger, name: str
) -> Callable[[int], None]:
    def write(n: int) -> None:
        title = f"Durable form practice {name} {n}"
        slug = form_slug(post_form(client, token, title))
        with ledger.lock:
            ledger.created[slug] = title

    return write


def half_written(engine: Engine) -> list[str]:
    """Practices missing a part their write makes in the same transaction: a revision,
    an audit event, a search document, terms; changes of the feed never stamped; public
    practices whose last change in the feed does not say they are public."""
    key = "rowid" if engine.dialect.name == "sqlite" else "practice_id"
    checks = {
        "no revision": "SELECT slug FROM practice p WHERE NOT EXISTS"
        " (SELECT 1 FROM practice_revision r WHERE r.practice_id = p.id)",
        "no search document": "SELECT slug FROM practice p WHERE NOT EXISTS"
        f" (SELECT 1 FROM practice_search s WHERE s.{key} = p.id)",
        "no terms": "SELECT slug FROM practice p WHERE p.slug LIKE '%durable%' AND NOT EXISTS"
        " (SELECT 1 FROM practice_term t WHERE t.practice_id = p.id)",
        "no audit event": "SELECT slug FROM practice p WHERE p.slug LIKE '%durable%' AND NOT"
        " EXISTS (SELECT 1 FROM audit_event a WHERE a.target = p.slug"
        " AND a.action = 'practice.create')",
        "unstamped change": "SELECT slug FROM practice_change WHERE seq IS NULL",
        "public, not in the feed": "SELECT slug FROM practice p"
        " WHERE p.status = 'published' AND p.visibility = 'public' AND NOT EXISTS"
        " (SELECT 1 FROM practice_change c WHERE c.practice_id = p.id AND c.is_public AND"
        "  c.id = (SELECT max(id) FROM practice_change d WHERE d.practice_id = p.id))",
    }
    with engine.connect() as conn:
        return [
            f"{problem}: {slug}"
            for problem, query in checks.items()
            for slug in conn.execute(text(query)).scalars()
        ]


def test_a_new_practice_whose_write_fails_after_its_insert_leaves_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slug is claimed in a savepoint; on SQLite, a savepoint that opened the
    transaction would commit the practice when released, whatever came after."""
    from sqlmodel import Session, select

    from app.models.accounts import User
    from app.models.practices import Practice
    from app.permissions import viewer_for
    from app.practices import workflow
    from tests.factories import practice_in

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the write fails after the practice was inserted")

    monkeypatch.setattr(workflow, "record", fail)
    email = new_user(engine, "member", "barcelona-city-council")
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        with pytest.raises(RuntimeError):
            workflow.create_practice(
                session, user, viewer_for(session, user), practice_in(title="Half a write")
            )
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(Practice).where(Practice.title == "Half a write")).all() == []


def test_concurrent_creates_with_one_title_each_get_a_slug_of_their_own(
    database: str, setup_engine: Engine
) -> None:
    """Ten clients create a practice with the same title at the same place at once, half
    through the API and half through the form: every one is created, each with its own
    slug (the audit saw eight 500s on the unique index of ``practice.slug``)."""
    key = new_key(setup_engine, "read", "write", organisation="oslo-city-council")
    member = new_user(setup_engine, "member", "oslo-city-council")
    title = "Welcome walks with new neighbours"
    with served(database) as server:
        api = httpx.Client(base_url=server.url, timeout=60)
        jobs: list[Callable[[], str]] = []
        for client, token in signed_in(server.url, member, THREADS // 2):
            jobs.append(partial(lambda c, t: form_slug(post_form(c, t, title)), client, token))
            jobs.append(lambda: str(post_api(api, key, title).raise_for_status().json()["slug"]))
        slugs = all_at_once(jobs)
        assert not server.errors(), server.errors()
    assert not [s for s in slugs if not isinstance(s, str)], slugs
    assert len(set(slugs)) == THREADS, slugs
    assert all(s.startswith("oslo-welcome-walks-with-new-neighbours") for s in slugs), slugs
    with setup_engine.connect() as conn:
        stored = conn.execute(
            text("SELECT slug FROM practice WHERE title = :title"), {"title": title}
        ).scalars()
        assert sorted(stored) == sorted(slugs)
    assert half_written(setup_engine) == []


def test_a_server_killed_mid_write_keeps_every_acknowledged_write_whole(
    database: str, setup_engine: Engine
) -> None:
    """Two API clients and two form clients write; the server gets SIGKILL after some
    acknowledgements, with writes in flight. Restarted on the same database, it has every
    acknowledged practice and change, and no practice lacks a part of its write."""
    key = new_key(setup_engine, "read", "write", organisation=trusted_organisation(setup_engine))
    member = new_user(setup_engine, "member", "oslo-city-council")
    ledger, stop = Ledger(), threading.Event()
    server = AppServer(database)
    try:
        server.start()
        writers = [
            api_writes(httpx.Client(base_url=server.url, timeout=60), key, ledger, f"a{i}")
            for i in range(2)
        ] + [
            form_writes(client, token, ledger, f"f{i}")
            for i, (client, token) in enumerate(signed_in(server.url, member, 2))
        ]
        threads = [threading.Thread(target=keep_writing, args=(stop, ledger, w)) for w in writers]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while ledger.acknowledged() < ACKNOWLEDGEMENTS and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # the writers are mid-request: they keep writing until then
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert ledger.failures == [], ledger.failures
        assert ledger.acknowledged() >= ACKNOWLEDGEMENTS

        server.start()
        client = httpx.Client(base_url=server.url, timeout=60)
        with setup_engine.connect() as conn:
            rows = conn.execute(text("SELECT slug, title FROM practice")).all()
        stored: dict[str, str] = dict(rows)
        assert {s: stored.get(s) for s in ledger.created} == ledger.created
        for slug in ledger.published:
            read = client.get(f"/api/v1/practices/{slug}", headers=auth(key))
            assert read.status_code == 200, read.text
            summary, version = read.json()["summary"], read.headers["etag"]
            if slug in ledger.edits:
                acknowledged_version, acknowledged = ledger.edits[slug][-1]
                # The last acknowledged summary, or one sent after it (which the server may
                # have committed without answering).
                later = ledger.sent[slug][ledger.sent[slug].index(acknowledged) :]
                assert summary in later, (summary, later)
                assert int(version.strip('"v').split(".")[0]) >= acknowledged_version
        feed, _ = read_feed(client, "")
        assert ledger.published <= {slug for _, slug, _ in feed}
        assert half_written(setup_engine) == []
        assert not server.errors(), server.errors()
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
