"""The gazetteer: loading GeoNames' places, linking the places the reports name, finding any
place by any of its names, and filing a practice under a town the reports never named."""

import html
import re
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.cli import main
from app.loaders.gazetteer import loader
from app.loaders.gazetteer.reading import read_entries
from app.models.accounts import User
from app.models.places import Place, PlaceFact
from app.models.practices import Practice
from app.models.vocabularies import Source
from app.places.gazetteer.matches import confirm_match, pending_matches
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

# Places the reports name, with the GeoNames entry each must get (or none).
LINKED = {
    "barcelona": 3128760,  # the only Barcelona in Spain
    "frankfurt": 2925533,  # Frankfurt am Main, clearly larger than Frankfurt (Oder)
    "munster": 2867543,  # Münster in Westphalia, clearly the largest Münster
    "newport": 2641598,  # Newport in Wales, not the Isle of Wight's
    "reggio-emilia": 3169522,  # GeoNames calls it Reggio nell'Emilia
    "zurich": 2657896,
}
HTMX = {"HX-Request": "true"}  # the picker asks for its suggestions as a fragment
NOT_POPULATED_PLACES = ["kirklees", "london", "catalonia", "breckland", "greater-manchester"]


def place(engine: Engine, slug: str) -> Place:
    with Session(engine) as session:
        return session.exec(select(Place).where(Place.slug == slug)).one()


@pytest.mark.parametrize(("slug", "geonames_id"), LINKED.items())
def test_places_the_reports_name_are_linked_where_the_match_is_certain(
    engine: Engine, slug: str, geonames_id: int
) -> None:
    linked = place(engine, slug)
    assert linked.geonames_id == geonames_id
    assert linked.catalogued and linked.latitude is not None


@pytest.mark.parametrize("slug", NOT_POPULATED_PLACES)
def test_boroughs_counties_regions_and_city_regions_are_never_matched(
    engine: Engine, slug: str
) -> None:
    assert place(engine, slug).geonames_id is None


def test_a_gazetteer_place_has_its_population_with_source_licence_and_year(
    client: TestClient,
) -> None:
    bilbao = client.get("/api/v1/places/bilbao").json()
    assert bilbao["name"] == "Bilbao" and bilbao["country"] == "ES"
    assert bilbao["geonames_id"] == 3128026 and bilbao["latitude"] == pytest.approx(43.26, 0.01)
    (population,) = [f for f in bilbao["facts"] if f["key"] == "population"]
    assert population["value"] == 347342 and population["year"] is None  # GeoNames gives none
    assert population["source"]["title"].startswith("GeoNames")
    assert "loaded" in population["source"]["date_note"]  # which copy, read when
    page = client.get("/places/bilbao").text
    assert "GeoNames" in page and "CC BY 4.0" in page


@pytest.mark.parametrize("text", ["Koln", "Cologne", "Köln", "köln", "KOLN"])
def test_a_place_is_found_by_its_local_or_english_name_with_or_without_diacritics(
    client: TestClient, text: str
) -> None:
    items = client.get("/api/v1/places", params={"q": text}).json()["items"]
    assert "koln" in [p["slug"] for p in items]
    suggestions = client.get(
        "/places/suggest", params={"field": "place", "place_q": text}, headers=HTMX
    )
    assert suggestions.status_code == 200
    assert 'value="koln"' in suggestions.text and "Germany" in suggestions.text


def test_suggestions_put_the_place_of_that_name_first_and_show_the_country(
    client: TestClient,
) -> None:
    html = client.get("/places/suggest", params={"field": "a", "a_q": "malmo"}, headers=HTMX).text
    assert html.index('value="') == html.index('value="malmo"')
    assert "Malmö" in html and "Sweden" in html
    newports = client.get(
        "/places/suggest", params={"field": "a", "a_q": "Newport"}, headers=HTMX
    ).text
    assert newports.count('name="a"') >= 3  # namesakes, told apart by size
    assert "people" in newports


def test_lists_show_the_catalogue_unless_all_places_are_asked_for(client: TestClient) -> None:
    catalogue = client.get("/api/v1/places", params={"limit": 200}).json()
    everything = client.get("/api/v1/places", params={"scope": "all", "limit": 1}).json()
    assert 100 < catalogue["total"] < 300
    assert everything["total"] > 20000
    assert "bilbao" not in [p["slug"] for p in catalogue["items"]]
    assert client.get("/places", params={"q": "Bilbao"}).text.count("/places/bilbao") >= 1


def _fresh(engine: Engine) -> None:
    """Remove the loaded gazetteer from this copy, as on a database seeded only."""
    with Session(engine) as session:
        gazetteer = select(Place.id).where(col(Place.catalogued).is_(False))
        session.exec(  # type: ignore[call-overload]
            PlaceFact.__table__.delete().where(col(PlaceFact.place_id).in_(gazetteer))
        )
        session.exec(Place.__table__.delete().where(col(Place.catalogued).is_(False)))  # type: ignore[call-overload]
        session.commit()


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        places = session.exec(select(func.count()).select_from(Place)).one()
        facts = session.exec(select(func.count()).select_from(PlaceFact)).one()
    return places, facts


@pytest.mark.writes
def test_loading_is_idempotent_and_prints_its_counts(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    _fresh(engine)
    assert main(["gazetteer", "--min-population", "100000"]) == 0
    first = capsys.readouterr().out
    assert f"read {len(read_entries(100000)):,} GeoNames places" in first
    added = int(first.split("places: ")[1].split(" added")[0].replace(",", ""))
    assert added > 900  # Europe's places of 100,000 people, less those the reports name
    after_first = _counts(engine)
    assert main(["gazetteer", "--min-population", "100000"]) == 0
    second = capsys.readouterr().out
    assert "0 added, 0 updated" in second
    assert _counts(engine) == after_first
    assert main(["gazetteer", "--if-empty"]) == 0
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.writes
def test_a_load_that_fails_half_way_writes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh(engine)
    before = _counts(engine)
    entries = read_entries(100000)
    # GeoNames data with the same place twice: the second insert breaks a unique key.
    broken = [*entries, replace(entries[-1], name="Duplicate")]

    def read_broken(_min_population: int) -> list[Any]:
        return broken

    monkeypatch.setattr(loader, "read_entries", read_broken)
    with Session(engine) as session, pytest.raises(Exception):  # noqa: B017
        loader.load_gazetteer(session, 100000)
    assert _counts(engine) == before
    with Session(engine) as session:
        assert session.exec(select(Source).where(Source.slug == "geonames")).first() is not None
        assert place(engine, "barcelona").geonames_id == LINKED["barcelona"]  # as before


@pytest.mark.writes
def test_a_member_files_a_practice_under_a_town_the_reports_never_named(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "member", "oslo-city-council"))
    token = csrf_from(client.get("/practices/new").text)
    form = practice_form("Rumour-busting walks", place="", place_q="Bilbao")
    response = client.post(
        "/practices/new",
        data={**form, "action": "save", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    slug = response.headers["location"].split("/practices/")[1].split("/edit")[0]
    edit = client.get(f"/practices/{slug}/edit").text
    assert 'value="bilbao" checked' in edit
    assert not place(engine, "bilbao").catalogued  # not until the practice is published


@pytest.mark.writes
@pytest.mark.parametrize(
    ("typed", "message"),
    [("Newport", "places are called"), ("Qwxyzville", "No place is called")],
)
def test_an_ambiguous_or_unknown_place_name_is_shown_next_to_the_field(
    signed_out: TestClient, engine: Engine, typed: str, message: str
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "member", "oslo-city-council"))
    token = csrf_from(client.get("/practices/new").text)
    form = practice_form("Story circles in a namesake town", place="", place_q=typed)
    before = _counts(engine)
    with Session(engine) as session:
        practices = session.exec(select(func.count()).select_from(Practice)).one()
    response = client.post("/practices/new", data={**form, "action": "save", "csrf_token": token})
    assert response.status_code == 422
    assert message in response.text and 'id="place-error"' in response.text
    assert _counts(engine) == before
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Practice)).one() == practices


@pytest.mark.writes
def test_a_gazetteer_place_enters_the_catalogue_when_a_practice_there_is_published(
    client: TestClient, engine: Engine
) -> None:
    assert "bilbao" not in [p["slug"] for p in client.get("/api/v1/places").json()["items"]]
    published_practice(engine, practice_in(place="bilbao"), "oslo-city-council")
    assert place(engine, "bilbao").catalogued
    listed = client.get("/api/v1/places", params={"country": "ES", "limit": 200}).json()
    assert "bilbao" in [p["slug"] for p in listed["items"]]


def test_a_town_without_its_own_foreign_born_share_shows_its_countrys_labelled(
    client: TestClient,
) -> None:
    facts = client.get("/api/v1/places/bilbao").json()["facts"]
    (share,) = [f for f in facts if f["key"] == "foreign-born-share"]
    assert share["place"]["slug"] == "spain" and share["value"] > 0
    assert "Spain's figure" in html.unescape(client.get("/places/bilbao").text)
    country = client.get("/api/v1/places/spain").json()
    assert "bilbao" not in [c["slug"] for c in country["children"]]  # not in the catalogue


@pytest.mark.writes
def test_an_ambiguous_match_waits_for_a_moderator_and_confirming_it_merges_the_two(
    engine: Engine,
) -> None:
    # Spain has two Salamancas of about 145,000 people (the city, and a district of Madrid).
    named_place_with_two_matches(engine)
    with Session(engine) as session:
        named = session.exec(select(Place).where(Place.slug == "salamanca-council")).one()
        assert named.geonames_id is None  # never guessed
        pending = pending_matches(session)
        candidates = [m for m, p in pending if p.slug == "salamanca-council"]
        assert len(candidates) == 2 and all(m.name == "Salamanca" for m in candidates)
        chosen = candidates[0]
        chosen_id, chosen_population = chosen.geonames_id, chosen.population
        copy = session.exec(select(Place).where(Place.geonames_id == chosen_id)).one()
        copy_id = copy.id
        moderator = session.get(User, user_id(engine, new_user(engine, "moderator")))
        assert moderator is not None
        confirm_match(session, moderator, int(chosen.id or 0))
    with Session(engine) as session:
        named = session.exec(select(Place).where(Place.slug == "salamanca-council")).one()
        assert named.geonames_id == chosen_id and named.latitude is not None
        assert session.get(Place, copy_id) is None  # one place, not two
        assert not [m for m, p in pending_matches(session) if p.slug == "salamanca-council"]
        population = session.exec(
            select(PlaceFact).where(PlaceFact.place_id == named.id, PlaceFact.key == "population")
        ).one()
        assert population.value == chosen_population
        # Loading again changes nothing and brings no second Salamanca back.
        loader.load_gazetteer(session, 100000)
        assert (
            session.exec(
                select(func.count()).select_from(Place).where(Place.geonames_id == chosen_id)
            ).one()
            == 1
        )


@pytest.mark.writes
def test_a_moderator_confirms_a_match_on_the_place_matches_page(
    signed_out: TestClient, engine: Engine
) -> None:
    named_place_with_two_matches(engine)
    client = signed_out
    sign_in(client, new_user(engine, "member", "oslo-city-council"))
    assert client.get("/moderation/places", follow_redirects=False).status_code == 403
    client.cookies.clear()
    sign_in(client, new_user(engine, "moderator"))
    assert "2 matches to confirm" in client.get("/moderation").text
    page = client.get("/moderation/places").text
    assert page.count('value="confirm"') == 2 and "Salamanca" in page
    first = re.search(r'action="/moderation/places/(\d+)', page)
    assert first is not None
    response = client.post(
        f"/moderation/places/{first.group(1)}",
        data={"action": "confirm", "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert place(engine, "salamanca-council").geonames_id is not None
    assert 'value="confirm"' not in client.get("/moderation/places").text


def test_suggestions_opened_on_their_own_are_a_page_of_links(client: TestClient) -> None:
    page = client.get("/places/suggest", params={"field": "place", "place_q": "Newport"}).text
    assert "<h1>" in page and page.count('href="/places/newport') >= 3


def test_the_home_page_counts_the_catalogues_countries_not_the_gazetteers(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        catalogued = session.exec(
            select(func.count(func.distinct(Place.country))).where(col(Place.catalogued))
        ).one()
    page = client.get("/").text
    assert f"<dt>Countries</dt><dd>{catalogued}</dd>" in page
