"""``interlocal import``: restore an archive into an empty database, all or nothing.

In one transaction: the empty database is migrated to the archive's schema revision, the
rows are loaded as they were written (COPY on PostgreSQL), foreign keys are checked, the
schema is migrated on to this release's head (so an archive of an older release goes
through the same migrations its database would have), sequences are moved past the
restored ids, the search index is rebuilt and the catalogue version moves past every
version the database or the archive has seen (so no cache serves results of before). Any
error rolls all of it back, DDL included.
"""

from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (registers every table)
from app.backups import schema
from app.backups.archive import ArchiveReader, BackupError, Manifest, TableSpec
from app.backups.confidential import Replacements
from app.backups.transactions import backup_engine
from app.db import analyze, bulk_insert
from app.i18n import gettext

# Rows the migrations themselves write, which the archive's rows replace.
BOOKKEEPING = ("catalogue_version",)


def _problem(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _require_empty(connection: Connection, manifest: Manifest) -> None:
    names = {t.name for t in SQLModel.metadata.sorted_tables} | {t.name for t in manifest.tables}
    for name in sorted(names & set(inspect(connection).get_table_names())):
        if name in BOOKKEEPING:
            continue
        if connection.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first():
            raise BackupError(
                gettext(
                    "The database is not empty (table %(name)s has rows): import restores "
                    "only into an empty database. Create a new database, or drop this one's "
                    "tables, and import again.",
                    name=name,
                )
            )


def _catalogue_version(connection: Connection) -> int:
    if "catalogue_version" not in inspect(connection).get_table_names():
        return 0
    found = connection.exec_driver_sql("SELECT MAX(version) FROM catalogue_version").scalar()
    return int(found or 0)


def _check_columns(connection: Connection, spec: TableSpec, revision: str) -> None:
    tables = set(inspect(connection).get_table_names())
    columns = (
        {c["name"] for c in inspect(connection).get_columns(spec.name)}
        if (spec.name in tables)
        else set()
    )
    missing = [c.name for c in spec.columns if c.name not in columns]
    if missing:
        raise BackupError(
            gettext(
                "The archive's table %(name)s does not match schema revision %(revision)s "
                "(no column %(columns)s there).",
                name=spec.name,
                revision=revision,
                columns=", ".join(missing),
            )
        )


def _load(connection: Connection, reader: ArchiveReader) -> int:
    manifest, replacements, total = reader.manifest, Replacements(), 0
    for name in BOOKKEEPING:
        if name in inspect(connection).get_table_names():
            connection.exec_driver_sql(f'DELETE FROM "{name}"')
    for spec in manifest.tables:
        _check_columns(connection, spec, manifest.alembic_revision)
        rows = [replacements.fill(spec.name, row) for row in reader.rows(spec)]
        try:
            bulk_insert(connection, spec.table(), rows)
        except Exception as exc:  # the driver's own errors too (COPY runs on psycopg)
            raise BackupError(
                gettext(
                    "The database refused the rows of table %(name)s: %(problem)s",
                    name=spec.name,
                    problem=_problem(exc),
                )
            ) from exc
        total += len(rows)
    return total


def _check_foreign_keys(connection: Connection) -> None:
    """SQLite loaded with foreign keys off (see ``backup_engine``): check them all now."""
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL checked every row as it came
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent, _key = broken
        raise BackupError(
            gettext(
                "The database refused the rows of table %(name)s: row %(rowid)s refers to a "
                "row of %(parent)s the archive does not have.",
                name=table,
                rowid=rowid,
                parent=parent,
            )
        )


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, the next id of every table follows the largest restored one."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes the largest rowid plus one
    inspector = inspect(connection)
    for name in inspector.get_table_names():
        key = inspector.get_pk_constraint(name)["constrained_columns"]
        if len(key) != 1:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f'"{name}"', "column": key[0]},
        ).scalar()
        if sequence:
            largest = connection.exec_driver_sql(f'SELECT MAX("{key[0]}") FROM "{name}"').scalar()
            connection.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": largest or 1, "called": largest is not None},
            )


def _rebuild_search(connection: Connection) -> None:
    from app.catalogue.search import index_practices

    # A session on the import's connection joins its transaction and never commits it.
    with Session(bind=connection) as session:
        index_practices(session)
        session.flush()


def _move_catalogue_version(connection: Connection, before: int) -> None:
    archived = _catalogue_version(connection)
    fed = connection.exec_driver_sql("SELECT MAX(seq) FROM practice_change").scalar()
    version = max(before, archived, int(fed or 0)) + 1
    connection.exec_driver_sql("DELETE FROM catalogue_version")
    connection.execute(
        text("INSERT INTO catalogue_version (id, version) VALUES (1, :version)"),
        {"version": version},
    )


def _restore(connection: Connection, reader: ArchiveReader) -> int:
    manifest = reader.manifest
    found = schema.current(connection)
    if found is not None:
        schema.require_known(found, gettext("The database"))
    _require_empty(connection, manifest)
    before = _catalogue_version(connection)
    schema.migrate(connection, manifest.alembic_revision)
    total = _load(connection, reader)
    _check_foreign_keys(connection)
    try:
        schema.migrate(connection, schema.head())
    except Exception as exc:
        raise BackupError(
            gettext(
                "Migrating the restored rows from revision %(revision)s to this release's "
                "schema failed: %(problem)s",
                revision=manifest.alembic_revision,
                problem=_problem(exc),
            )
        ) from exc
    _reset_sequences(connection)
    _rebuild_search(connection)
    _move_catalogue_version(connection, before)
    return total


def import_database(url: str, path: Path) -> tuple[Manifest, int]:
    """Restore the archive ``path`` into the empty database at ``url``; its manifest and
    the number of rows restored. Raises ``BackupError`` (having changed nothing)."""
    reader = ArchiveReader(path)
    try:
        schema.require_known(reader.manifest.alembic_revision, gettext("The archive"))
        engine = backup_engine(url, foreign_keys=False)
        try:
            with engine.connect() as connection, connection.begin():
                total = _restore(connection, reader)
            analyze(engine)
        finally:
            engine.dispose()
        return reader.manifest, total
    finally:
        reader.close()
