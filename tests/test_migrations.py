"""Alembic owns the schema: an empty database migrates to head and matches the models."""

import pytest
from sqlalchemy import inspect

from app.db import make_engine
from app.migrations import schema_drift, upgrade
from tests.conftest import fresh_database, use_database


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_an_empty_database_migrates_to_head_matching_the_models(
    request: pytest.FixtureRequest, kind: str
) -> None:
    url = fresh_database(request, kind, f"migrations_{kind}")
    upgrade(url)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"practice", "place", "vocabulary_term", "alembic_version"} <= tables
        assert schema_drift(engine) == []
        upgrade(url)  # running it again is a no-op
    finally:
        engine.dispose()


def test_the_cli_migrates_the_configured_database(request: pytest.FixtureRequest) -> None:
    from app.cli import main

    url = fresh_database(request, "sqlite", "cli_migrate")
    use_database(url)
    assert main(["migrate"]) == 0
    engine = make_engine(url)
    assert "practice" in inspect(engine).get_table_names()
    engine.dispose()
