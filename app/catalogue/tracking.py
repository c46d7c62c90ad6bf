"""Which commits change what public readers use, and what they changed.

Every commit that may change a published practice, or anything else the catalogue is made
of, adds one to ``catalogue_version`` in its own transaction (the session events below,
whichever code path did the writing), and records in ``catalogue_change`` what it changed:
the practices, or "everything" for places, networks, memberships, vocabularies and writes
it cannot attribute. Results cached under the version (``app/catalogue/cache.py``) cannot
outlive a change, and each worker brings its in-memory indexes up to date by applying the
changed practices instead of reloading them.

A commit that touches only unpublished practices (a draft saved, a submission, a revision
waiting for review) or bookkeeping (accounts, audit, revisions) leaves the version alone:
public readers see nothing of it, so nothing they use is invalidated.

Writes that bypass the ORM session (raw SQL on a connection) are not seen: make them through
a session, or call ``mark_changed``.
"""

import secrets
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, insert, inspect, update
from sqlalchemy.orm import ORMExecuteState, SessionTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnClause,
)
from sqlalchemy.sql.visitors import iterate
from sqlmodel import Session, col, select

from app.models.catalogue import CatalogueChange, CatalogueVersion, PracticeChange
from app.models.dilemmas import Dilemma, DilemmaState, DilemmaVisibility
from app.models.practices import Practice, PracticeStatus

# Tables whose rows say nothing about places or published practices.
NOT_CATALOGUE = frozenset(
    {
        "catalogue_version",
        "catalogue_change",
        "user_account",
        "user_session",
        "password_token",
        "audit_event",
        "api_key",
        "idempotent_request",
        "account_request",  # approving one writes organisations and places, which count
        "place_match",  # confirming one writes places, which count
        "practice_revision",  # publishing one writes the practice, which counts
        "follow_up_reminder",
        "dilemma",  # read afresh by each page; the peers' read only public ones (below)
    }
)


# Tables of a practice's own rows, and the column naming the practice.
PRACTICE_TABLES = {
    "practice": "id",
    "practice_term": "practice_id",
    "practice_partner": "practice_id",
    "practice_source": "practice_id",
    "outcome": "practice_id",
    "practice_lineage": "practice_id",
    "practice_translation": "practice_id",
    "practice_search": "practice_id",  # the full-text documents ("rowid" on SQLite)
    "practice_search_words": "practice_id",  # their words, stemmed and weighted
}


FEED = "practice_change"  # rows written only for practices the public saw or sees


# Columns of a practice that are bookkeeping, not content: claiming the next edit version
# on a published practice while its draft revision is saved changes nothing readers see.
BOOKKEEPING_COLUMNS = frozenset({"version"})


# How many versions of changes are kept; a worker further behind reloads everything.
KEPT_VERSIONS = 100_000


_EVERYTHING = "interlocal.catalogue_changed"
_TOUCHED = "interlocal.practices_touched"  # may have changed; counts if published or was
_PUBLIC = "interlocal.practices_public"  # changed and published before or after
_TO_STAMP = "interlocal.changes_to_stamp"


def mark_changed(session: OrmSession, *, feed: bool = False) -> None:
    """Count the session's next commit as a change of everything in the catalogue;
    ``feed`` when it added rows to the change feed, which the commit stamps with its
    version."""
    session.info[_EVERYTHING] = True
    if feed:
        session.info[_TO_STAMP] = True


def _touch(session: OrmSession, ids: Iterable[int], *, public: bool = False) -> None:
    session.info.setdefault(_PUBLIC if public else _TOUCHED, set()).update(ids)


def pending_changes(session: OrmSession) -> bool:
    """Whether the session holds changes of the catalogue not yet committed."""
    info = session.info
    if info.get(_EVERYTHING) or info.get(_TOUCHED) or info.get(_PUBLIC):
        return True
    objects = chain(session.new, session.dirty, session.deleted)
    return any(_table(obj) not in NOT_CATALOGUE for obj in objects)


def _table(obj: Any) -> str | None:
    return getattr(obj, "__tablename__", None)  # unknown (None) counts as a change


def _was_published(obj: Any, deleted: bool) -> bool:
    if deleted:
        return bool(obj.status == PracticeStatus.published)
    history = inspect(obj).attrs.status.history
    return PracticeStatus.published in (history.deleted or ())


def _moves_public_dilemmas(obj: Dilemma, deleted: bool) -> bool:
    """Whether a dilemma's change moves what the peer features read of the dilemma log:
    which public dilemmas there are, their clusters and their places. Drafts, reviews and
    edits of wording change nothing there."""

    def shared(state: str, visibility: str) -> bool:
        return state == DilemmaState.published and visibility == DilemmaVisibility.public

    def before(attr: str) -> Any:
        history = inspect(obj).attrs[attr].history
        return history.deleted[0] if history.deleted else getattr(obj, attr)

    now = shared(obj.state, obj.visibility)
    if deleted:
        return now
    if now != shared(before("state"), before("visibility")):
        return True
    facts = ("cluster", "practice_id", "organisation_id")
    return now and any(inspect(obj).attrs[a].history.has_changes() for a in facts)


# After the flush, new rows have their ids while the session still lists what was flushed,
# with each attribute's history.
@event.listens_for(OrmSession, "after_flush")
def _note_flushed(session: OrmSession, _context: Any) -> None:
    for obj, deleted in chain(
        ((o, False) for o in chain(session.new, session.dirty)),
        ((o, True) for o in session.deleted),
    ):
        name = _table(obj)
        if name == FEED:
            _touch(session, [obj.practice_id], public=True)
        elif name == "dilemma" and _moves_public_dilemmas(obj, deleted):
            mark_changed(session)
        elif name in NOT_CATALOGUE:
            continue
        elif name in PRACTICE_TABLES:
            practice_id = getattr(obj, PRACTICE_TABLES[name])
            _touch(session, [practice_id])
            if name == "practice" and _was_published(obj, deleted):
                _touch(session, [practice_id], public=True)
        else:
            mark_changed(session)


def _compared_ids(statement: Any, column: str) -> list[int] | None:
    """The ids a statement's WHERE compares ``column`` with (``=`` or ``IN``), or None
    (also when the WHERE has an OR, which could name others)."""
    where = getattr(statement, "whereclause", None)
    if where is None:
        return None
    nodes = list(iterate(where))
    if any(isinstance(n, BooleanClauseList) and n.operator is operators.or_ for n in nodes):
        return None
    for node in nodes:
        if (
            isinstance(node, BinaryExpression)
            and isinstance(node.left, ColumnClause)
            and node.left.name in (column, "rowid")
            and isinstance(node.right, BindParameter)
            and node.operator in (operators.eq, operators.in_op)
        ):
            value = node.right.value
            values = value if isinstance(value, list | tuple | set) else [value]
            if all(isinstance(v, int) for v in values):
                return list(values)
    return None


def _parameter_ids(parameters: Any, column: str) -> list[int] | None:
    rows = parameters if isinstance(parameters, list) else [parameters]
    ids = [row.get(column) for row in rows if isinstance(row, Mapping)]
    if not ids or not all(isinstance(i, int) for i in ids) or len(ids) != len(rows):
        return None
    return [int(i or 0) for i in ids]


def _set_columns(statement: Any) -> set[str]:
    values = getattr(statement, "_values", None) or {}
    return {getattr(key, "key", None) or getattr(key, "name", None) or str(key) for key in values}


@event.listens_for(OrmSession, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if (name != FEED and name in NOT_CATALOGUE) or (name == FEED and not state.is_insert):
        return  # stamping the feed's rows with their version changes nothing more
    if name == "practice" and state.is_update:
        columns = _set_columns(state.statement)
        if columns <= BOOKKEEPING_COLUMNS:
            return
        if "status" in columns:  # who saw it before is unknown here
            mark_changed(state.session)
            return
    column = "practice_id" if name == FEED else PRACTICE_TABLES.get(name or "")
    ids = None
    if column is not None:
        ids = (
            _parameter_ids(state.parameters, column)
            if state.is_insert
            else _compared_ids(state.statement, column)
        )
    if ids is None or (name == "practice" and state.is_delete):
        mark_changed(state.session, feed=name == FEED)
    else:
        _touch(state.session, ids, public=name == FEED)


def _published(session: OrmSession, ids: set[int]) -> set[int]:
    listed = sorted(ids)
    found: set[int] = set()
    for start in range(0, len(listed), 500):
        found.update(
            session.execute(
                select(Practice.id).where(
                    col(Practice.id).in_(listed[start : start + 500]),
                    col(Practice.status) == PracticeStatus.published,
                )
            ).scalars()
        )
    return found


def _next_version(session: OrmSession) -> int:
    version = session.execute(
        update(CatalogueVersion)
        .where(col(CatalogueVersion.id) == 1)
        .values(version=CatalogueVersion.version + 1)
        .returning(col(CatalogueVersion.version))
    ).scalar_one_or_none()
    if version is None:
        # A database created from the models rather than by the migrations.
        version = secrets.randbelow(2**30)
        session.add(CatalogueVersion(id=1, version=version))
        session.flush()
    return int(version)


@event.listens_for(OrmSession, "before_commit")
def _count_the_change(session: OrmSession) -> None:
    session.flush()  # before_commit runs before the final flush; flushing notes its changes
    info = session.info
    everything = info.pop(_EVERYTHING, False)
    touched, public = info.pop(_TOUCHED, set()), info.pop(_PUBLIC, set())
    stamp = info.pop(_TO_STAMP, False)
    changed = public
    if touched and not everything:
        changed = public | _published(session, touched - public)
    if not (everything or changed):
        return
    version = _next_version(session)
    session.execute(
        insert(CatalogueChange),
        [{"version": version, "practice_id": i} for i in ([None] if everything else changed)],
    )
    if version % 1000 == 0:
        session.execute(
            delete(CatalogueChange).where(col(CatalogueChange.version) < version - KEPT_VERSIONS)
        )
    if stamp or public:
        # Holding the version row's lock until commit, so the feed's order is commit order.
        session.execute(
            update(PracticeChange)
            .where(PracticeChange.seq == None)  # type: ignore[arg-type]  # noqa: E711
            .values(seq=version)
        )


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_changes(session: OrmSession, transaction: SessionTransaction) -> None:
    # A rolled-back transaction changed nothing (a savepoint's rollback may leave changes
    # made outside it, so only the outermost transaction clears the marks).
    if transaction.parent is None:
        for name in (_EVERYTHING, _TOUCHED, _PUBLIC, _TO_STAMP, _VERSION):
            session.info.pop(name, None)


_VERSION = "interlocal.catalogue_version"
_READ_VERSION = f"SELECT version FROM {CatalogueVersion.__tablename__}"


def catalogue_version(session: Session) -> int:
    """The version as this transaction first read it: one lookup per request, however
    many caches ask (a commit or rollback ends the transaction, and the next reads
    afresh)."""
    found = session.info.get(_VERSION)
    if found is None:
        # Plain SQL: most requests answered from a cache make no other query, and building
        # and compiling the statement cost more than running it.
        read = session.connection().exec_driver_sql(_READ_VERSION).scalar()
        found = session.info[_VERSION] = read or 0
    return int(found)


def changed_since(session: Session, old: int, new: int) -> set[int] | None:
    """The practices changed after version ``old`` up to ``new``; None when anything else
    changed too, or when the record of some version is missing (kept too briefly, or the
    database was restored): then everything must be reloaded."""
    if new < old:
        return None
    rows = session.exec(
        select(CatalogueChange.version, CatalogueChange.practice_id).where(
            col(CatalogueChange.version) > old, col(CatalogueChange.version) <= new
        )
    ).all()
    if len({version for version, _id in rows}) != new - old:
        return None
    if any(practice_id is None for _version, practice_id in rows):
        return None
    return {int(practice_id or 0) for _version, practice_id in rows}
