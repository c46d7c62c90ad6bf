"""Losing nothing: the app runs as real server processes (``tests/servers.py``) while
several clients write at once through the API and the forms; servers are killed with
SIGKILL mid-write and restarted, and two of them share one PostgreSQL.

Every write a client saw acknowledged (a 2xx) must be there, whole, afterwards; no two
practices may share a slug; no acknowledged version may be overwritten by a writer that
started from an older one; and a partner reading the change feed while others write must
miss nothing.
"""

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app.db import make_engine
from app.models.accounts import User
from app.models.practices import Practice
from app.permissions import viewer_for
from app.practices import workflow
from tests.conftest import copy_database, drop_database
from tests.factories import auth, new_key, new_user, practice_in, trusted_organisation
from tests.servers import (
    AppServer,
    Ledger,
    all_at_once,
    form_slug,
    keep_writing,
    patch_summary,
    post_api,
    post_form,
    read_feed,
    served,
    signed_in,
)

pytestmark = pytest.mark.writes

THREADS = 10
ACKNOWLEDGEMENTS = 8  # before the SIGKILL
EDITS = 6  # by each of four editors
CREATIONS = 4  # by each of two clients


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
    with served(database) as [server]:
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


def edits(
    client: httpx.Client, key: str, slugs: list[str], ledger: Ledger, name: str
) -> Callable[[], None]:
    """Change the summaries of ``slugs`` in turn, each from the version just read; a
    refusal because someone else saved meanwhile (409, 412) is expected."""

    def run() -> None:
        for n in range(EDITS):
            slug, summary = slugs[n % len(slugs)], f"Changed by {name}, edit {n}."
            changed = patch_summary(client, key, slug, summary)
            if changed.status_code == 200:
                with ledger.lock:
                    ledger.edits.setdefault(slug, []).append((changed.json()["version"], summary))
            elif changed.status_code not in (409, 412):
                ledger.failures.append(f"{changed.status_code} {changed.text}")

    return run


def creations(client: httpx.Client, key: str, ledger: Ledger, title: str) -> Callable[[], None]:
    def run() -> None:
        for _ in range(CREATIONS):
            created = post_api(client, key, title, place="barcelona")
            if created.status_code != 201:
                ledger.failures.append(f"{created.status_code} {created.text}")
                continue
            with ledger.lock:
                if created.json()["slug"] in ledger.created:
                    ledger.failures.append(f"slug given twice: {created.json()['slug']}")
                ledger.created[created.json()["slug"]] = title

    return run


@pytest.mark.parametrize("catalogue", ["postgresql"], indirect=True)
def test_two_servers_on_one_postgresql_lose_no_update_and_no_change(
    database: str, setup_engine: Engine
) -> None:
    """Two app processes share one PostgreSQL. Four clients edit the same two practices
    through both (If-Match), two create practices with one title through both, and a
    partner follows the change feed through both meanwhile: no acknowledged version is
    overwritten by a writer that started from an older one, no slug is given twice, and
    the partner, reading on from each cursor, sees every change the feed ends up with."""
    key = new_key(setup_engine, "read", "write", organisation=trusted_organisation(setup_engine))
    ledger, writing = Ledger(), threading.Event()
    with served(database, count=2) as servers:
        clients = [httpx.Client(base_url=s.url, timeout=60) for s in servers]
        slugs = [
            post_api(clients[0], key, f"Practice edited from two servers {i}", place="barcelona")
            .raise_for_status()
            .json()["slug"]
            for i in range(2)
        ]
        _, start = read_feed(clients[0], "")
        followed: list[tuple[str, str, str]] = []

        def follow() -> None:
            cursor = start
            for n in itertools.count():
                last_round = not writing.is_set()
                items, cursor = read_feed(clients[n % 2], cursor)
                followed.extend(items)
                if last_round:
                    return

        jobs = [edits(clients[i % 2], key, slugs, ledger, f"editor {i}") for i in range(4)]
        jobs += [creations(c, key, ledger, "One title from two servers") for c in clients]
        writing.set()
        reader = threading.Thread(target=follow)
        reader.start()
        all_at_once(jobs)
        writing.clear()
        reader.join(timeout=60)
        feed, _ = read_feed(clients[1], start)
        for server in servers:
            assert not server.errors(), server.errors()
    assert ledger.failures == [], ledger.failures
    assert len(ledger.created) == 2 * CREATIONS
    with setup_engine.connect() as conn:
        for slug in slugs:
            acknowledged = sorted(ledger.edits.get(slug, []))
            assert acknowledged, f"no edit of {slug} got through"
            versions = [version for version, _ in acknowledged]
            assert len(set(versions)) == len(versions), f"two writers got {versions}"
            live = conn.execute(
                text("SELECT version, summary FROM practice WHERE slug = :slug"), {"slug": slug}
            ).one()
            assert tuple(live) == acknowledged[-1]  # the last acknowledged edit stands
    assert followed == feed
    assert {slug for _, slug, _ in feed} >= set(ledger.created) | set(slugs)
    assert half_written(setup_engine) == []
