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


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_holding_a_catalogue_migrates_down_and_up_again_keeping_it(
    request: pytest.FixtureRequest, kind: str
) -> None:
    """What an upgrade meets in production: tables full of rows that refer to each other
    (SQLite must rebuild tables without tripping over their foreign keys)."""
    from alembic import command
    from sqlmodel import Session, func, select

    from app.loaders.seed.writer import load_seed
    from app.migrations import alembic_config
    from app.models.catalogue import PracticeChange
    from app.models.places import Organisation
    from app.models.practices import Practice
    from tests.conftest import ROOT

    url = fresh_database(request, kind, f"roundtrip_{kind}")
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load_seed(session, ROOT / "seed")
            practices = session.exec(select(func.count()).select_from(Practice)).one()
            stored = "SELECT * FROM practice_search_words ORDER BY practice_id"
            words = session.connection().exec_driver_sql(stored).all()
            dates = "SELECT id, published_at FROM practice ORDER BY id"
            published = session.connection().exec_driver_sql(dates).all()
            # As loaded before the loader gave dates: migration 0012 fills them in.
            session.connection().exec_driver_sql("UPDATE practice SET published_at = NULL")
            session.commit()
        command.downgrade(alembic_config(url), "0004")
        upgrade(url)
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Practice)).one() == practices
            public = session.exec(
                select(func.count()).where(
                    Practice.status == "published", Practice.visibility == "public"
                )
            ).one()
            # The change feed starts with every public practice, so mirrors start complete.
            assert session.exec(select(func.count()).select_from(PracticeChange)).one() == public
            assert not session.exec(select(Organisation).where(Organisation.trusted)).first()
            # The words migration 0011 stores are those the application stores itself.
            assert len(words) == practices
            assert session.connection().exec_driver_sql(stored).all() == words
            # Migration 0012 dates each practice from its reports as the loader does.
            assert session.connection().exec_driver_sql(dates).all() == published
            assert any(when is not None for _id, when in published)
            if kind == "sqlite":
                assert session.connection().exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert schema_drift(engine) == []
    finally:
        engine.dispose()
