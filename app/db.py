"""The database engine and sessions: SQLite pragmas, planner statistics, and the plain
``get_session`` generator that the pages' and the API's ``SessionDep`` wrap."""

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from app.catalogue import cache  # noqa: F401  (registers the catalogue-version session events)
from app.config import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def analyze(engine: Engine) -> None:
    """Refresh the query planner's statistics; run after bulk loads. Without them SQLite
    guesses that every index is as selective as any other, and on 50,000 practices it
    scans by status instead of looking up by place (peers took four times as long)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session
