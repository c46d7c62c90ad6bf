"""A host's operations: every request has an id (the proxy's, or a new one) that its log
records carry and its answer names; one JSON access-log line per request; metrics at
/metrics for allowed addresses or a token; and one handler of last resort that answers an
unexpected error in the usual shape, logs its traceback with the id and leaks nothing.

These need no particular data, so they run on the SQLite catalogue only."""

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.catalogue.cache import loaded
from app.config import get_settings
from app.operations.logs import JsonFormatter, RequestIdFilter
from tests.factories import new_key
from tests.servers import post_api, served

SQLITE_ONLY = pytest.mark.parametrize("catalogue", ["sqlite"], indirect=True)
SECRET = "db password is hunter2"  # what an exception might say, and no client may see


def failing_app() -> FastAPI:
    """The app, plus routes that fail as a bug would (in this test only)."""
    from app.main import create_app

    def fail() -> None:
        raise RuntimeError(SECRET)

    app = create_app()
    app.add_api_route("/api/v1/test-failure", fail)
    app.add_api_route("/test-failure", fail)
    return app


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Log records, with the request id the server's log handler adds."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    yield caplog


@SQLITE_ONLY
def test_an_unexpected_error_is_logged_with_its_id_and_answered_without_its_text(
    engine: Engine, captured: pytest.LogCaptureFixture
) -> None:
    client = TestClient(failing_app())  # raises what reaches it: nothing must

    api = client.get("/api/v1/test-failure", headers={"X-Request-ID": "proxy-id.42"})
    assert api.status_code == 500
    assert api.headers["X-Request-ID"] == "proxy-id.42"
    body = api.json()
    assert body["status"] == 500 and body["errors"] == []
    assert "proxy-id.42" in body["detail"] and SECRET not in api.text

    page = client.get("/test-failure?lang=de", headers={"X-Request-ID": "page-id"})
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert page.headers["Content-Language"] == "de"  # inside the other middleware
    assert "page-id" in page.text and SECRET not in page.text and "RuntimeError" not in page.text

    errors = [r for r in captured.records if r.name == "interlocal.errors"]
    assert [r.request_id for r in errors] == ["proxy-id.42", "page-id"]  # type: ignore[attr-defined]
    assert all(r.exc_info and SECRET in str(r.exc_info[1]) for r in errors)
    # One line for each request still, with its status.
    access = [r for r in captured.records if r.name == "interlocal.access"]
    assert [(r.request_id, r.fields["status"]) for r in access[-2:]] == [  # type: ignore[attr-defined]
        ("proxy-id.42", 500),
        ("page-id", 500),
    ]


@SQLITE_ONLY
def test_a_request_id_comes_from_the_proxy_only_when_well_formed(engine: Engine) -> None:
    from app.main import create_app

    client = TestClient(create_app())
    fresh = re.compile(r"[0-9a-f]{32}")
    kept = client.get("/healthz", headers={"X-Request-ID": "a.B-9_z"})
    assert kept.headers["X-Request-ID"] == "a.B-9_z"
    for hostile in (b"x" * 129, b"two words", "id\u202eevil".encode(), b"<script>", b""):
        answered = client.get("/healthz", headers={"X-Request-ID": hostile})  # type: ignore[dict-item]
        assert fresh.fullmatch(answered.headers["X-Request-ID"]), hostile
    first, second = (client.get("/healthz").headers["X-Request-ID"] for _ in range(2))
    assert fresh.fullmatch(first) and first != second
    assert client.get("/no-such-page").headers["X-Request-ID"]  # errors have one too


@SQLITE_ONLY
def test_each_request_writes_one_json_access_line(
    engine: Engine, captured: pytest.LogCaptureFixture
) -> None:
    from app.main import create_app

    client = TestClient(create_app(), client=("198.51.100.20", 40000))
    client.get("/api/v1/vocabularies/goal", headers={"X-Request-ID": "access-1"})
    [record] = [
        r
        for r in captured.records
        if r.name == "interlocal.access" and r.request_id == "access-1"  # type: ignore[attr-defined]
    ]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "access-1" and line["level"] == "info"
    assert line["method"] == "GET" and line["status"] == 200
    assert line["route"] == "/api/v1/vocabularies/{scheme}"
    assert line["path"] == "/api/v1/vocabularies/goal"
    assert line["client"] == "198.51.100.20"
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")


def _metrics(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


@SQLITE_ONLY
def test_metrics_count_requests_by_route_template_pool_and_caches(engine: Engine) -> None:
    from app.main import create_app

    local = TestClient(create_app(), client=("127.0.0.1", 40000))
    for scheme in ("goal", "channel", "framing"):
        assert local.get(f"/api/v1/vocabularies/{scheme}").status_code == 200
    # An index loaded afresh (a name no other test uses), then found.
    with Session(engine) as session:
        assert loaded(session, "metrics-test index", lambda _s: 1) == 1
        assert loaded(session, "metrics-test index", lambda _s: 2) == 1

    scraped = local.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=")
    values = _metrics(scraped.text)
    route = 'method="GET",route="/api/v1/vocabularies/{scheme}",status="200"'
    assert values[f"interlocal_http_requests_total{{{route}}}"] >= 3
    timed = 'interlocal_http_request_duration_seconds_count{method="GET",route="%s"}'
    assert values[timed % "/api/v1/vocabularies/{scheme}"] >= 3
    assert "goal" not in scraped.text and "framing" not in scraped.text  # no raw paths
    assert values['interlocal_cache_lookups_total{cache="metrics-test index",result="miss"}'] == 1
    assert values['interlocal_cache_lookups_total{cache="metrics-test index",result="hit"}'] == 1
    assert values['interlocal_index_load_seconds_count{index="metrics-test index"}'] == 1
    assert values["interlocal_db_pool_connections"] >= 1
    assert values["interlocal_db_pool_checked_out"] >= 0
    assert "/metrics" not in local.get("/api/v1/openapi.json").json()["paths"]


@SQLITE_ONLY
def test_metrics_are_for_allowed_addresses_or_the_token(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import create_app

    monkeypatch.setenv("INTERLOCAL_METRICS_ALLOW", '["127.0.0.1", "10.1.0.0/16"]')
    monkeypatch.setenv("INTERLOCAL_METRICS_TOKEN", "scrape-token-123")
    get_settings.cache_clear()
    try:
        app = create_app()

        def scrape(address: str, **headers: str) -> int:
            return TestClient(app, client=(address, 40000)).get("/metrics", headers=headers)

        assert scrape("127.0.0.1").status_code == 200
        assert scrape("10.1.2.3").status_code == 200
        refused = scrape("203.0.113.9")
        assert refused.status_code == 403 and refused.json()["status"] == 403
        # Through a proxy (even one on this host), an address is no proof.
        assert scrape("127.0.0.1", **{"X-Forwarded-For": "127.0.0.1"}).status_code == 403
        assert scrape("203.0.113.9", Authorization="Bearer scrape-token-123").status_code == 200
        assert scrape("203.0.113.9", Authorization="Bearer wrong").status_code == 403
        assert scrape("203.0.113.9", Authorization="Basic scrape-token-123").status_code == 403
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_metrics_allow_list_that_names_no_network_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import ValidationError

    from app.config import Settings

    monkeypatch.setenv("INTERLOCAL_METRICS_ALLOW", '["10.0.0.0/33"]')
    with pytest.raises(ValidationError, match=r"10\.0\.0\.0/33"):
        Settings()


def test_the_readme_lists_every_setting_as_the_code_describes_it() -> None:
    from app.config import Settings
    from app.operations.settings_doc import README, readme_block, settings_table

    assert [name for name, f in Settings.model_fields.items() if not f.description] == []
    assert readme_block(README.read_text(encoding="utf-8")) == settings_table(), (
        "README.md's table of settings is out of date: run "
        "`.venv/bin/python -m app.operations.settings_doc --write`"
    )


def test_a_worker_handles_as_many_requests_at_once_as_its_threads(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anyio import to_thread

    from app.main import create_app

    def threads_in_use() -> int:
        with TestClient(create_app()) as started:
            assert started.get("/api/v1/vocabularies/goal").status_code == 200
            limiter = started.portal.call(to_thread.current_default_thread_limiter)
            return int(limiter.total_tokens)

    monkeypatch.setenv("INTERLOCAL_THREADS", "")  # as a compose file leaves it: unset
    get_settings.cache_clear()
    # On SQLite a request's work is all in the worker; PostgreSQL's round trips wait.
    assert threads_in_use() == (1 if engine.dialect.name == "sqlite" else 2)
    monkeypatch.setenv("INTERLOCAL_THREADS", "3")
    get_settings.cache_clear()
    assert threads_in_use() == 3
    get_settings.cache_clear()


@SQLITE_ONLY
@pytest.mark.writes
def test_a_write_waiting_for_the_database_does_not_hold_up_readers(
    writable: str, engine: Engine
) -> None:
    # One handler thread a worker on SQLite: a write waiting for another writer's lock
    # (or for the disk) must lend the worker a thread rather than take the only one.
    key = new_key(engine, "read", "write")
    written: list[httpx.Response] = []
    with served(writable) as (server,):
        assert httpx.get(f"{server.url}/api/v1/practices?limit=1", timeout=60).is_success
        holder = sqlite3.connect(writable.split("///", 1)[1], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            client = httpx.Client(base_url=server.url, timeout=60)
            writer = threading.Thread(target=lambda: written.append(post_api(client, key, "Late")))
            writer.start()
            time.sleep(1)  # the write is now waiting in the worker
            read = httpx.get(f"{server.url}/api/v1/practices?limit=1", timeout=10)
            assert read.status_code == 200
            assert writer.is_alive(), "the write was still waiting when the read was answered"
        finally:
            holder.rollback()
            holder.close()
        writer.join(timeout=60)
    assert [r.status_code for r in written] == [201]
