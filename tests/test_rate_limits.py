"""The API limits how fast each key, and each address without a key, may call it: 429 with
Retry-After, and one client's excess never blocks another."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api import rate_limits
from app.config import get_settings
from tests.factories import auth, new_key


@pytest.fixture
def limited(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_ANONYMOUS", "3/minute")
    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_KEY", "5/minute")
    get_settings.cache_clear()
    rate_limits.reset()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    rate_limits.reset()


def visitor(address: str) -> TestClient:
    from app.main import create_app

    return TestClient(create_app(), client=(address, 50000))


def test_an_anonymous_client_is_slowed_down_alone(limited: None) -> None:
    first, second = visitor("198.51.100.7"), visitor("198.51.100.8")
    for _ in range(3):
        assert first.get("/api/v1/vocabularies").status_code == 200
    refused = first.get("/api/v1/practices")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["status"] == 429 and "3 per 1 minute" in refused.json()["detail"]
    assert second.get("/api/v1/practices").status_code == 200  # another address
    assert first.get("/healthz").status_code == 200  # pages and probes are not limited
    assert first.get("/practices").status_code == 200


@pytest.mark.writes
def test_a_key_has_its_own_allowance(engine: Engine, limited: None) -> None:
    partner = visitor("203.0.113.5")
    for _ in range(3):
        partner.get("/api/v1/vocabularies")
    assert partner.get("/api/v1/vocabularies").status_code == 429  # the address is spent
    key = auth(new_key(engine, "read"))
    for _ in range(5):
        assert partner.get("/api/v1/practices", headers=key).status_code == 200
    assert partner.get("/api/v1/practices", headers=key).status_code == 429
    other_key = auth(new_key(engine, "read"))
    assert partner.get("/api/v1/practices", headers=other_key).status_code == 200


@pytest.mark.writes
def test_guessing_keys_counts_against_the_address(limited: None) -> None:
    guesser = visitor("192.0.2.9")
    wrong = auth("il_" + "x" * 43)
    for _ in range(3):
        assert guesser.get("/api/v1/practices", headers=wrong).status_code == 401
    assert guesser.get("/api/v1/practices", headers=wrong).status_code == 429


def test_every_answer_says_how_many_requests_are_left(limited: None) -> None:
    client = visitor("198.51.100.9")
    seen = []
    for _ in range(3):
        answer = client.get("/api/v1/vocabularies")
        assert answer.headers["RateLimit-Limit"] == "3"
        assert 1 <= int(answer.headers["RateLimit-Reset"]) <= 60
        seen.append(int(answer.headers["RateLimit-Remaining"]))
    assert seen == [2, 1, 0]
    refused = client.get("/api/v1/practices/no-such-practice")
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert "RateLimit-Limit" not in client.get("/practices").headers, "pages are not counted"
