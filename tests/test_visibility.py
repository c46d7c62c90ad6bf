"""Network-only practices ("safe space") never leak: every GET route of the site and the
API, with and without a search for the practice's words, is read as an anonymous visitor
and as a member of an organisation outside the practice's networks. Members of those
networks and moderators do see it. Runs on SQLite and PostgreSQL."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.practices.input import PracticeIn
from tests.factories import new_user, published_practice, sign_in
from tests.routes import paths

pytestmark = pytest.mark.writes  # every test here publishes a practice, on a copy

LEAD = "birmingham-city-council"  # Birmingham is in the Inclusive Cities network
INSIDER = "glasgow-city-council"  # Glasgow too
OUTSIDER = "oslo-city-council"  # in no network
NETWORK = "inclusive-cities"
ORIGIN = "barcelona-anti-rumour-strategy"
# Values for the path parameters of every GET route.
PATH_VALUES = {"place": "birmingham", "network": NETWORK, "scheme": "goal", "code": "goal"}


@pytest.fixture
def secret(engine: Engine) -> Iterator[tuple[str, str]]:
    """A published network-only practice of Birmingham's, adapted from Barcelona's
    practice; yields (slug, a word found only in it)."""
    word = "zqvelmorind"
    data = PracticeIn(
        title=f"Candid lessons {word}",
        summary=f"What went wrong with the {word} pilot.",
        place="birmingham",
        visibility="network",
        aim=f"Learn from {word}.",
        what_did_not_work=f"The {word} leaflets reached nobody.",
        terms={"target-group": ["whole-community"], "goal": ["informing-communities"]},
        lineage=[{"practice": ORIGIN, "kind": "inspired-by", "note": f"{word} note"}],  # type: ignore[list-item]
    )
    yield published_practice(engine, data, LEAD), word


def get_routes(client: TestClient) -> list[str]:
    skipped = ("/api/docs", "/healthz", "/readyz")
    return sorted(
        path
        for path in paths(client.app.routes, "GET")  # type: ignore[attr-defined]
        if path not in skipped and "{user_id}" not in path
    )


def addresses(client: TestClient, slug: str, word: str) -> list[str]:
    """Every GET route, filled in for the secret practice and its neighbours, plain and
    with the secret word as a search."""
    result = []
    routes = get_routes(client)
    assert len(routes) > 20
    for path in routes:
        values = {**PATH_VALUES, "number": "1", "slug": slug}
        if path.startswith(("/places/", "/api/v1/places/")):
            values["slug"] = "birmingham"
        if path.startswith(("/networks/", "/api/v1/networks/")):
            values["slug"] = NETWORK
        filled = re.sub(r"\{(\w+)\}", lambda m, v=values: v.get(m.group(1), slug), path)
        result.append(filled)
        if "{" not in path:
            result.append(f"{filled}?q={word}")
            result.append(f"{filled}?title=Candid+lessons+{word}&place=birmingham")
        if "{slug}" in path and path.startswith(("/practices/", "/api/v1/practices/")):
            result.append(re.sub(r"\{slug\}", ORIGIN, path).replace("{number}", "1"))
    return result


def secret_phrases(word: str) -> list[str]:
    return [f"Candid lessons {word}", f"{word} pilot", f"{word} leaflets", f"{word} note"]


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_network_only_practices_never_leak(
    client: TestClient, engine: Engine, secret: tuple[str, str], who: str
) -> None:
    slug, word = secret
    client.cookies.clear()
    if who == "outsider":
        sign_in(client, new_user(engine, "member", OUTSIDER))
    seen = []
    for address in addresses(client, slug, word):
        response = client.get(address, follow_redirects=False)
        assert response.status_code < 500, address
        # Its words, not the address (pages repeat their own address and search terms).
        if any(phrase in response.text for phrase in secret_phrases(word)):
            seen.append(address)
    assert not seen, f"the network-only practice shows for {who} at {seen}"
    client.cookies.clear()


@pytest.mark.parametrize("who", ["insider", "moderator"])
def test_network_members_and_moderators_see_it(
    client: TestClient, engine: Engine, secret: tuple[str, str], who: str
) -> None:
    slug, word = secret
    client.cookies.clear()
    if who == "insider":
        sign_in(client, new_user(engine, "member", INSIDER))
    else:
        sign_in(client, new_user(engine, "moderator"))
    assert word in client.get(f"/practices/{slug}").text
    assert f"/practices/{slug}" in client.get("/practices", params={"q": word}).text
    assert f"/practices/{slug}" in client.get("/places/birmingham").text
    assert f"/practices/{slug}" in client.get(f"/networks/{NETWORK}").text
    assert f"/practices/{slug}" in client.get(f"/practices/{ORIGIN}").text  # its lineage
    assert "Networks only" in client.get(f"/practices/{slug}").text
    # The JSON API serves the public only (API keys with wider reach come with issue 6).
    assert client.get(f"/api/v1/practices/{slug}").status_code == 404
    client.cookies.clear()
