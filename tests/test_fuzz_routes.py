"""No input gives a 5xx, anywhere: Hypothesis drives every route of the site and the API
(read from the application, so a new route is covered without a word here) with hostile
path parameters, query parameters, form fields, JSON bodies and headers (``If-Match``,
``Idempotency-Key``, ``Accept-Language``, ``Cookie``), as an anonymous visitor, a signed-in
member and a member's API key, on SQLite and PostgreSQL. Every answer is a 2xx, 3xx or 4xx,
and an error leaves the database as it was.

Hostile means: integers past any column, lone surrogates, control characters, direction
overrides, very long text, values of the wrong type and shape, and cursors that are base64
of JSON no list issued. A valid request is the starting point, with a few of its values
replaced, so that the hostile ones reach the code behind the first checks.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, String, cast, func, select
from sqlmodel import SQLModel

from app.web.csrf import COOKIE as CSRF_COOKIE
from tests.factories import (
    csrf_from,
    new_key,
    practice_form,
    signed_in_client,
)
from tests.fuzz_targets import ENDPOINTS, Endpoint, json_base, valid_path_value
from tests.hostile_values import (
    encoded,
    hostile,
    hostile_for,
    json_values,
)

pytestmark = pytest.mark.writes  # hostile writes that succeed land in a copy

EXAMPLES = 2  # per route and method, and more for routes with many parameters (up to 6)

# --- The database, before and after ------------------------------------------------------

# Tables an error may write to: the audit trail and sign-in throttle, sessions, password
# links and idempotency records. Every other table stays as it was.
UNWATCHED = {"user_session", "password_token", "audit_event", "idempotent_request"}
# The gazetteer's tables are large: their highest id stands for their count, to keep the
# check cheap (a request adds places, it never deletes one).
LARGE = {"place", "place_fact"}


def _states(engine: Engine, table: Any, column: str) -> Any:
    """Every row's ``column`` (a state, a flag), in id order, as one text."""
    rows = select(cast(table.c[column], String).label("v")).order_by(table.c.id).subquery()
    joined = func.string_agg if engine.dialect.name == "postgresql" else func.group_concat
    return select(joined(rows.c.v, ",")).scalar_subquery()


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """Row counts, the latest change, the sum of versions and every row's state, of the
    tables a request may change."""
    columns = []
    for name, table in SQLModel.metadata.tables.items():
        if name in UNWATCHED:
            continue
        if name in LARGE:
            columns.append(select(func.max(table.c.id)).scalar_subquery())
        else:
            columns.append(select(func.count()).select_from(table).scalar_subquery())
        for column in ("updated_at", "revoked_at", "version"):
            if column in table.c:
                aggregate = func.sum if column == "version" else func.max
                columns.append(select(aggregate(table.c[column])).scalar_subquery())
        for column in ("status", "state", "is_active", "trusted", "role"):
            if column in table.c and "id" in table.c:
                columns.append(_states(engine, table, column))
    with engine.connect() as connection:
        return tuple(connection.execute(select(*columns)).one())


# --- Who asks ------------------------------------------------------------------------------


class Visitors:
    """An anonymous browser, a signed-in member's browser and two members' API keys, and
    the ids of records the paths can name."""

    def __init__(self, client: TestClient, engine: Engine) -> None:
        self.engine = engine
        self.anonymous = TestClient(client.app, raise_server_exceptions=False)
        self.member = TestClient(client.app, raise_server_exceptions=False)
        self.sign_in()
        self.anonymous.get("/login")  # its CSRF cookie
        self.keys = [
            new_key(engine, "read", "write", organisation="barcelona-city-council"),
            new_key(engine, "read", "write", organisation="compas"),  # coordinates a network
        ]
        members = client.get("/api/v1/networks/inclusive-cities/members").json()["items"]
        self.ids = {"member_id": str(members[0]["id"])} if members else {}
        self.state = fingerprint(engine)

    def sign_in(self) -> None:
        signed_in_client(self.member, self.engine, "member", "barcelona-city-council")
        csrf_from(self.member.get("/practices/new").text)  # sets the CSRF cookie

    def still_signed_in(self) -> None:
        """Sign in again if a fuzzed request signed the member out (``/logout``)."""
        if self.member.get("/my/practices", follow_redirects=False).status_code != 200:
            self.sign_in()


@pytest.fixture
def visitors(client: TestClient, engine: Engine) -> Iterator[Visitors]:
    yield Visitors(client, engine)


# --- One request ---------------------------------------------------------------------------


def request_for(draw: Callable[..., Any], endpoint: Endpoint, visitors: Visitors) -> dict[str, Any]:
    """The arguments of one request to ``endpoint``: a valid one, with hostile values in
    one or two places."""
    who = draw(st.sampled_from(["anonymous", "member", "key"]))
    browser = visitors.member if who == "member" else visitors.anonymous
    targets = draw(st.lists(st.sampled_from(endpoint.weighted_slots()), min_size=1, max_size=2))
    bad = {slot: draw(hostile_for(slot[1])) for slot in targets}

    headers: dict[str, bytes] = {}
    if who == "key":
        headers["Authorization"] = f"Bearer {draw(st.sampled_from(visitors.keys))}".encode()
    path = endpoint.path
    for name in endpoint.path_params:
        valid = valid_path_value(endpoint.path, name, visitors.ids)
        path = path.replace(f"{{{name}}}", encoded(bad.get(("path", name), valid)))
    query = [
        f"{encoded(name)}={encoded(value)}"
        for (part, name), value in bad.items()
        if part == "query" and name != "*"
    ]
    if ("query", "*") in bad:
        query.append(f"{encoded(draw(hostile))}={encoded(bad['query', '*'])}")
    url = path + ("?" + "&".join(query) if query else "")

    content: bytes | None = None
    if endpoint.json_body:
        body: Any = json_base(endpoint.method, endpoint.path)
        for (part, name), _value in bad.items():
            if part == "json":
                if name == "*":
                    body = draw(json_values)
                elif isinstance(body, dict):
                    body[name] = draw(json_values | hostile_for(name))
        content = json.dumps(body).encode()
        headers["Content-Type"] = b"application/json"
    elif endpoint.web_form:
        fields = {
            **practice_form("Story circle"),
            "csrf_token": browser.cookies.get(CSRF_COOKIE, ""),
        }
        for (part, name), value in bad.items():
            if part == "form":
                fields[draw(hostile) if name == "*" else name] = value
        content = "&".join(f"{encoded(k)}={encoded(v)}" for k, v in fields.items()).encode()
        headers["Content-Type"] = b"application/x-www-form-urlencoded"

    for (part, name), value in bad.items():
        if part == "header":
            headers[name] = value.encode("utf-8", "surrogatepass")
        elif part == "cookie":  # the visitor's cookies, one of them replaced
            jar = {**dict(browser.cookies.items()), name: value}
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
            headers["Cookie"] = cookie.encode("utf-8", "surrogatepass")
    return {
        "client": browser,
        "method": endpoint.method,
        "url": url,
        "content": content,
        "headers": headers,
    }


def check(endpoint: Endpoint, visitors: Visitors) -> None:
    """Hostile requests to ``endpoint``: each answered below 500, and an error changes
    nothing in the database."""

    @settings(
        max_examples=min(EXAMPLES + len(endpoint.slots()) // 4, 6),
        derandomize=True,
        deadline=None,
        database=None,
        # No shrinking: the database moves on, so an example may not fail the same way
        # twice; the message says the whole request.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_request(data: st.DataObject) -> None:
        arguments = request_for(data.draw, endpoint, visitors)
        client = arguments.pop("client")
        response = client.request(**arguments, follow_redirects=False)
        said = (
            f"{arguments['method']} {arguments['url'][:300]} {arguments['headers']!r:.300} "
            f"{arguments['content']!r:.300} -> {response.status_code}"
        )
        assert response.status_code < 500, said
        before, visitors.state = visitors.state, fingerprint(visitors.engine)
        if response.status_code >= 400:
            assert visitors.state == before, f"{said} changed the database"

    one_request()


def test_no_route_answers_5xx(visitors: Visitors) -> None:
    failures = []
    for endpoint in ENDPOINTS:
        try:
            check(endpoint, visitors)
        except Exception as exc:  # every route's first failure, not just the first's
            failures.append(f"{endpoint.method} {endpoint.path}: {str(exc)[:600]}")
        visitors.still_signed_in()
        visitors.state = fingerprint(visitors.engine)
    assert not failures, "\n".join(failures)


def test_every_route_is_driven() -> None:
    paths = {(e.method, e.path) for e in ENDPOINTS}
    assert ("POST", "/practices/new") in paths and ("PATCH", "/api/v1/practices/{slug}") in paths
    assert len(paths) > 60
