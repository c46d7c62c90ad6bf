"""What every response does whatever route answers it: HEAD answered like GET without a
body, gzip for clients that accept it, and static files cached for long under a versioned
address (issue 17).

The behaviour lives in middleware and in the static files' mount, the same on either
database, so these tests run on SQLite only.
"""

import gzip
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import account_request, signed_in_client
from tests.test_accessibility import SAMPLES, page_routes

SQLITE_ONLY = pytest.mark.parametrize("catalogue", ["sqlite"], indirect=True)
PRACTICE = "/practices/barcelona-anti-rumour-strategy"
IMMUTABLE = "public, max-age=31536000, immutable"
# Headers that differ between two answers to the same request.
PER_ANSWER = {"date", "x-request-id", "set-cookie", "content-length", "etag"}


@SQLITE_ONLY
@pytest.mark.writes
def test_every_page_answers_head_without_a_body(client: TestClient, engine: Engine) -> None:
    request_id = account_request(engine)
    signed_in_client(client, engine, "admin", None)  # an administrator sees every page
    routes = page_routes()
    assert routes, "no page routes found"
    for route in sorted(routes):
        path = SAMPLES[route][0].replace("/requests/1", f"/requests/{request_id}")
        head = client.head(path, follow_redirects=False)
        # A sample may show an error page (an expired link): then GET's status.
        if head.status_code != 200:
            assert head.status_code == client.get(path).status_code != 405, path
        assert head.content == b"", path
        assert head.headers["content-type"].startswith("text/html"), path
        assert int(head.headers["content-length"]) > 0, path


@SQLITE_ONLY
def test_head_has_the_headers_of_get(signed_out: TestClient) -> None:
    client = signed_out
    for path in (
        PRACTICE,
        "/practices.atom",
        "/api/v1/practices?limit=3",
        "/api/v1/practices.csv?country=ES",  # streamed
        "/healthz",
        "/static/app.css",
        "/no-such-page",
    ):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        same = {k: v for k, v in get.headers.items() if k not in PER_ANSWER}
        assert {k: v for k, v in head.headers.items() if k not in PER_ANSWER} == same, path
    # A HEAD with the ETag it was given is a 304 like a GET's.
    first = client.head("/api/v1/practices/barcelona-anti-rumour-strategy")
    again = client.head(
        "/api/v1/practices/barcelona-anti-rumour-strategy",
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    # HEAD is answered by the middleware: the API document gains no HEAD operation.
    document = client.get("/api/v1/openapi.json").json()
    assert not [path for path, item in document["paths"].items() if "head" in item]
    # A method the address does not serve is refused naming what it does, HEAD included.
    refused = client.delete("/api/v1/practices")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, POST"
    # Contract finding: PATCH on a practice's JSON-LD tried to change a practice named
    # "….jsonld" (a 422 on its body) instead of saying the address is read-only.
    jsonld = client.patch(
        "/api/v1/practices/barcelona-anti-rumour-strategy.jsonld", json={"summary": "x"}
    )
    assert jsonld.status_code == 405 and jsonld.headers["allow"] == "GET, HEAD"
    # The practice's own address still names both of the methods its two routes serve.
    options = client.options("/api/v1/practices/barcelona-anti-rumour-strategy")
    assert options.headers["allow"] == "GET, HEAD, PATCH"


@SQLITE_ONLY
def test_responses_are_gzipped_for_clients_that_accept_it(signed_out: TestClient) -> None:
    client = signed_out
    for path, kind in (
        ("/practices", "text/html"),
        ("/api/v1/practices?limit=20", "application/json"),
        ("/api/v1/practices.csv", "text/csv"),
        ("/practices.atom", "application/atom+xml"),
        ("/static/app.css", "text/css"),
    ):
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert zipped.status_code == 200, path
        assert zipped.headers["content-type"].startswith(kind), path
        assert zipped.headers.get("content-encoding") == "gzip", path
        assert "Accept-Encoding" in zipped.headers["vary"], path
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers, path
        assert zipped.text == plain.text or path == "/practices", path  # pages: CSRF token
    # A small answer is not worth compressing.
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    # What goes over the wire is gzip, and the ETag still validates.
    url = "/api/v1/practices/barcelona-anti-rumour-strategy"
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as raw:
        body = b"".join(raw.iter_raw())
        tag = raw.headers["etag"]
    assert gzip.decompress(body).startswith(b"{")
    assert int(raw.headers["content-length"]) == len(body)
    unchanged = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert unchanged.status_code == 304


@SQLITE_ONLY
def test_static_files_are_linked_by_version_and_cached_for_long(signed_out: TestClient) -> None:
    client = signed_out
    linked = set()
    for path in (PRACTICE, "/embed/practices?network=inclusive-cities", "/api/docs"):
        html = client.get(path).text
        linked |= set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))
    names = {url.split("?")[0] for url in linked}
    assert {"/static/app.css", "/static/app.js", "/static/favicon.svg"} <= names
    assert {"/static/embed.css", "/static/swagger-ui/swagger-ui-bundle.js"} <= names
    for url in linked:
        assert re.search(r"\?v=[0-9a-f]{12}$", url) or "/vendor/" in url, url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE, url
        revalidated = client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert revalidated.status_code == 304, url
        assert revalidated.headers["cache-control"] == IMMUTABLE, url
    # Without the version (or with an old one) the file may have changed since: a short cache.
    for url in ("/static/app.css", "/static/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=3600", url
    assert client.get("/static/no-such-file.css?v=000000000000").status_code == 404
