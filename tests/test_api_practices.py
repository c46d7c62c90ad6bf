"""The practice list and detail endpoints: filters, facets, sorting, pagination, errors."""

from typing import Any

import pytest
from fastapi.testclient import TestClient


def get_all(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Walk every page of a list endpoint through next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        response = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_list_answers_the_documented_envelope(client: TestClient) -> None:
    body = client.get("/api/v1/practices", params={"limit": 5}).json()
    assert set(body) == {"items", "total", "next_cursor", "facets"}
    assert len(body["items"]) == 5
    assert body["total"] > 100
    first = body["items"][0]
    assert {"slug", "title", "summary", "place", "terms", "sources", "evidence_level"} <= set(first)


@pytest.mark.parametrize(
    "sort", ["title", "-title", "start", "-start", "updated", "-updated", "evidence", "-evidence"]
)
def test_pagination_walks_every_practice_once(client: TestClient, sort: str) -> None:
    total = client.get("/api/v1/practices", params={"limit": 1}).json()["total"]
    items = get_all(client, "/api/v1/practices", limit=17, sort=sort)
    slugs = [item["slug"] for item in items]
    assert len(slugs) == total
    assert len(set(slugs)) == total


def test_sorting_by_title_is_alphabetical(client: TestClient) -> None:
    titles = [i["title"].lower() for i in get_all(client, "/api/v1/practices", limit=200)]
    assert titles == sorted(titles)
    reverse = [
        i["title"].lower() for i in get_all(client, "/api/v1/practices", limit=200, sort="-title")
    ]
    assert reverse == sorted(titles, reverse=True)


def test_filter_by_country_returns_only_that_country(client: TestClient) -> None:
    items = get_all(client, "/api/v1/practices", country="ES", limit=200)
    assert items
    assert {i["place"]["country"] for i in items} == {"ES"}


def test_country_codes_are_case_insensitive(client: TestClient) -> None:
    upper = client.get("/api/v1/practices", params={"country": "NL"}).json()["total"]
    lower = client.get("/api/v1/practices", params={"country": "nl"}).json()["total"]
    assert upper == lower > 0


def test_several_values_of_one_filter_mean_any_of(client: TestClient) -> None:
    spain = client.get("/api/v1/practices", params={"country": "ES"}).json()["total"]
    italy = client.get("/api/v1/practices", params={"country": "IT"}).json()["total"]
    both = client.get("/api/v1/practices", params={"country": ["ES", "IT"]}).json()["total"]
    assert both == spain + italy


def test_different_filters_combine_with_and(client: TestClient) -> None:
    items = get_all(client, "/api/v1/practices", country="GB", goal="defusing-conflict")
    assert items
    for item in items:
        assert item["place"]["country"] == "GB"
        assert "defusing-conflict" in [t["code"] for t in item["terms"]["goal"]]


@pytest.mark.parametrize(
    ("param", "scheme"),
    [
        ("activity_type", "activity-type"),
        ("broad_category", "broad-category"),
        ("goal", "goal"),
        ("target_group", "target-group"),
        ("lra_role", "lra-role"),
        ("channel", "channel"),
        ("catalyst", "catalyst"),
        ("lifecycle", "lifecycle"),
        ("evidence_level", "evidence-level"),
        ("orton_phase", "orton-phase"),
    ],
)
def test_each_term_filter_keeps_only_practices_with_that_term(
    client: TestClient, param: str, scheme: str
) -> None:
    facet = client.get("/api/v1/practices", params={"facets": param}).json()["facets"][param]
    leaf = next(
        v for v in facet if v["count"] > 0 and not any(w["parent"] == v["value"] for w in facet)
    )
    items = get_all(client, "/api/v1/practices", **{param: leaf["value"], "limit": 200})
    assert len(items) == leaf["count"]
    for item in items:
        assert leaf["value"] in [t["code"] for t in item["terms"][scheme]]


def test_a_broader_term_matches_its_sub_types(client: TestClient) -> None:
    terms = client.get("/api/v1/vocabularies/target-group").json()["terms"]
    children = [t["code"] for t in terms if t["parent"] == "migrants"]
    broad = {i["slug"] for i in get_all(client, "/api/v1/practices", target_group="migrants")}
    narrow = {i["slug"] for i in get_all(client, "/api/v1/practices", target_group=children)}
    assert narrow and narrow <= broad


def test_network_filter_keeps_practices_of_member_places_or_bodies(client: TestClient) -> None:
    items = get_all(client, "/api/v1/practices", network="inclusive-cities")
    assert items
    for item in items[:5]:
        detail = client.get(f"/api/v1/practices/{item['slug']}").json()
        assert "inclusive-cities" in [n["slug"] for n in detail["networks"]]


def test_place_filter_includes_places_within(client: TestClient) -> None:
    london = get_all(client, "/api/v1/practices", place="london")
    hackney = get_all(client, "/api/v1/practices", place="hackney")
    assert hackney
    assert {i["slug"] for i in hackney} < {i["slug"] for i in london}


def test_text_search_finds_a_practice_by_words_of_its_title(client: TestClient) -> None:
    items = get_all(client, "/api/v1/practices", q="anti-rumour")
    assert "barcelona-anti-rumour-strategy" in [i["slug"] for i in items]
    assert get_all(client, "/api/v1/practices", q="zzzz qqqq") == []


def test_text_search_treats_wildcards_literally(client: TestClient) -> None:
    assert client.get("/api/v1/practices", params={"q": "a%b"}).json()["total"] == 0


def test_facets_count_what_each_value_would_return(client: TestClient) -> None:
    body = client.get(
        "/api/v1/practices",
        params={"facets": "country,activity_type", "goal": "informing-communities"},
    ).json()
    countries = body["facets"]["country"]
    assert sum(v["count"] for v in countries) == body["total"]
    for value in countries[:3]:
        filtered = client.get(
            "/api/v1/practices", params={"country": value["value"], "goal": "informing-communities"}
        ).json()
        assert filtered["total"] == value["count"]
    assert {"value", "label", "count"} <= set(countries[0])
    spain = next(v for v in countries if v["value"] == "ES")
    assert spain["label"] == "Spain"


def test_a_facet_ignores_its_own_filter_so_other_values_stay_visible(client: TestClient) -> None:
    body = client.get("/api/v1/practices", params={"country": "ES", "facets": "country"}).json()
    assert len(body["facets"]["country"]) > 1


def test_unknown_filter_value_is_422_naming_the_parameter_and_allowed_values(
    client: TestClient,
) -> None:
    response = client.get("/api/v1/practices", params={"activity_type": "posters"})
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422
    assert "activity_type" in body["detail"]
    error = body["errors"][0]
    assert error["param"] == "activity_type"
    assert "media-engagement" in error["allowed"]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"country": "Spain"}, "country"),
        ({"network": "no-such-network"}, "network"),
        ({"facets": "colour"}, "facets"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "5000"}, "limit"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_parameters_get_a_422_that_names_them(
    client: TestClient, params: dict[str, str], param: str
) -> None:
    response = client.get("/api/v1/practices", params=params)
    assert response.status_code == 422
    body = response.json()
    assert param in body["detail"]
    assert body["errors"][0]["param"] == param


@pytest.mark.parametrize(
    ("first", "then"),
    [("title", "start"), ("start", "-updated"), ("-updated", "title"), ("relevance", "title")],
)
def test_a_cursor_of_another_sort_order_gets_a_422_not_a_wrong_page(
    client: TestClient, first: str, then: str
) -> None:
    params = {"limit": "2", "sort": first, "q": "campaign"}
    cursor = client.get("/api/v1/practices", params=params).json()["next_cursor"]
    assert cursor
    response = client.get("/api/v1/practices", params={**params, "sort": then, "cursor": cursor})
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "cursor"


def test_practice_detail_has_place_lead_partners_networks_and_sources(client: TestClient) -> None:
    body = client.get("/api/v1/practices/barcelona-anti-rumour-strategy").json()
    assert body["place"]["slug"] == "barcelona"
    assert body["lead_organisation"]["slug"] == "barcelona-city-council"
    assert "amicall-transnational-2012" in [s["slug"] for s in body["sources"]]
    assert all(s["title"] for s in body["sources"])
    assert body["description"]
    assert isinstance(body["partners"], list) and isinstance(body["networks"], list)


def test_unknown_practice_is_404_in_the_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/practices/no-such-practice")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "detail": "no published practice 'no-such-practice'",
        "errors": [],
    }


def test_a_chosen_filter_value_stays_in_its_facet_when_values_are_cut(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Facets list at most MAX_LISTED values, the most frequent first; a chosen one stays,
    # or its box could not be unticked.
    monkeypatch.setattr("app.practices.listing.MAX_LISTED", 2)
    body = client.get(
        "/api/v1/practices", params={"facets": "country", "country": "HU", "limit": 3}
    ).json()
    values = [v["value"] for v in body["facets"]["country"]]
    assert "HU" in values and len(values) == 2, values


def test_evidence_min_keeps_practices_at_that_level_or_above(client: TestClient) -> None:
    ladder = [t["code"] for t in client.get("/api/v1/vocabularies/evidence-level").json()["terms"]]
    assert ladder[:3] == ["none", "described", "outputs"]
    everything = get_all(client, "/api/v1/practices", limit=200)
    at_least = get_all(client, "/api/v1/practices", evidence_min="outputs", limit=200)
    above = set(ladder[ladder.index("outputs") :])
    expected = {
        p["slug"]
        for p in everything
        if p["evidence_level"] and p["evidence_level"]["code"] in above
    }
    assert expected and {p["slug"] for p in at_least} == expected
    refused = client.get("/api/v1/practices", params={"evidence_min": "excellent"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["param"] == "evidence_min"


def test_the_evidence_control_filters_the_page_and_can_be_removed(client: TestClient) -> None:
    page = client.get("/practices", params={"evidence_min": "before-after", "lang": "en"}).text
    assert '<option value="before-after" selected>' in page
    assert "Evidence: at least Outcomes measured before and after" in page
    count = client.get(
        "/api/v1/practices", params={"evidence_min": "before-after", "limit": 1}
    ).json()["total"]
    assert f"{count} practices" in page or f"{count} practice<" in page


def test_sorting_by_evidence_climbs_the_ladder_and_pages_without_gaps(
    client: TestClient,
) -> None:
    ladder = [t["code"] for t in client.get("/api/v1/vocabularies/evidence-level").json()["terms"]]

    def rung(item: dict[str, Any]) -> int:
        level = item["evidence_level"]
        return ladder.index(level["code"]) if level else -1

    strongest = get_all(client, "/api/v1/practices", sort="-evidence", limit=200)
    rungs = [rung(p) for p in strongest]
    assert rungs == sorted(rungs, reverse=True) and rungs[0] > rungs[-1]
    paged = get_all(client, "/api/v1/practices", sort="-evidence", limit=7)
    assert [p["slug"] for p in paged] == [p["slug"] for p in strongest]
    weakest = get_all(client, "/api/v1/practices", sort="evidence", limit=200)
    assert [rung(p) for p in weakest] == sorted(rungs)
