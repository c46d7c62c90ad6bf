"""What is derived from the catalogue and kept in memory, and how it knows it is stale.

Every commit that writes to a catalogue table also adds one to ``catalogue_version``, in the
same transaction (the session events below), whichever code path did the writing. Results
cached under that number (``cached``) therefore cannot outlive a change: the request after
a commit reads the new number, in every worker process, and computes afresh. Reading it is
one primary-key lookup, far cheaper than the list and peer queries it saves.

Writes that bypass the ORM session (raw SQL on a connection) are not seen: make them through
a session, or call ``mark_changed``.
"""

import secrets
import threading
from collections.abc import Callable, Hashable
from itertools import chain
from typing import Any, TypeVar

from cachetools import LRUCache
from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, SessionTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.config import get_settings
from app.i18n import get_language
from app.models.catalogue import CatalogueVersion, PracticeChange
from app.operations import metrics

# Tables whose rows say nothing about places, practices or their vocabularies.
NOT_CATALOGUE = frozenset(
    {
        "catalogue_version",
        "user_account",
        "user_session",
        "password_token",
        "audit_event",
        "api_key",
        "idempotent_request",
        "account_request",  # approving one writes organisations and places, which count
        "place_match",  # confirming one writes places, which count
        "practice_change",  # written beside the change it records, and stamped at commit
    }
)


_CHANGED = "interlocal.catalogue_changed"


_TO_STAMP = "interlocal.changes_to_stamp"


T = TypeVar("T")


def _is_catalogue(table_name: str | None) -> bool:
    return table_name not in NOT_CATALOGUE  # unknown (None) counts as a change


def mark_changed(session: OrmSession, *, feed: bool = False) -> None:
    """Count the session's next commit as a change of the catalogue; ``feed`` when it
    added rows to the change feed, which the commit stamps with its version."""
    session.info[_CHANGED] = True
    if feed:
        session.info[_TO_STAMP] = True


def _pending_changes(session: OrmSession) -> bool:
    if session.info.get(_CHANGED):
        return True
    objects = chain(session.new, session.dirty, session.deleted)
    return any(_is_catalogue(getattr(obj, "__tablename__", None)) for obj in objects)


# On SQLAlchemy's Session, so that sessions of every kind (SQLModel's too) are covered.
@event.listens_for(OrmSession, "before_flush")
def _note_flushed_changes(session: OrmSession, _context: Any, _instances: Any) -> None:
    if _pending_changes(session):
        mark_changed(session)


@event.listens_for(OrmSession, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if _is_catalogue(getattr(table, "name", None)):
            mark_changed(state.session)


@event.listens_for(OrmSession, "before_commit")
def _count_the_change(session: OrmSession) -> None:
    session.flush()  # before_commit runs before the final flush; flushing notes its changes
    if not session.info.pop(_CHANGED, False):
        return
    version = session.execute(
        update(CatalogueVersion)
        .where(CatalogueVersion.id == 1)  # type: ignore[arg-type]
        .values(version=CatalogueVersion.version + 1)
        .returning(col(CatalogueVersion.version))
    ).scalar_one_or_none()
    if version is None:
        # A database created from the models rather than by the migrations.
        version = secrets.randbelow(2**30)
        session.add(CatalogueVersion(id=1, version=version))
        session.flush()
    if session.info.pop(_TO_STAMP, False):
        # Holding the version row's lock until commit, so the feed's order is commit order.
        session.execute(
            update(PracticeChange)
            .where(PracticeChange.seq == None)  # type: ignore[arg-type]  # noqa: E711
            .values(seq=version)
        )


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_changes(session: OrmSession, transaction: SessionTransaction) -> None:
    # A rolled-back transaction changed nothing (a savepoint's rollback may leave changes
    # made outside it, so only the outermost transaction clears the mark).
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_TO_STAMP, None)


def catalogue_version(session: Session) -> int:
    return session.exec(select(CatalogueVersion.version)).first() or 0


_loaded: dict[tuple[str, str], tuple[int, Any]] = {}  # (database, name) -> (version, value)


_loading = threading.Lock()


def loaded(session: Session, name: str, load: Callable[[Session], T]) -> T:
    """``load(session)``'s result (the peer features, the practice index), loaded again only
    when the catalogue version has moved on.

    It loads in a session of its own, so that nobody's uncommitted changes get into what
    every request shares. Requests that waited while another loaded reuse its result
    instead of loading it again one after another.
    """
    key = (str(session.get_bind().engine.url), name)
    version = catalogue_version(session)
    found = _loaded.get(key)
    if found is not None and found[0] == version:
        metrics.cache_lookup(name, hit=True)
        return found[1]  # type: ignore[no-any-return]
    with _loading:
        found = _loaded.get(key)
        metrics.cache_lookup(name, hit=found is not None and found[0] == version)
        if found is None or found[0] != version:
            with Session(session.get_bind()) as own, metrics.index_load(name):
                found = _loaded[key] = (version, load(own))
        return found[1]


_results: LRUCache[Hashable, Any] | None = None  # made on first use, at the configured size


_lock = threading.Lock()


def cached(session: Session, name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, reused while the catalogue stays unchanged.

    The key is ``name`` and ``key`` (which must capture every argument, including whose
    view it is), plus the database, the reader's language and the catalogue version.
    Results are shared between requests: callers must treat them as read-only. A session
    with uncommitted changes of its own always computes afresh.
    """
    size = get_settings().result_cache_size
    if not size or _pending_changes(session):
        return compute()
    full_key = (
        str(session.get_bind().engine.url),
        catalogue_version(session),
        get_language(),
        name,
        key,
    )
    global _results
    with _lock:
        if _results is None:
            _results = LRUCache(maxsize=size)
        if full_key in _results:
            metrics.cache_lookup(name, hit=True)
            return _results[full_key]  # type: ignore[no-any-return]
    metrics.cache_lookup(name, hit=False)
    result = compute()
    with _lock:
        _results[full_key] = result
    return result
