"""The backup archive: a gzipped tar holding ``manifest.json`` and ``tables/<name>.jsonl``.

The manifest says what the archive is (format version, the app's version, the Alembic
revision of the database it came from, when, whether secrets are in it) and, for each table
in the order it must be loaded, its columns with their kinds, its row count and the SHA-256
of its data file. A data file holds one JSON object per row, keyed by column name, ordered
by primary key. Values are portable between SQLite and PostgreSQL: datetimes as ISO 8601
in UTC with the offset, dates as ISO dates, JSON columns as JSON, bytes as base64.
"""

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.i18n import gettext

# Raised when the archive's layout or meaning changes; an older release refuses a newer one.
FORMAT_VERSION = 1

MANIFEST = "manifest.json"

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BackupError(Exception):
    """An export or import that cannot go ahead; nothing was written or restored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Kinds of column, from the most specific SQLAlchemy type class down.
_KINDS: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    (JSON, "json"),
    (DateTime, "datetime"),
    (Date, "date"),
    (Boolean, "boolean"),
    (Integer, "integer"),
    (Float, "float"),
    (Numeric, "float"),
    (LargeBinary, "bytes"),
    (String, "text"),
)

_TYPES: dict[str, TypeEngine[Any]] = {
    "json": JSON(),
    "datetime": DateTime(timezone=True),
    "date": Date(),
    "boolean": Boolean(),
    "integer": Integer(),
    "float": Float(),
    "bytes": LargeBinary(),
    "text": String(),
}


def kind_of(type_: TypeEngine[Any]) -> str:
    while isinstance(type_, TypeDecorator):  # e.g. SQLModel's AutoString: judge what it wraps
        type_ = type_.impl_instance
    for cls, kind in _KINDS:
        if isinstance(type_, cls):
            return kind
    raise BackupError(gettext("Backups cannot hold a column of type %(type)s.", type=type_))


# Kinds whose values JSON does not hold as they are.
_CONVERTED = frozenset({"datetime", "date", "bytes", "float"})

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(kind: str, value: Any) -> Any:
    """A column's value as JSON can hold it."""
    if value is None:
        return None
    if kind == "datetime":
        # SQLite hands back naive datetimes; the app writes them in UTC.
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    if kind == "float":
        return float(value)
    return value


def decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    return value


@dataclass
class ColumnSpec:
    name: str
    kind: str
    nullable: bool
    primary_key: bool = False


@dataclass
class TableSpec:
    name: str
    columns: list[ColumnSpec]
    rows: int = 0
    sha256: str = ""
    # Why its rows were left out (e.g. "secrets"), or None.
    omitted: str | None = None

    def table(self) -> Table:
        """A stand-in ``Table`` with these columns, for inserting and type conversion."""
        return Table(
            self.name,
            MetaData(),
            *[Column(c.name, _TYPES[c.kind], primary_key=c.primary_key) for c in self.columns],
        )


@dataclass
class Manifest:
    format_version: int
    app_version: str
    alembic_revision: str
    created_at: str
    database: str  # the dialect the archive was made from
    with_secrets: bool
    tables: list[TableSpec] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        """The manifest, checked: refuses a newer format before reading anything else."""
        try:
            data = json.loads(raw)
            version = data["format_version"]
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(gettext("This is not an Interlocal backup archive.")) from exc
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                gettext(
                    "The archive's format version is %(found)s; this release reads versions "
                    "up to %(known)s. Restore it with a newer release of Interlocal.",
                    found=version,
                    known=FORMAT_VERSION,
                )
            )
        try:
            tables = [
                TableSpec(**{**t, "columns": [ColumnSpec(**c) for c in t["columns"]]})
                for t in data.pop("tables")
            ]
            manifest = cls(**data, tables=tables)
        except (KeyError, TypeError) as exc:
            raise BackupError(gettext("The archive's manifest is incomplete.")) from exc
        for spec in manifest.tables:
            names = [spec.name, *(c.name for c in spec.columns)]
            if not all(isinstance(n, str) and _NAME.match(n) for n in names) or any(
                c.kind not in _TYPES for c in spec.columns
            ):
                raise BackupError(
                    gettext(
                        "The archive's manifest describes table %(name)r wrongly.", name=spec.name
                    )
                )
        return manifest


def _member(name: str) -> str:
    return f"tables/{name}.jsonl"


class ArchiveWriter:
    """Writes tables one by one into a scratch folder, then the archive at ``path`` in one
    rename, so a failed export leaves no partial archive behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._scratch = tempfile.TemporaryDirectory(prefix="interlocal-export-")
        self.tables: list[TableSpec] = []

    def add_table(self, spec: TableSpec, rows: Iterable[dict[str, Any]]) -> None:
        """Write ``rows`` (decoded values) as the data file of ``spec``; fills in its row
        count and checksum."""
        digest, count = hashlib.sha256(), 0
        names = [c.name for c in spec.columns]
        converted = [(c.name, c.kind) for c in spec.columns if c.kind in _CONVERTED]
        with open(Path(self._scratch.name) / f"{spec.name}.jsonl", "wb") as out:
            for row in rows:
                values = {name: row[name] for name in names}
                for name, kind in converted:
                    values[name] = encode(kind, values[name])
                line = _JSON.encode(values).encode() + b"\n"
                digest.update(line)
                out.write(line)
                count += 1
        spec.rows, spec.sha256 = count, digest.hexdigest()
        self.tables.append(spec)

    def finish(self, manifest: Manifest) -> None:
        manifest.tables = self.tables
        # mkstemp makes it 0600: the archive holds personal data (and, asked for, secrets).
        handle, partial = tempfile.mkstemp(dir=self.path.parent, prefix=".export-")
        os.close(handle)
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                raw = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(raw), 0, 0o600
                tar.addfile(info, io.BytesIO(raw))
                for spec in self.tables:
                    tar.add(Path(self._scratch.name) / f"{spec.name}.jsonl", _member(spec.name))
            os.replace(partial, self.path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        finally:
            self._scratch.cleanup()

    def discard(self) -> None:
        self._scratch.cleanup()


class ArchiveReader:
    """Reads an archive written by ``ArchiveWriter``; every data file is checked against
    the manifest's row count and checksum before a row of it is handed out."""

    def __init__(self, path: Path) -> None:
        try:
            self._tar = tarfile.open(path, "r:gz")  # noqa: SIM115  (closed by close())
            self.manifest = Manifest.from_json(self._read(MANIFEST))
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(
                gettext("Cannot read the archive %(path)s: %(error)s", path=path, error=exc)
            ) from exc

    def _read(self, name: str) -> bytes:
        try:
            member: IO[bytes] | None = self._tar.extractfile(name)
        except KeyError:
            member = None
        if member is None:
            raise BackupError(gettext("The archive has no %(name)s.", name=name))
        return member.read()

    def rows(self, spec: TableSpec) -> Iterator[dict[str, Any]]:
        raw = self._read(_member(spec.name))
        lines = raw.splitlines()
        if hashlib.sha256(raw).hexdigest() != spec.sha256 or len(lines) != spec.rows:
            raise BackupError(
                gettext(
                    "The archive's data for table %(name)s does not match its manifest: "
                    "the archive is damaged.",
                    name=spec.name,
                )
            )
        names = [c.name for c in spec.columns]
        converted = [(c.name, c.kind) for c in spec.columns if c.kind in _CONVERTED]
        for number, line in enumerate(lines, 1):
            try:
                values = json.loads(line)
                row = {name: values[name] for name in names}
                for name, kind in converted:
                    row[name] = decode(kind, row[name])
                yield row
            except (ValueError, KeyError, TypeError) as exc:
                raise BackupError(
                    gettext(
                        "Row %(number)s of table %(name)s is not a row of %(columns)s.",
                        number=number,
                        name=spec.name,
                        columns=", ".join(names),
                    )
                ) from exc

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> "ArchiveReader":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
