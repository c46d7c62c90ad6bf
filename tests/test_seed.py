"""The seed: loaded idempotently, all-or-nothing, with every case the reports name."""

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.config import ROOT
from app.loaders.seed.reading import SeedError
from app.loaders.seed.writer import load_seed
from app.models.places import Place, PlaceFact
from app.models.practices import Practice, PracticeSource, PracticeTerm
from app.models.vocabularies import VocabularyTerm
from tests.conftest import fresh_database, use_database

TABLES = (Practice, Place, PlaceFact, PracticeTerm, PracticeSource, VocabularyTerm)


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES}


@pytest.mark.writes
def test_seeding_twice_changes_nothing(engine: Engine) -> None:
    before = counts(engine)
    with Session(engine) as session:
        report = load_seed(session, ROOT / "seed")
    assert report.total == 0
    assert counts(engine) == before


def test_a_broken_seed_file_loads_nothing(engine: Engine, tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(ROOT / "seed", seed)
    (seed / "zz-broken.yaml").write_text(
        "source: orton-2010\n"
        "practices:\n"
        "  - slug: a-new-practice\n    title: New\n    summary: New.\n    place: barcelona\n"
        "    terms: {goal: [world-peace]}\n",
        encoding="utf-8",
    )
    before = counts(engine)
    with Session(engine) as session, pytest.raises(SeedError) as error:
        load_seed(session, seed)
    assert "world-peace" in str(error.value)
    assert counts(engine) == before


def test_the_catalogue_holds_well_over_a_hundred_practices_each_citing_its_report(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        practices = session.exec(select(func.count()).select_from(Practice)).one()
        uncited = session.exec(
            select(func.count())
            .select_from(Practice)
            .where(~Practice.id.in_(select(PracticeSource.practice_id)))  # type: ignore[union-attr]
            .where(col(Practice.created_by_id).is_(None))  # seeded, not written by other tests
        ).one()
    assert practices > 100
    assert uncited == 0


def test_every_report_contributes_practices(client: TestClient) -> None:
    facet = client.get("/api/v1/practices", params={"facets": "source"}).json()["facets"]["source"]
    by_source = {v["value"]: v["count"] for v in facet}
    assert by_source["amicall-transnational-2012"] >= 70
    assert by_source["amicall-uk-2012"] >= 30
    assert by_source["orton-2010"] >= 20
    assert by_source["ucl-policy-lab-2023"] >= 20


# Cases as the reports name them (one or more from each report).
NAMED_CASES = [
    "Anti-Rumour",
    "One Scotland",
    "Oslo Extra Large",
    "Karakia",
    "Radio Multikulti",
    "New Link",
    "I Love Hackney",
    "One Oldham",
    "We Are Walsall",
    "Friendship English",
    "Fresh Talent",
    "Cardiff Refugee Media Forum",
    "Humber Improvement Partnership",
    "Migration Policy Toolkit",
    "Our Liverpool",
    "ESOL Plus",
    "Bristol Model",
    "Operation Warm Welcome",
    "LAASLO",
    "Everyone In",
    "RAMP",
    "Day of the Dialogue",
    "Paraules de dones",
    "MIRA",
    "Intercultural gardens",
]


@pytest.mark.parametrize("name", NAMED_CASES)
def test_every_named_case_can_be_found_by_its_name(client: TestClient, name: str) -> None:
    body = client.get("/api/v1/practices", params={"q": name, "limit": 50}).json()
    titles = [item["title"].lower() for item in body["items"]]
    assert any(name.lower() in title for title in titles), (name, titles)


def test_a_fresh_database_gets_the_whole_seed(
    request: pytest.FixtureRequest, catalogue: str
) -> None:
    from app.db import make_engine
    from app.migrations import upgrade

    kind = "postgresql" if catalogue.startswith("postgresql") else "sqlite"
    url = fresh_database(request, kind, "fresh_seed")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        report = load_seed(session, ROOT / "seed")
    assert report.created["practices"] == counts(engine)["Practice"] > 100
    engine.dispose()
    use_database(catalogue)
