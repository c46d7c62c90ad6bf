"""What the site answers to and with: allowed hosts and the links built from the public
address (audit finding 3), security and cache headers (14), request size limits and the
deadline on request heads (15)."""

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.responses import PlainTextResponse

from app.config import Settings, get_settings
from tests.factories import auth, csrf_from, new_key, new_user, sign_in


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set INTERLOCAL_* variables for one test (``monkeypatch.setenv``); settings are read
    again with them, and once more after the test."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def setenv(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"INTERLOCAL_{name.upper()}", value)
    get_settings.cache_clear()


def mails(folder: Path) -> list[str]:
    return [
        message_from_bytes(p.read_bytes(), policy=default).get_body().get_content()  # type: ignore[union-attr]
        for p in folder.glob("*.eml")
    ]


# --- Hosts and absolute links (finding 3) -------------------------------------------------


def test_allowed_hosts_default_to_the_public_address_and_loopback() -> None:
    assert Settings(allowed_hosts=[], public_url=None).trusted_hosts() == [
        "localhost",
        "127.0.0.1",
        "::1",
    ]
    public = Settings(allowed_hosts=[], public_url="https://Interlocal.example.org/")
    assert public.public_url == "https://Interlocal.example.org"
    assert public.trusted_hosts()[0] == "interlocal.example.org"
    with pytest.raises(ValueError, match="not an http"):
        Settings(public_url="interlocal.example.org")


@pytest.mark.writes
def test_a_request_naming_another_host_is_refused_and_mails_no_link_to_it(
    client: TestClient, engine: Engine, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    setenv(settings_env, mail_dir=str(tmp_path))
    email = new_user(engine, "member", "oslo-city-council")
    token = csrf_from(client.get("/password/forgot").text)
    poisoned = client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": token},
        headers={"Host": "attacker.example"},
    )
    assert poisoned.status_code == 400
    assert '"attacker.example"' in poisoned.text and "INTERLOCAL_ALLOWED_HOSTS" in poisoned.text
    assert mails(tmp_path) == []
    api = client.get("/api/v1/practices", headers={"Host": "attacker.example:8000"})
    assert api.status_code == 400 and api.json()["status"] == 400
    # Probes by address (load balancers, the container's health check) still get through.
    assert client.get("/healthz", headers={"Host": "10.1.2.3"}).status_code == 200
    # Subdomains when asked for, and IPv6 loopback by default.
    setenv(settings_env, allowed_hosts='["*.example.org", "::1"]')
    assert client.get("/healthz", headers={"Host": "a.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "example.org.attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "a.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200


@pytest.mark.writes
def test_every_absolute_link_uses_the_public_address(
    client: TestClient, engine: Engine, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    site = "https://interlocal.example.org"
    setenv(
        settings_env,
        mail_dir=str(tmp_path),
        public_url=site,
        allowed_hosts='["testserver", "other.example"]',
    )
    email = new_user(engine, "member", "oslo-city-council")
    token = csrf_from(client.get("/password/forgot").text)
    client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": token},
        headers={"Host": "other.example"},
    )
    assert [re.findall(r"https?://[^/\s]+", body) for body in mails(tmp_path)] == [[site]]
    feed = client.get("/practices.atom", headers={"Host": "other.example"}).text
    assert f"<id>{site}/practices.atom" in feed and "other.example" not in feed
    slug = client.get("/api/v1/practices", params={"limit": 1}).json()["items"][0]["slug"]
    page = client.get(f"/practices/{slug}", headers={"Host": "other.example"}).text
    jsonld = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert jsonld["url"] == f"{site}/practices/{slug}"
    network = client.get("/networks/inclusive-cities", headers={"Host": "other.example"}).text
    assert f"{site}/embed/practices?network=inclusive-cities" in network
    assert "other.example" not in network


# --- Headers (finding 14) -----------------------------------------------------------------


def directives(policy: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.partition(" ")[2] for d in policy.split("; ")}


@pytest.mark.writes
def test_pages_send_security_and_cache_headers(client: TestClient, engine: Engine) -> None:
    client.cookies.clear()
    page = client.get("/practices")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in page.headers  # plain HTTP
    policy = directives(page.headers["content-security-policy"])
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["script-src"].startswith("'self'")
    assert f"'{get_settings().htmx_integrity}'" in policy["script-src"]
    assert (policy["style-src"], policy["img-src"]) == ("'self'", "'self' data:")
    assert (policy["form-action"], policy["base-uri"]) == ("'self'", "'none'")
    assert policy["frame-ancestors"] == "'self'"
    assert "cache-control" not in page.headers  # the public's page, the same for everyone
    # A page with a form carries a CSRF token: no shared cache may keep it.
    assert client.get("/login").headers["cache-control"] == "private, no-store"
    sign_in(client, new_user(engine, "member", "oslo-city-council"))
    assert client.get("/practices").headers["cache-control"] == "private, no-store"
    # Static files are the same for everyone, signed in or not (tests/test_responses.py).
    assert client.get("/static/app.css").headers["cache-control"].startswith("public")
    client.cookies.clear()
    over_https = TestClient(client.app, base_url="https://testserver")
    assert over_https.get("/practices").headers["strict-transport-security"] == ("max-age=31536000")


@pytest.mark.writes
def test_the_api_varies_by_key_and_keyed_answers_stay_private(
    client: TestClient, engine: Engine
) -> None:
    client.cookies.clear()
    anonymous = client.get("/api/v1/practices", params={"limit": 1})
    assert "Authorization" in anonymous.headers["vary"]
    assert "cache-control" not in anonymous.headers
    keyed = client.get(
        "/api/v1/practices", params={"limit": 1}, headers=auth(new_key(engine, "read"))
    )
    assert "Authorization" in keyed.headers["vary"] and keyed.headers["cache-control"] == "private"
    single = client.get(f"/api/v1/places/{'barcelona'}")
    assert single.headers["vary"].count("Authorization") == 1


def test_the_api_docs_run_no_inline_script_of_their_own(client: TestClient) -> None:
    """Swagger UI is started from a file: the reference page's scripts are our pages'
    (the htmx fallback is the one inline script, by its hash); only its styles are freer."""
    from app.web.framing import page_policy

    docs = client.get("/api/docs")
    policy = directives(docs.headers["content-security-policy"])
    assert policy["script-src"] == directives(page_policy())["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["frame-ancestors"] == "'self'"


# --- Request sizes and slow heads (finding 15) ---------------------------------------------


def test_bodies_over_the_limit_are_refused_before_they_are_read(client: TestClient) -> None:
    limit = get_settings().max_body_bytes
    big = json.dumps({"place": "barcelona", "padding": "x" * limit})
    response = client.post(
        "/api/v1/peers", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413 and "at most" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body grows as it streams
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    streamed = client.post(
        "/api/v1/peers", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413 and streamed.json()["status"] == 413
    form = client.post("/login", data={"email": "a@example.org", "password": "x" * limit})
    assert form.status_code == 413 and "text/html" in form.headers["content-type"]
    assert "too large" in form.text
    # Under the limit, the same route reads the body as before.
    small = client.post("/api/v1/peers", json={"place": "barcelona"})
    assert small.status_code != 413


@pytest.fixture
def guarded_server(settings_env: pytest.MonkeyPatch) -> Iterator[int]:
    """A uvicorn with ``interlocal serve``'s connection options and a 0.5 s deadline."""
    from app.operations.connections import connection_options

    setenv(settings_env, header_timeout_seconds="0.5")

    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        await PlainTextResponse("ok")(scope, receive, send)  # type: ignore[arg-type]

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
    for name, value in connection_options().items():
        setattr(config, name, value)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=5)


def test_slow_or_huge_request_heads_are_cut_off(guarded_server: int) -> None:
    from app.operations.connections import MAX_HEAD_BYTES

    with socket.create_connection(("127.0.0.1", guarded_server), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")  # a normal request is served
        sock.sendall(b"GET / HTTP/1.1\r\nHost: local")  # ... then a head that never ends
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 3
    with socket.create_connection(("127.0.0.1", guarded_server), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * MAX_HEAD_BYTES)
        sock.sendall(b"\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")
