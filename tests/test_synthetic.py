"""`interlocal synthetic` adds made-up places and practices for load tests, next to the
seeded catalogue and without touching it; what it adds is searchable and counted like any
other practice, and running it again replaces it."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.cli import main
from app.config import ROOT, get_settings
from app.db import get_engine
from app.loaders.synthetic.places import PREFIX
from app.models.places import Place
from app.models.practices import Practice, PracticeTerm
from app.models.vocabularies import VocabularyScheme, VocabularyTerm
from tests.conftest import fresh_database, use_database

PRACTICES, PLACES = 300, 40
SETTINGS = ("INTERLOCAL_DATABASE_URL", "INTERLOCAL_HTMX_URL", "INTERLOCAL_SEED_DIR")


@pytest.fixture
def private_settings() -> Iterator[None]:
    """Put the process settings back as they were once the test has pointed them at its
    own database (as test_seed does with ``use_database(catalogue)``), so tests after it
    see the database they expect."""
    saved = {name: os.environ.get(name) for name in SETTINGS}
    yield
    get_engine().dispose()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    get_engine.cache_clear()


def _migrated(request: pytest.FixtureRequest, kind: str, name: str, *, seeded: bool) -> None:
    from app.loaders.seed.writer import load_seed
    from app.migrations import upgrade

    url = fresh_database(request, kind, name)
    use_database(url)
    upgrade(url)
    if seeded:
        with Session(get_engine()) as session:
            load_seed(session, ROOT / "seed")


def _all_items(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(path, params={**params, "limit": 200, "cursor": cursor}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def _synthetic_counts() -> tuple[int, int, int]:
    """Synthetic practices, of which public, and synthetic places, in the database."""
    with Session(get_engine()) as session:
        synthetic = col(Practice.slug).startswith(PREFIX)
        practices = session.exec(select(func.count()).where(synthetic)).one()
        public = session.exec(
            select(func.count()).where(synthetic, col(Practice.visibility) == "public")
        ).one()
        places = session.exec(select(func.count()).where(col(Place.slug).startswith(PREFIX))).one()
    return practices, public, places


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_synthetic_data_is_added_beside_the_catalogue_and_replaced_on_a_rerun(
    request: pytest.FixtureRequest, kind: str, private_settings: None
) -> None:
    from app.main import create_app

    _migrated(request, kind, f"synthetic_{kind}", seeded=True)
    with TestClient(create_app()) as client:
        seeded = {p["slug"]: p for p in _all_items(client, "/api/v1/practices")}
        places_before = client.get("/api/v1/places", params={"limit": 1}).json()["total"]

        assert main(["synthetic", "--practices", str(PRACTICES), "--places", str(PLACES)]) == 0

        practices, public, places = _synthetic_counts()
        assert (practices, places) == (PRACTICES, PLACES)
        assert 0.9 * PRACTICES < public < PRACTICES  # about 3% are network-only
        listed = _all_items(client, "/api/v1/practices")
        assert len(listed) == len(seeded) + public
        assert client.get("/api/v1/practices").json()["total"] == len(seeded) + public
        assert client.get("/api/v1/places", params={"limit": 1}).json()["total"] == (
            places_before + PLACES
        )
        # The seeded practices read exactly as before.
        assert {p["slug"]: p for p in listed if p["slug"] in seeded} == seeded

        # Every synthetic practice has one lifecycle (checked for the hidden ones too).
        made_up = [p for p in listed if p["slug"].startswith(PREFIX)]
        assert all(len(p["terms"]["lifecycle"]) == 1 for p in made_up)
        with Session(get_engine()) as session:
            lifecycles = session.exec(
                select(PracticeTerm.practice_id, func.count())
                .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
                .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
                .join(Practice, col(Practice.id) == PracticeTerm.practice_id)
                .where(VocabularyScheme.code == "lifecycle")
                .where(col(Practice.slug).startswith(PREFIX))
                .group_by(col(PracticeTerm.practice_id))
            ).all()
        assert len(lifecycles) == PRACTICES and {n for _id, n in lifecycles} == {1}

        # Search finds them: by the name of the place with the most of them (the index
        # holds place names), and by framing words, which only a few per cent use.
        busiest = max(
            {p["place"]["slug"]: p["place"] for p in made_up}.values(),
            key=lambda place: sum(p["place"]["slug"] == place["slug"] for p in made_up),
        )
        found = client.get("/api/v1/practices", params={"q": busiest["name"]}).json()
        there = sum(p["place"]["slug"] == busiest["slug"] for p in made_up)
        assert found["total"] >= there > 0
        assert any(item["slug"].startswith(PREFIX) for item in found["items"])
        framed = _all_items(client, "/api/v1/practices", q="integration")
        framed_made_up = [p for p in framed if p["slug"].startswith(PREFIX)]
        assert 0 < len(framed_made_up) < 0.2 * public

        # Context facts are missing for some places, as in real data.
        synthetic_places = [
            p for p in _all_items(client, "/api/v1/places") if p["slug"].startswith(PREFIX)
        ]
        assert len(synthetic_places) == PLACES
        facts = {
            place["slug"]: {
                fact["key"]
                for fact in client.get(f"/api/v1/places/{place['slug']}").json()["facts"]
            }
            for place in synthetic_places
        }
        with_population = sum("population" in keys for keys in facts.values())
        assert 0.5 * PLACES < with_population < PLACES

        # A second run replaces the first: still 300, not 600.
        assert main(["synthetic", "--practices", str(PRACTICES), "--places", str(PLACES)]) == 0
        assert _synthetic_counts() == (practices, public, places)
        assert client.get("/api/v1/practices").json()["total"] == len(seeded) + public


def test_synthetic_refuses_a_database_without_vocabularies(
    request: pytest.FixtureRequest, private_settings: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _migrated(request, "sqlite", "synthetic_unseeded", seeded=False)
    assert main(["synthetic", "--practices", "10", "--places", "2"]) == 2
    assert "interlocal seed" in capsys.readouterr().err
    assert _synthetic_counts() == (0, 0, 0)
