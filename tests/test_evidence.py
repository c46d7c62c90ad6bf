"""The evidence ladder: its page, and the replication rung computed from lineage."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import published_in_barcelona

ORIGIN = "barcelona-anti-rumour-strategy"
OUTCOME = [{"text": "Two hundred residents trained as anti-rumour agents."}]


def adaptation(engine: Engine, title: str, place: str, kind: str, **more: Any) -> str:
    """A published practice at ``place`` linked to ``ORIGIN`` by ``kind``; its slug."""
    lineage = [{"practice": ORIGIN, "kind": kind}]
    return published_in_barcelona(engine, title=title, place=place, lineage=lineage, **more)


@pytest.mark.writes
def test_only_adaptations_elsewhere_with_outcomes_of_their_own_replicate_a_practice(
    engine: Engine, client: TestClient
) -> None:
    oslo = adaptation(engine, "Oslo rumour busters", "oslo", "adapted-from", outcomes=OUTCOME)
    also_oslo = adaptation(engine, "Oslo rumours II", "oslo", "adapted-from", outcomes=OUTCOME)
    rotterdam = adaptation(
        engine, "Rotterdam rumour busters", "rotterdam", "adapted-from", outcomes=OUTCOME
    )
    adaptation(engine, "Amsterdam, no results yet", "amsterdam", "adapted-from")
    adaptation(engine, "Amsterdam, only inspired", "amsterdam", "inspired-by", outcomes=OUTCOME)
    adaptation(engine, "Barcelona again", "barcelona", "adapted-from", outcomes=OUTCOME)
    adaptation(
        engine,
        "Rotterdam, members only",
        "rotterdam",
        "adapted-from",
        outcomes=OUTCOME,
        visibility="network",
    )

    detail = client.get(f"/api/v1/practices/{ORIGIN}").json()
    assert {p["slug"] for p in detail["replicated_in"]} == {oslo, also_oslo, rotterdam}
    page = client.get(f"/practices/{ORIGIN}", params={"lang": "en"}).text
    assert "Replicated in 2 other places" in page  # two in Oslo count as one place
    for slug in (oslo, also_oslo, rotterdam):
        assert f'href="/practices/{slug}' in page

    replicated = client.get("/api/v1/practices", params={"replicated": "true"}).json()
    assert [p["slug"] for p in replicated["items"]] == [ORIGIN]
    listed = client.get("/practices", params={"replicated": "true", "lang": "en"}).text
    assert "Replicated elsewhere" in listed and f'href="/practices/{ORIGIN}' in listed


def test_a_practice_nobody_adapted_is_not_replicated(client: TestClient) -> None:
    assert client.get(f"/api/v1/practices/{ORIGIN}").json()["replicated_in"] == []
    assert client.get("/api/v1/practices", params={"replicated": "true"}).json()["total"] == 0
    assert "Replicated in" not in client.get(f"/practices/{ORIGIN}").text


def test_the_ladder_page_explains_each_rung_and_counts_what_its_links_list(
    client: TestClient,
) -> None:
    page = client.get("/evidence", params={"lang": "en"}).text
    ladder = client.get("/api/v1/vocabularies/evidence-level").json()["terms"]
    for term in ladder:
        assert f'id="{term["code"]}"' in page and term["label"] in page
    assert "Nesta" in page and "To climb" in page and 'id="replicated"' in page
    links = re.findall(
        r"/practices\?(evidence_level|replicated)=([a-z-]+)[^\"]*\">(\d+) practice", page
    )
    assert len(links) == len(ladder) + 1
    for name, value, shown in links:
        total = client.get("/api/v1/practices", params={name: value, "limit": 1}).json()["total"]
        assert int(shown) == total, (name, value)
    assert sum(int(shown) for name, _v, shown in links if name == "evidence_level") > 100


def test_the_ladder_page_is_translated(client: TestClient) -> None:
    page = client.get("/evidence", params={"lang": "de"}).text
    assert "Evidenz" in page and "To climb" not in page
