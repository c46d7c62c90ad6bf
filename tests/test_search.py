"""Full-text search on both databases: ranking, stemming, synonyms, highlighting, and that
the index follows edits and translations."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import practice_in, published_practice
from tests.test_api_practices import get_all


def search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/practices", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def slugs(items: list[dict[str, Any]]) -> list[str]:
    return [i["slug"] for i in items]


def test_a_title_match_ranks_above_a_passing_mention(client: TestClient) -> None:
    items = search(client, "anti-rumour")["items"]
    assert slugs(items)[0] == "barcelona-anti-rumour-strategy"
    scores = [i["match"]["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_integration_also_finds_cohesion_and_inclusion_practices(client: TestClient) -> None:
    found = get_all(client, "/api/v1/practices", q="integration", limit=200)
    texts = [f"{i['title']} {i['summary']}".lower() for i in found]
    assert any("cohesion" in t and "integration" not in t for t in texts)
    cohesion_only = get_all(client, "/api/v1/practices", q="cohesion", limit=200)
    assert set(slugs(cohesion_only)) == set(slugs(found)), "the three words are one group"
    page = client.get("/practices", params={"q": "integration"}).text
    assert "Also searching for: cohesion, inclusion" in page


def test_english_words_are_stemmed(client: TestClient) -> None:
    assert "barcelona-anti-rumour-strategy" in slugs(search(client, "rumours campaigns")["items"])


def test_words_postgresql_ignores_are_ignored_on_both_databases(client: TestClient) -> None:
    # "between" and "against" are in PostgreSQL's english stop list: a search with them
    # finds what it finds without them, on either database.
    plain = search(client, "rumours", limit=100)["total"]
    assert plain > 0
    assert search(client, "rumours between", limit=100)["total"] == plain
    assert search(client, "against rumours", limit=100)["total"] == plain


def test_matches_are_highlighted_and_the_rest_escaped(client: TestClient) -> None:
    item = search(client, "anti-rumour")["items"][0]
    assert "<mark>Rumour</mark>" in item["match"]["title"]
    assert "<mark>rumour</mark>" in item["match"]["passage"]
    html = client.get("/practices", params={"q": "anti-rumour"}).text
    assert "<mark>Rumour</mark>" in html
    hostile = client.get("/practices", params={"q": "<script>alert(1)</script> rumour"}).text
    assert "<script>alert(1)</script>" not in hostile


def test_place_names_are_searched(client: TestClient) -> None:
    glasgow = get_all(client, "/api/v1/practices", place="glasgow")
    found = set(slugs(get_all(client, "/api/v1/practices", q="Glasgow", limit=200)))
    assert glasgow and set(slugs(glasgow)) <= found


def test_search_combines_with_filters_and_facets(client: TestClient) -> None:
    body = search(client, "integration", country="GB", facets="country,activity_type")
    assert body["total"] > 0
    assert {i["place"]["country"] for i in body["items"]} == {"GB"}
    assert sum(v["count"] for v in body["facets"]["country"]) >= body["total"]


def test_relevance_pages_neither_overlap_nor_skip(client: TestClient) -> None:
    everything = get_all(client, "/api/v1/practices", q="integration", limit=200)
    paged = get_all(client, "/api/v1/practices", q="integration", limit=7)
    assert slugs(paged) == slugs(everything)
    assert len(set(slugs(paged))) == len(paged)


def test_query_syntax_is_not_interpreted(client: TestClient) -> None:
    for q in ['"unbalanced', "NEAR(a b)", "integration OR", "a & | !", "*", "col:val"]:
        assert client.get("/api/v1/practices", params={"q": q}).status_code == 200
    assert search(client, "%")["total"] == 0


def test_words_are_found_without_their_diacritics_and_marked_as_written(
    client: TestClient,
) -> None:
    malmo = get_all(client, "/api/v1/practices", place="malmo")
    assert malmo, "the seed has practices in Malmö"
    found = search(client, "Malmo", limit=100)
    assert {i["slug"] for i in malmo} <= set(slugs(found["items"]))
    marked = [i["match"]["title"] + i["match"]["passage"] for i in found["items"]]
    assert any("<mark>Malmö</mark>" in m for m in marked)


@pytest.mark.writes
def test_a_passage_is_found_for_word_forms_the_stemmer_rewrites(
    client: TestClient, engine: Engine
) -> None:
    # The matches here part from their stems early ("possibilities", "possibl") or only
    # match without diacritics, and must still give the passage: a shortcut that looks for
    # the stem in the text before cutting it into words would miss both.
    published_practice(
        engine,
        practice_in(
            title="Zebrafinch welcome desk",
            summary="A desk at the town hall for Éducation civique.",
            description="New residents learn of the possibilities open to them.",
        ),
        "barcelona-city-council",
    )
    for q, marked in (
        ("possibility", "<mark>possibilities</mark>"),
        ("education", "<mark>Éducation</mark>"),
    ):
        items = search(client, f"zebrafinch {q}")["items"]
        assert items and items[0]["title"] == "Zebrafinch welcome desk"
        assert marked in items[0]["match"]["passage"], (q, items[0]["match"])


def test_when_no_practice_has_every_word_those_with_most_come_first_and_it_says_so(
    client: TestClient,
) -> None:
    """ "rumours and stereotypes": no practice has both, which once gave nothing."""
    strict = client.get("/api/v1/practices", params={"q": "rumour stereotypes", "limit": 50})
    answer = strict.json()
    assert answer["any_word"] is True and answer["total"] > 0
    slugs = [item["slug"] for item in answer["items"]]
    assert "barcelona-anti-rumour-strategy" in slugs
    # Most words first: a practice with both would come before; here the scores say how
    # many words each has (the whole part), best first.
    scores = [item["match"]["score"] for item in answer["items"]]
    assert scores == sorted(scores, reverse=True)
    both = client.get("/api/v1/practices", params={"q": "rumour barcelona", "limit": 50}).json()
    assert "any_word" not in both  # some practice has both words: only those
    page = client.get("/practices", params={"q": "rumour stereotypes", "lang": "en"}).text
    assert "No practice has all of “rumour stereotypes”" in page
    # One word, or words nobody uses, is not relaxed: nothing is nothing.
    nothing = client.get("/api/v1/practices", params={"q": "zzqx qqzx"}).json()
    assert nothing["total"] == 0 and "any_word" not in nothing


def test_most_words_rank_before_fewer(client: TestClient) -> None:
    answer = client.get(
        "/api/v1/practices", params={"q": "rumour barcelona zzqx", "limit": 100}
    ).json()
    assert answer["any_word"] is True
    counts = [int(item["match"]["score"]) for item in answer["items"]]
    assert counts[0] == 2 and counts == sorted(counts, reverse=True) and counts[-1] == 1
