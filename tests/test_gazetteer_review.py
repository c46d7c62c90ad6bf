"""What a review of the gazetteer found: hostile search text, a merge that left drafts
pointing at a removed place, members-only practices putting places in the catalogue, and
searches that ranked a city below its suburbs. Each test failed before its fix."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.accounts import User
from app.models.places import Place, PlaceMatch
from app.models.practices import Practice
from app.places.gazetteer.matches import confirm_match
from app.practices.revisions import open_revision
from tests.factories import (
    csrf_from,
    named_place_with_two_matches,
    new_user,
    practice_form,
    practice_in,
    published_practice,
    sign_in,
    user_id,
)

NUL = "Bil\x00bao"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/places/suggest", {"field": "place", "place_q": NUL}),
        ("/peers", {"place_q": NUL}),
        ("/peers", {"place": NUL}),
        ("/compare", {"a": NUL, "b": "spain"}),
        ("/api/v1/places", {"q": NUL}),
        ("/places", {"q": NUL}),
    ],
)
def test_a_nul_byte_in_search_text_is_no_error(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    assert client.get(path, params=params).status_code < 500


def test_text_that_folds_to_nothing_searches_nothing(client: TestClient) -> None:
    for text in ("-", "_", "+", "  "):
        found = client.get("/api/v1/places", params={"q": text, "limit": 1}).json()
        assert found["total"] < 1000, text  # not every place of Europe


@pytest.mark.parametrize("city", ["Nice", "Paris", "Bilbao"])
def test_a_search_for_a_city_lists_it_first(client: TestClient, city: str) -> None:
    items = client.get("/api/v1/places", params={"q": city}).json()["items"]
    assert items[0]["name"] == city


@pytest.mark.writes
def test_a_very_long_place_name_in_the_practice_form_is_no_error(
    signed_out: TestClient, engine: Engine
) -> None:
    sign_in(signed_out, new_user(engine, "member", "oslo-city-council"))
    token = csrf_from(signed_out.get("/practices/new").text)
    form = practice_form("Long name", place="", place_q="Bilbao" * 20000)
    response = signed_out.post("/practices/new", data={**form, "csrf_token": token})
    assert response.status_code == 422


@pytest.mark.writes
def test_a_members_only_practice_does_not_put_its_place_in_the_catalogue(
    client: TestClient, engine: Engine
) -> None:
    published_practice(
        engine, practice_in(place="zwickau", visibility="network"), "oslo-city-council"
    )
    with Session(engine) as session:
        zwickau = session.exec(select(Place).where(Place.slug == "zwickau")).one()
        assert not zwickau.catalogued
    listed = client.get("/api/v1/places", params={"country": "DE", "limit": 200}).json()
    assert "zwickau" not in [p["slug"] for p in listed["items"]]


@pytest.mark.writes
def test_confirming_a_match_moves_drafts_filed_at_the_gazetteers_copy(
    signed_out: TestClient, engine: Engine
) -> None:
    named_place_with_two_matches(engine)
    with Session(engine) as session:
        match = session.exec(
            select(PlaceMatch).where(PlaceMatch.name == "Salamanca").order_by(PlaceMatch.id)
        ).first()
        assert match is not None
        copy = session.exec(select(Place).where(Place.geonames_id == match.geonames_id)).one()
        copy_slug, match_id = copy.slug, int(match.id or 0)
    # A member files a draft at the gazetteer's copy.
    sign_in(signed_out, new_user(engine, "member", "oslo-city-council"))
    token = csrf_from(signed_out.get("/practices/new").text)
    form = practice_form("Salamanca story circles", place=copy_slug)
    saved = signed_out.post(
        "/practices/new",
        data={**form, "action": "save", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    slug = saved.headers["location"].split("/practices/")[1].split("/edit")[0]
    with Session(engine) as session:
        moderator = session.get(User, user_id(engine, new_user(engine, "moderator")))
        assert moderator is not None
        confirm_match(session, moderator, match_id)
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.slug == slug)).one()
        named = session.exec(select(Place).where(Place.slug == "salamanca-council")).one()
        assert practice.place_id == named.id
        revision = open_revision(session, practice)
        assert revision is not None and revision.data["place"] == "salamanca-council"
    edit = signed_out.get(f"/practices/{slug}/edit").text
    assert 'value="salamanca-council" checked' in edit


def test_pages_of_a_search_follow_on_without_overlap(client: TestClient) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"q": "San", "limit": 7}
    for _page in range(4):
        body = client.get("/api/v1/places", params=params).json()
        seen += [p["slug"] for p in body["items"]]
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 28
    everything = client.get("/api/v1/places", params={"q": "San", "limit": 28}).json()
    assert [p["slug"] for p in everything["items"]] == seen
