"""Hostile input is refused with a 4xx and a message, never a 500 (audit findings 6, 11
and 12): cursors of the wrong shape, integers past what a database holds, control
characters and lone surrogates in text, and spreadsheet formulas in the CSV export."""

import base64
import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import (
    auth,
    csrf_from,
    new_key,
    practice_data,
    practice_form,
    practice_in,
    published_practice,
    signed_in_client,
)

PRACTICE = "barcelona-anti-rumour-strategy"
HUGE = "99999999999999999999999"


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Cursors that decode to the wrong shapes, kinds and ranges (each once a 500 somewhere).
BAD_CURSORS = [
    "W1sidGl0bGUiLCAiYSJdLCB0cnVlXQ",  # [["title", "a"], true], from the audit
    cursor_of("[[1], 1]"),
    cursor_of('[{"a": 1}, 1]'),
    cursor_of("[null, 1]"),
    cursor_of("[true, true]"),
    cursor_of(f"[{HUGE}, 1]"),  # a number: the right kind for lists by relevance (q=)
    cursor_of(f'["a", {HUGE}]'),
    cursor_of('["a", -5]'),
    cursor_of('["\\u0000", 1]'),
    cursor_of('["\\ud800", 1]'),
    cursor_of("[NaN, 1]"),
    cursor_of('{"a": 1}'),
    cursor_of("[1, 2, 3]"),
    cursor_of("null"),
    "%%%",
]
CURSOR_LISTS = [
    "/api/v1/places",
    "/api/v1/places?q=bar",
    "/api/v1/organisations",
    "/api/v1/networks",
    "/api/v1/networks/inclusive-cities/members",
    "/api/v1/practices",
    "/places",
    "/places?q=bar",
    "/practices",
    "/practices?q=rumour",
]


@pytest.mark.parametrize("path", CURSOR_LISTS)
def test_a_cursor_of_the_wrong_shape_is_refused(client: TestClient, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    for cursor in BAD_CURSORS:
        if "q=" in path and cursor == cursor_of(f"[{HUGE}, 1]"):
            continue  # a position after every place: a page, empty or not
        response = client.get(f"{path}{joiner}cursor={cursor}")
        assert response.status_code in (400, 422), (cursor, response.status_code)
        assert "cursor" in response.text
    if path.startswith("/api/"):
        assert "not a cursor this server issued" in response.json()["detail"]


def test_a_changes_cursor_past_any_sequence_number_is_refused(client: TestClient) -> None:
    for raw in (f"[{HUGE}, 1]", f"[1, {HUGE}]", "[1.5, 1]", '["1", 1]', "[1, -1]"):
        response = client.get(f"/api/v1/changes?since={cursor_of(raw)}")
        assert response.status_code == 422, (raw, response.status_code)
        assert response.json()["errors"][0]["param"] == "cursor"


def test_integers_past_any_record_id_are_refused(client: TestClient) -> None:
    for path in (
        f"/practices/{PRACTICE}/revisions/{HUGE}",
        f"/practices/{PRACTICE}/revisions/-1",
        f"/api/v1/networks/inclusive-cities/members/{HUGE}",
    ):
        assert client.get(path).status_code in (404, 422), path


@pytest.mark.writes
def test_admin_forms_refuse_huge_ids_and_control_characters(
    client: TestClient, engine: Engine
) -> None:
    signed_in_client(client, engine, "admin", None)
    token = csrf_from(client.get("/admin/users").text)
    for path in (f"/admin/users/{HUGE}/active", f"/admin/api-keys/{HUGE}/revoke"):
        response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code in (404, 422), path
    # An account's name and a key's name are text like any other (and one line).
    for path, fields, code in (
        ("/admin/users", {"email": "new@example.org", "name": "Ann\x1b[2J"}, "U+001B"),
        ("/admin/api-keys", {"name": "Feed\u202e", "scopes": "read"}, "U+202E"),
    ):
        fields = {**fields, "organisation": "oslo-city-council", "csrf_token": token}
        response = client.post(path, data=fields)
        assert response.status_code == 422 and code in response.text, path


@pytest.mark.writes
def test_an_if_match_with_a_huge_version_is_refused(client: TestClient, engine: Engine) -> None:
    key = new_key(engine, "read", "write")
    response = client.patch(
        f"/api/v1/practices/{PRACTICE}",
        json={"summary": "Changed."},
        headers={**auth(key), "If-Match": f'"v{"9" * 5000}."'},
    )
    # Longer than any ETag (the document says so: maxLength 100), so no version at all.
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "header.if-match"
    stale = client.patch(
        f"/api/v1/practices/{PRACTICE}",
        json={"summary": "Changed."},
        headers={**auth(key), "If-Match": f'"v{"9" * 40}."'},
    )
    assert stale.status_code == 412, "a well-formed version that is not the current one"


@pytest.mark.writes
def test_the_edit_form_refuses_odd_versions_and_row_numbers(
    client: TestClient, engine: Engine
) -> None:
    signed_in_client(client, engine, "member", "oslo-city-council")
    token = csrf_from(client.get("/practices/new").text)
    created = client.post(
        "/practices/new",
        data={**practice_form("Story circle"), "csrf_token": token, "action": "save"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    edit = created.headers["location"].split("?")[0]
    for fields in (
        {"version": "²"},
        {"version": "9" * 5000},
        {"version": "1", f"outcomes-{'9' * 5000}-text": "Counted."},
    ):
        response = client.post(
            edit,
            data={**practice_form("Story circle"), "csrf_token": token, **fields},
            follow_redirects=False,
        )
        assert response.status_code in (303, 409, 422), fields


CONTROLS = ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\ud800"]


@pytest.mark.writes
def test_the_api_refuses_control_characters_in_text_naming_the_field(
    client: TestClient, engine: Engine
) -> None:
    key = new_key(engine, "read", "write")
    for character in CONTROLS:
        for field in ("title", "summary"):
            data = practice_data(f"Story circle {character!r}")
            data[field] = f"Story{character} circle"
            # json.dumps writes a lone surrogate as the escape \ud800, as a client would
            response = client.post(
                "/api/v1/practices",
                content=json.dumps(data),
                headers={**auth(key), "Content-Type": "application/json"},
            )
            assert response.status_code == 422, (character, field, response.text)
            error = response.json()["errors"][0]
            assert error["param"] == field
            assert f"U+{ord(character):04X}" in error["message"]
    # Any string of a body, a slug or a key as well (each was a 500 on PostgreSQL or both).
    for body in (
        '{"place": "bar\\u0000celona", "role": "member"}',
        '{"organisation": "\\ud800", "role": "member"}',
    ):
        response = client.post(
            "/api/v1/networks/inclusive-cities/members",
            content=body,
            headers={**auth(key), "Content-Type": "application/json"},
        )
        assert response.status_code == 422, body
    data = {**practice_data("Story circle"), "terms": {"\ud800": ["x"]}}
    response = client.post(
        "/api/v1/practices",
        content=json.dumps(data),
        headers={**auth(key), "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and "U+D800" in response.text
    # Tabs and line breaks stay welcome in text that has several lines.
    data = practice_data("Story circle", summary="First line.\n\tSecond line.\r\nThird.")
    response = client.post("/api/v1/practices", json=data, headers=auth(key))
    assert response.status_code == 201, response.text
    # ... and not in a title, which is one line.
    data = practice_data("Story\ncircle")
    response = client.post("/api/v1/practices", json=data, headers=auth(key))
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "title"


@pytest.mark.writes
def test_the_form_refuses_control_characters_next_to_the_field(
    client: TestClient, engine: Engine
) -> None:
    signed_in_client(client, engine, "member", "oslo-city-council")
    token = csrf_from(client.get("/practices/new").text)
    fields: dict[str, Any] = {
        **practice_form("Story\x1b circle"),
        "outcomes-0-text": "Counted\u202e.",
        "csrf_token": token,
        "action": "save",
    }
    response = client.post("/practices/new", data=fields, follow_redirects=False)
    assert response.status_code == 422
    assert response.text.count("U+001B") >= 1 and "U+202E" in response.text


def test_nul_in_addresses_and_queries_is_refused(client: TestClient) -> None:
    for path in (
        "/practices/%00",
        "/places/bar%00celona",
        "/api/v1/practices/%00",
        "/api/v1/places?q=%00",
        "/api/v1/practices?q=a%00b",
        "/practices?q=%00",
        "/api/v1/vocabularies/%00",
    ):
        response = client.get(path)
        assert response.status_code == 422, (path, response.status_code)
        assert "U+0000" in response.text


def test_a_csrf_token_of_any_characters_is_refused_plainly(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    for sent in ("é", token + "é"):
        response = client.post("/login", data={"email": "a@example.org", "csrf_token": sent})
        assert response.status_code == 403


FORMULAS = ['=HYPERLINK("http://x.example","x")', "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "+1"]


@pytest.mark.writes
def test_the_csv_neutralises_formulas(client: TestClient, engine: Engine) -> None:
    for title in FORMULAS:
        published_practice(engine, practice_in(title=title), "barcelona-city-council")
    response = client.get("/api/v1/practices.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    titles = {row["title"] for row in rows}
    assert {"'" + title for title in FORMULAS} <= titles
    assert not any(
        row[column][:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for column in row
    )
    assert "formula" in client.get("/data").text


@pytest.mark.writes
def test_the_feed_stays_readable_when_older_rows_hold_control_characters(
    client: TestClient, engine: Engine
) -> None:
    """Rows saved before the rule of characters may hold them; the feed must still parse."""
    from datetime import UTC, datetime
    from xml.etree import ElementTree

    from sqlmodel import Session, select

    from app.models.practices import Practice

    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.slug == PRACTICE)).one()
        practice.title = "Anti\x02-rumour\x1b strategy"  # (PostgreSQL holds no NUL)
        practice.summary = "Candid\x0b summary"
        practice.published_at = datetime.now(UTC)  # first in the feed
        session.add(practice)
        session.commit()
    feed = ElementTree.fromstring(client.get("/practices.atom").content)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Anti-rumour strategy" in titles


@pytest.mark.writes
def test_a_practice_with_countless_schemes_is_refused_in_one_error(
    client: TestClient, engine: Engine
) -> None:
    # 1,500 made-up schemes once gave 1,500 errors and a 99,000-character answer, past the
    # limits the API's document states.
    key = new_key(engine, "read", "write")
    terms = {f"scheme-{n}": ["x"] for n in range(1500)}
    response = client.post("/api/v1/practices", json=practice_data(terms=terms), headers=auth(key))
    assert response.status_code == 422
    assert [e["param"] for e in response.json()["errors"]] == ["terms"]
    assert len(response.text) < 2000
