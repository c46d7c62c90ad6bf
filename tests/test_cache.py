"""Lists, peers and vocabularies are cached in memory per catalogue version
(app/catalogue/cache.py). A cache must never show a reader the catalogue as it was."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.catalogue.search import index_practices
from app.catalogue.tracking import catalogue_version
from app.db import make_engine
from app.models.places import Place, PlaceFact
from app.models.practices import Practice
from tests.factories import practice_in, published_edit, published_practice

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

NEW_WORD = "Quillomantic"


def test_a_practice_renamed_by_another_process_is_found_by_its_new_name_at_once(
    client: TestClient, engine: Engine
) -> None:
    url = "/api/v1/practices?q=" + NEW_WORD.lower() + "&facets=country"
    assert client.get(url).json()["total"] == 0  # now cached
    # Another worker process has its own engine and its own cache.
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))
    with Session(other) as session:
        practice = session.exec(select(Practice).order_by(Practice.id)).first()  # type: ignore[arg-type]
        assert practice is not None and practice.id is not None
        practice_id, old_title = practice.id, practice.title
        practice.title = f"{NEW_WORD} {old_title}"
        session.add(practice)
        index_practices(session, [practice_id])
        session.commit()
    try:
        found = client.get(url).json()
        assert found["total"] == 1
        assert found["items"][0]["title"] == f"{NEW_WORD} {old_title}"
        assert found["facets"]["country"][0]["count"] == 1
    finally:
        with Session(other) as session:
            practice = session.get(Practice, practice_id)
            assert practice is not None
            practice.title = old_title
            session.add(practice)
            index_practices(session, [practice_id])
            session.commit()
        other.dispose()
    assert client.get(url).json()["total"] == 0


def test_a_corrected_population_changes_the_peers_shown_for_the_place(
    client: TestClient, engine: Engine
) -> None:
    url = "/api/v1/places/germany/peers"

    def shown_population() -> str | None:
        subject = client.get(url).json()["subject"]
        return subject["shown"]["population"]  # type: ignore[no-any-return]

    before = shown_population()
    with Session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == "germany")).one()
        fact = PlaceFact(place_id=place.id, key="population", value=123456789, year=2999)
        session.add(fact)
        session.commit()
        fact_id = fact.id
    try:
        assert shown_population() == "123,456,789"
    finally:
        with Session(engine) as session:
            session.delete(session.get(PlaceFact, fact_id))
            session.commit()
    assert shown_population() == before


def test_only_committed_changes_to_the_catalogue_count(engine: Engine) -> None:
    with Session(engine) as session:
        start = catalogue_version(session)
    with Session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == "germany")).one()
        place.name = "Not Germany"
        session.add(place)
        session.flush()
        session.rollback()
    with Session(engine) as session:
        assert catalogue_version(session) == start  # rolled back: nothing changed
        place = session.exec(select(Place).where(Place.slug == "germany")).one()
        place.governance_notes = (place.governance_notes or "") + " "
        session.add(place)
        session.commit()
        assert catalogue_version(session) == start + 1
        place.governance_notes = place.governance_notes.rstrip()
        session.add(place)
        session.commit()
        assert catalogue_version(session) == start + 2


def test_a_word_edited_out_is_no_longer_found_and_lists_show_the_new_title(
    client: TestClient, engine: Engine
) -> None:
    # What searches share (the matches of a word, each practice's summary) outlasts other
    # practices' changes, never the practice's own.
    slug = published_practice(
        engine, practice_in(title=f"{NEW_WORD} story circle"), "barcelona-city-council"
    )
    url = "/api/v1/practices?q=" + NEW_WORD.lower()
    assert [i["slug"] for i in client.get(url).json()["items"]] == [slug]
    other = published_practice(
        engine, practice_in(title="Unrelated walk"), "barcelona-city-council"
    )
    assert client.get(url + "&limit=5").json()["total"] == 1
    published_edit(engine, slug, title="Plain story circle")
    assert client.get(url + "&limit=6").json()["total"] == 0
    found = client.get("/api/v1/practices", params={"q": "story circle", "limit": 100}).json()
    assert "Plain story circle" in [i["title"] for i in found["items"]]
    published_edit(engine, other, title=f"Unrelated {NEW_WORD} walk")
    assert [i["slug"] for i in client.get(url + "&limit=7").json()["items"]] == [other]
