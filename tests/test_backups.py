"""Backups: `interlocal export` and `interlocal import` round-trip the seeded catalogue
between SQLite and PostgreSQL record for record, leave secrets out unless asked, refuse a
non-empty database and archives of a newer release, and restore all or nothing."""

import dataclasses
import gzip
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, Engine, MetaData, Table, func, inspect, text
from sqlmodel import Session, SQLModel, col, select

from app.accounts.passwords import NEW_ACCOUNT_LINK_LIFETIME, issue_password_link
from app.accounts.sessions import start_session
from app.accounts.sign_in import authenticate
from app.backups import FORMAT_VERSION, BackupError, export_database, import_database
from app.backups.archive import ArchiveReader, ArchiveWriter, Manifest, TableSpec
from app.backups.confidential import SECRET_COLUMNS, SECRET_TABLES
from app.backups.export import app_version, table_spec
from app.backups.schema import head
from app.cli import main
from app.db import get_engine, make_engine
from app.migrations import upgrade
from app.models.accounts import ApiKey, IdempotentRequest, User
from app.models.catalogue import CatalogueVersion
from app.models.practices import Practice, PracticeTranslation
from app.permissions import viewer_for
from app.practices.workflow import create_practice
from tests.conftest import fresh_database, use_database
from tests.factories import (
    PASSWORD,
    new_key,
    new_organisation,
    new_user,
    practice_in,
    published_practice,
)

ORGANISATION = "barcelona-city-council"


# --- Helpers -----------------------------------------------------------------------------


def _add_secrets(engine: Engine, organisation: str) -> tuple[str, list[str]]:
    """A new account with a browser session and a password link, and an API key with a
    replayable answer; the account's e-mail and every secret the database now holds."""
    email = new_user(engine, "member", organisation)
    token = new_key(engine, "read", "write", organisation=organisation)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        key = session.exec(select(ApiKey).order_by(col(ApiKey.id).desc())).first()
        assert key is not None and key.id is not None
        session.add(
            IdempotentRequest(
                api_key_id=key.id, key="retry-1", request_hash="f" * 64, status_code=201
            )
        )
        session_token = start_session(session, user)
        link = issue_password_link(session, user, NEW_ACCOUNT_LINK_LIFETIME)
        session.commit()
        stored = [
            *session.exec(select(User.password_hash)),
            *session.exec(select(ApiKey.secret_hash)),
            *session.execute(text("SELECT token_hash FROM user_session")).scalars(),
            *session.execute(text("SELECT token_hash FROM password_token")).scalars(),
            *session.execute(text("SELECT request_hash FROM idempotent_request")).scalars(),
        ]
    return email, [token, session_token, link, *stored]


def _enrich(engine: Engine) -> str:
    """Beyond the seed: a members-only practice with a translation and a draft, by a new
    account with secrets; its e-mail."""
    members_only = published_practice(
        engine, practice_in(title="Closed-door dialogue", visibility="network"), ORGANISATION
    )
    email, _secrets = _add_secrets(engine, ORGANISATION)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        create_practice(session, user, viewer_for(session, user), practice_in(title="A draft"))
        practice = session.exec(select(Practice).where(Practice.slug == members_only)).one()
        assert practice.id is not None
        session.add(
            PracticeTranslation(
                practice_id=practice.id,
                language="es",
                title="Diálogo a puerta cerrada",
                summary="Vecinos de siempre y recién llegados conversan.",
                source_digest="0" * 64,
            )
        )
        session.commit()
    return email


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):  # SQLite gives naive UTC, PostgreSQL aware
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def _records(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every record of every table but the catalogue version (which import moves on)."""
    found = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "catalogue_version":
                continue
            times = [i for i, c in enumerate(table.columns) if isinstance(c.type, DateTime)]
            rows = [
                list(row)
                for row in conn.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for row in rows:
                for i in times:
                    row[i] = _normal(row[i])
            found[table.name] = [tuple(row) for row in rows]
    return found


def _without_secrets(records: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[Any]]:
    """``records`` less the secret tables and columns (and keys' revocation, which import
    sets when their secrets are gone)."""
    out = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in records and table.name not in SECRET_TABLES:
            hidden = SECRET_COLUMNS.get(table.name, frozenset()) | {"revoked_at"}
            keep = [i for i, c in enumerate(table.columns) if c.name not in hidden]
            out[table.name] = [tuple(row[i] for i in keep) for row in records[table.name]]
    return out


def _assert_same(source: dict[str, list[Any]], target: dict[str, list[Any]]) -> None:
    assert source.keys() == target.keys()
    for name, rows in source.items():
        assert len(rows) == len(target[name]), name
        for before, after in zip(rows, target[name], strict=True):
            assert before == after, name


def _spec(name: str) -> TableSpec:
    return table_spec(SQLModel.metadata.tables[name])


def _row(spec: TableSpec, **values: Any) -> dict[str, Any]:
    return {c.name: values.get(c.name) for c in spec.columns}


def _sources(*ids: int) -> tuple[TableSpec, list[dict[str, Any]]]:
    spec = _spec("source")
    return spec, [_row(spec, id=i, slug=f"report-{i}", title=f"Report {i}") for i in ids]


def _archive(
    path: Path, tables: list[tuple[TableSpec, list[dict[str, Any]]]], **manifest: Any
) -> Path:
    """A small archive of ``tables`` at this release's schema (``manifest`` overrides)."""
    writer = ArchiveWriter(path)
    for spec, rows in tables:
        writer.add_table(spec, rows)
    made = Manifest(
        format_version=FORMAT_VERSION,
        app_version=app_version(),
        alembic_revision=head(),
        created_at=datetime.now(UTC).isoformat(),
        database="sqlite",
        with_secrets=False,
    )
    writer.finish(dataclasses.replace(made, **manifest))
    return path


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- Round trip --------------------------------------------------------------------------


@pytest.mark.writes
def test_a_catalogue_round_trips_between_sqlite_and_postgresql_through_the_cli(
    request: pytest.FixtureRequest,
    writable: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # From SQLite without secrets, from PostgreSQL with them: both ways, both modes.
    source_kind = "postgresql" if writable.startswith("postgresql") else "sqlite"
    target_kind = "sqlite" if source_kind == "postgresql" else "postgresql"
    with_secrets = source_kind == "postgresql"
    email = _enrich(get_engine())
    source = _records(get_engine())
    with Session(get_engine()) as session:
        version_before = session.exec(select(CatalogueVersion.version)).one()
    archive = tmp_path / "backup.tar.gz"

    assert main(["export", str(archive), *(["--with-secrets"] * with_secrets)]) == 0
    assert f"written to {archive}" in capsys.readouterr().out
    with ArchiveReader(archive) as reader:
        written = [t.name for t in reader.manifest.tables]
    assert written == [t.name for t in SQLModel.metadata.sorted_tables]  # every table, in order

    target = fresh_database(request, target_kind, f"restored_from_{source_kind}")
    use_database(target)
    assert main(["import", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "rows of" in out and ("password reset" in out) is not with_secrets

    engine = get_engine()
    restored = _records(engine)
    if with_secrets:
        _assert_same(source, restored)
    else:
        _assert_same(_without_secrets(source), _without_secrets(restored))
        assert not any(restored[name] for name in SECRET_TABLES)
    with Session(engine) as session:
        # Accounts sign in only with their secrets; keys without them are revoked.
        assert (authenticate(session, email, PASSWORD) is not None) is with_secrets
        assert all(key.revoked_at for key in session.exec(select(ApiKey))) is not with_secrets
        # The search index was rebuilt; cached results of before cannot be served.
        indexed = session.execute(text("SELECT count(*) FROM practice_search")).scalar()
        assert indexed == session.exec(select(func.count()).select_from(Practice)).one()
        assert session.exec(select(CatalogueVersion.version)).one() > version_before
    # New rows get new ids (PostgreSQL's sequences moved past the restored ones).
    new_organisation(engine, "founded-after-the-restore", place="barcelona")


# --- Secrets -----------------------------------------------------------------------------


def test_secret_looking_columns_are_all_covered_by_the_secrets_policy() -> None:
    # A new column of hashes or tokens must be added to app/backups/confidential.py.
    for table in SQLModel.metadata.sorted_tables:
        if table.name in SECRET_TABLES:
            continue
        for column in table.columns:
            if re.search(r"hash|token|secret|password", column.name):
                assert column.name in SECRET_COLUMNS.get(table.name, ()), (table.name, column)


def test_without_secrets_no_password_hash_or_token_is_anywhere_in_the_archive(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = fresh_database(request, "sqlite", "backup_secrets")
    upgrade(url)
    use_database(url)
    email, secrets = _add_secrets(get_engine(), new_organisation(get_engine(), "keyholders"))
    export_database(url, tmp_path / "plain.tar.gz")
    raw = (tmp_path / "plain.tar.gz").read_bytes()
    unpacked = gzip.decompress(raw)
    assert email.encode() in unpacked  # the account is there...
    for secret in secrets:  # ...and none of its secrets, in any form
        assert secret.encode() not in unpacked and secret.encode() not in raw
    assert b"$argon2" not in unpacked

    export_database(url, tmp_path / "full.tar.gz", with_secrets=True)
    unpacked = gzip.decompress((tmp_path / "full.tar.gz").read_bytes())
    assert all(s.encode() in unpacked for s in secrets[3:])  # the hashes (tokens are never stored)


# --- Refusals and all-or-nothing ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_import_fills_a_migrated_empty_database_and_refuses_it_once_it_has_rows(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    target = fresh_database(request, kind, "backup_twice")
    upgrade(target)  # migrated, with only the bookkeeping rows the migrations write
    archive = _archive(tmp_path / "a.tar.gz", [_sources(1, 2)])
    _manifest, rows = import_database(target, archive)
    assert rows == 2
    with pytest.raises(BackupError, match=r"not empty \(table source has rows\)"):
        import_database(target, archive)
    engine = make_engine(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM source")).scalar() == 2
    engine.dispose()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": FORMAT_VERSION + 1}, "format version is 2; this release reads"),
        ({"alembic_revision": "9999"}, "revision 9999, which this release does not know"),
    ],
    ids=["newer-format", "unknown-revision"],
)
def test_import_refuses_an_archive_of_a_newer_release_through_the_cli(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    message: str,
) -> None:
    target = fresh_database(request, "sqlite", f"backup_{next(iter(change))}")
    archive = _archive(tmp_path / "newer.tar.gz", [_sources(1)], **change)
    use_database(target)
    assert main(["import", str(archive)]) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was restored" in err
    assert _tables(target) == set()


@pytest.mark.parametrize(
    ("kind", "fault"),
    [
        ("sqlite", "duplicate"),
        ("sqlite", "dangling"),
        ("sqlite", "damaged"),
        ("postgresql", "duplicate"),
    ],
)
def test_a_failing_import_leaves_the_database_as_it_was(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, fault: str
) -> None:
    # The first table loads; the second fails: a unique code twice, a reference to a
    # source the archive lacks, or data that does not match its checksum.
    target = fresh_database(request, kind, f"backup_{fault}")
    schemes = _spec("vocabulary_scheme")
    good = _row(schemes, id=1, code="goal", label="Goal", source_id=1)
    bad = {
        "duplicate": _row(schemes, id=2, code="goal", label="Goal again"),
        "dangling": _row(schemes, id=2, code="channel", label="Channel", source_id=99),
        "damaged": _row(schemes, id=2, code="channel", label="Channel"),
    }[fault]
    archive = _archive(tmp_path / "bad.tar.gz", [_sources(1), (schemes, [good, bad])])
    if fault == "damaged":
        _damage(archive, "vocabulary_scheme")
    with pytest.raises(BackupError, match="vocabulary_scheme"):
        import_database(target, archive)
    assert _tables(target) == set()  # not even the schema stayed


def _damage(archive: Path, table: str) -> None:
    """Rewrite ``archive`` with one byte of ``table``'s data changed."""
    import io
    import tarfile

    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if member.name == f"tables/{table}.jsonl":
                data = data.replace(b"Channel", b"Channe1", 1)
            tar.addfile(member, io.BytesIO(data))


# --- Archives of an older release --------------------------------------------------------


def test_an_archive_of_an_older_schema_is_migrated_after_loading(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # A database of revision 0007 had no gazetteer: places had no `catalogued` column. On
    # SQLite, migrating the loaded rows rebuilds the table (Alembic's batch mode).
    old = fresh_database(request, "sqlite", "backup_0007")
    upgrade(old, "0007")
    engine = make_engine(old)
    reflected = MetaData()
    sources, places = (Table(n, reflected, autoload_with=engine) for n in ("source", "place"))
    engine.dispose()
    place_spec = table_spec(places)
    assert "catalogued" not in {c.name for c in place_spec.columns}
    now = datetime.now(UTC)
    common = {"country": "ES", "arrival_groups": [], "created_at": now, "updated_at": now}
    rows = [
        _row(place_spec, id=1, slug="old-region", name="Old", level="region", **common),
        _row(
            place_spec,
            id=2,
            slug="old-town",
            name="Old",
            level="municipality",
            parent_id=1,
            **common,
        ),
    ]
    archive = _archive(
        tmp_path / "old.tar.gz",
        [(table_spec(sources), _sources(1)[1]), (place_spec, rows)],
        alembic_revision="0007",
    )
    target = fresh_database(request, "sqlite", "backup_from_0007")
    upgrade(target)  # empty, at a newer revision than the archive: migrated down first
    import_database(target, archive)
    engine = make_engine(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
        found = conn.execute(text("SELECT slug, parent_id, catalogued FROM place ORDER BY id"))
        assert [tuple(r) for r in found] == [("old-region", None, True), ("old-town", 1, True)]
    engine.dispose()
