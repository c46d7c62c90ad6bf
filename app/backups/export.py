"""``interlocal export``: every table of the database into one archive.

The tables come from ``SQLModel.metadata``, so a new table is backed up without a change
here; they are written in dependency order (``sorted_tables``), which is the order a
restore loads them in. Everything is read in one transaction, so the archive is one
consistent state even while the site keeps writing.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.backups import schema
from app.backups.archive import (
    FORMAT_VERSION,
    ArchiveWriter,
    BackupError,
    ColumnSpec,
    Manifest,
    TableSpec,
    kind_of,
)
from app.backups.confidential import SECRET_TABLES, scrub
from app.backups.transactions import backup_engine
from app.i18n import gettext


def app_version() -> str:
    try:
        return version("interlocal")
    except PackageNotFoundError:
        return "unknown"


def table_spec(table: Table) -> TableSpec:
    return TableSpec(
        name=table.name,
        columns=[
            ColumnSpec(c.name, kind_of(c.type), bool(c.nullable), bool(c.primary_key))
            for c in table.columns
        ],
    )


def _rows(connection: Connection, table: Table, with_secrets: bool) -> Iterator[dict[str, Any]]:
    query = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=2000)
    for row in connection.execute(query).mappings():
        yield dict(row) if with_secrets else scrub(table.name, dict(row))


def _check_schema(connection: Connection) -> str:
    found = schema.current(connection)
    if found is None:
        raise BackupError(gettext("The database has no tables yet: there is nothing to export."))
    if found != schema.head():
        raise BackupError(
            gettext(
                "The database is at schema revision %(found)s, this release at %(head)s: "
                "run `interlocal migrate` first (or export with the release that made it).",
                found=found,
                head=schema.head(),
            )
        )
    return found


def export_database(url: str, path: Path, *, with_secrets: bool = False) -> Manifest:
    """Write the database at ``url`` to the archive ``path``; its manifest."""
    engine = backup_engine(url)
    writer = ArchiveWriter(path)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                revision = _check_schema(connection)
                for table in SQLModel.metadata.sorted_tables:
                    spec = table_spec(table)
                    if table.name in SECRET_TABLES and not with_secrets:
                        spec.omitted = "secrets"
                        writer.add_table(spec, [])
                    else:
                        writer.add_table(spec, _rows(connection, table, with_secrets))
                manifest = Manifest(
                    format_version=FORMAT_VERSION,
                    app_version=app_version(),
                    alembic_revision=revision,
                    created_at=datetime.now(UTC).isoformat(),
                    database=connection.dialect.name,
                    with_secrets=with_secrets,
                )
        writer.finish(manifest)
        return manifest
    except OSError as exc:
        writer.discard()
        raise BackupError(
            gettext("Cannot write the archive %(path)s: %(error)s", path=path, error=exc)
        ) from exc
    except BaseException:
        writer.discard()
        raise
    finally:
        engine.dispose()
