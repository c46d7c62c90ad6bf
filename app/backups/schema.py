"""The database schema as backups see it: Alembic revisions, and migrating inside the
import's own transaction."""

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from app.backups.archive import BackupError
from app.i18n import gettext
from app.migrations import alembic_config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    found = _scripts().get_current_head()
    assert found is not None, "migrations/ has no revision"
    return found


def is_known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or malformed id
        return False


def current(connection: Connection) -> str | None:
    """The database's Alembic revision; None when it has no schema yet."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _is_ancestor(older: str, newer: str) -> bool:
    return any(r.revision == older for r in _scripts().walk_revisions(base="base", head=newer))


def migrate(connection: Connection, revision: str) -> None:
    """Bring the schema to ``revision`` (up, or down from a newer empty one) in the
    connection's transaction: ``migrations/env.py`` uses a connection it is given."""
    config = alembic_config()
    config.attributes["connection"] = connection
    found = current(connection)
    if found == revision:
        return
    if found is None or _is_ancestor(found, revision):
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)


def require_known(revision: str, what: str) -> None:
    if not is_known(revision):
        raise BackupError(
            gettext(
                "%(what)s is at schema revision %(revision)s, which this release does not know: "
                "it comes from a newer release of Interlocal. Use that release (or a newer one).",
                what=what,
                revision=revision,
            )
        )
