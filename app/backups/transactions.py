"""An engine for backups whose transactions hold everything they do.

Python's sqlite3 module only opens a transaction before a data change, so on SQLite a
``CREATE TABLE`` commits on its own and a run of ``SELECT``s sees no single snapshot. The
engine here opens every transaction itself with ``BEGIN`` (SQLAlchemy's documented recipe),
so an import (migrations included) is one transaction, and an export reads one snapshot.
PostgreSQL's transactions already cover DDL; an export there reads in REPEATABLE READ.
"""

from typing import Any

from sqlalchemy import Connection, Engine, event

from app.db import make_engine


def backup_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """An engine on ``url`` with whole transactions. ``foreign_keys=False`` lets an import
    on SQLite load rows in any order and rebuild tables in migrations; it checks the keys
    itself before it commits (``PRAGMA foreign_key_check``)."""
    engine = make_engine(url)
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _own_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN (nor COMMIT)
        if not foreign_keys:
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine
