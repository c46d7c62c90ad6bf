"""The database engine and sessions: SQLite pragmas, planner statistics, and the plain
``get_session`` generator that the pages' and the API's ``SessionDep`` wrap, and the bulk
insert the loaders share."""

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from anyio import to_thread
from sqlalchemy import JSON, BindParameter, Connection, Engine, Table, bindparam, event, insert
from sqlalchemy.sql import Executable
from sqlmodel import Session, create_engine

from app.catalogue import cache  # noqa: F401  (registers the catalogue-version session events)
from app.config import get_settings

BULK_BATCH = 5000
SQLITE_BUSY_SECONDS = 30


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Writers queue for SQLite's single write lock; a burst of them must wait their
        # turn rather than fail with "database is locked" after pysqlite's 5 s default.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL: readers never wait for the writer. FULL: a commit is synced to the WAL
            # before it is acknowledged, so it survives a crash of the machine, not only of
            # the process.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(connection: Connection, _name: str) -> None:
            # pysqlite opens a transaction only before a write, so a SAVEPOINT coming first
            # would open it itself, and releasing that savepoint would commit everything
            # so far: begin the transaction the session thinks it is in.
            raw: Any = connection.connection.driver_connection
            if not raw.in_transaction:
                raw.execute("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) in the connection's transaction: COPY on
    PostgreSQL, where an executemany costs a round trip per row, batches elsewhere."""
    if not rows:
        return
    columns = list(rows[0])
    if connection.dialect.name == "postgresql":
        as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
        names = ", ".join(f'"{name}"' for name in columns)
        raw: Any = connection.connection.driver_connection  # a psycopg connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])
        return
    for start in range(0, len(rows), BULK_BATCH):
        connection.execute(insert(table), list(rows[start : start + BULK_BATCH]))


def plain_batches(
    session: Session, statement: Executable, size: int = 50_000
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``statement`` in batches, as the driver returns them, without
    SQLAlchemy's per-row processing: for the large reads that load the in-memory indexes
    (millions of rows at half a million practices), where that processing costs more than
    the query and holding every row at once would double a worker's memory. Values are the
    driver's own (SQLite gives timestamps as text)."""
    result: Any = session.connection().execute(statement)
    try:
        while rows := result.cursor.fetchmany(size):
            yield rows
    finally:
        result.close()


# The ids a prebuilt statement is run for (``for_ids``): statements built once, at import,
# since building and keying one costs as much as running it on SQLite.
IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)


def for_ids(session: Session, statement: Executable, ids: Sequence[int | None]) -> Sequence[Any]:
    """The rows of a prebuilt ``statement`` on ``IDS``, run for ``ids`` on the session's
    connection: for the small queries of a page, where the ORM's execution layer costs
    more than the query."""
    return session.connection().execute(statement, {"ids": list(ids)}).all()


def integer_columns(session: Session, statement: Executable, count: int) -> list[np.ndarray]:
    """The ``count`` integer columns of ``statement`` (no NULLs), as arrays."""
    parts: list[list[np.ndarray]] = [[] for _ in range(count)]
    for rows in plain_batches(session, statement):
        block = np.array(rows, dtype=np.int64).reshape(len(rows), count)
        for k in range(count):
            parts[k].append(block[:, k].copy())
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts]


def analyze(engine: Engine) -> None:
    """Refresh the query planner's statistics; run after bulk loads. Without them SQLite
    guesses that every index is as selective as any other, and on 50,000 practices it
    scans by status instead of looking up by place (peers took four times as long)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


async def get_session() -> AsyncIterator[Session]:
    """A request's session. Made in the event loop, as making one does no I/O, and closed
    in a worker thread, as closing returns its connection with a rollback: a plain
    generator would cost two hand-offs to the thread pool per request instead of one."""
    session = Session(get_engine())
    try:
        yield session
    finally:
        await to_thread.run_sync(session.close)
