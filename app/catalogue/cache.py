"""What is derived from the catalogue and kept in memory, and how it knows it is stale.

Results cached under the catalogue version (``cached``) cannot outlive a change: every
commit that changes what public readers use adds one to it (``app/catalogue/tracking.py``),
and the request after that commit reads the new number, in every worker process, and
computes afresh. Reading it is one primary-key lookup, far cheaper than what it saves.

The large things loaded once per worker (the practice index, the peer features) are not
reloaded when only practices changed: ``loaded`` applies the changed practices to them,
and reloads them whole in the background now and then as a safety net. Likewise the parts
many answers share (a practice's summary, a highlighted passage) outlast other
practices' changes: a publication drops only the entries that depend on what it changed.
"""

import ctypes
import ctypes.util
import gc
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cachetools import LRUCache
from sqlmodel import Session

from app.catalogue.tracking import catalogue_version, changed_since, pending_changes
from app.config import get_settings
from app.i18n import get_language
from app.operations import metrics

T = TypeVar("T")


# Given what was loaded, a session and the practices changed since: the updated value, or
# None when reloading it whole is better.
Update = Callable[[T, Session, set[int]], T | None]


@dataclass
class _Loaded(Generic[T]):
    version: int
    value: T
    at: float  # when it was last loaded whole (time.monotonic)


def unchanged(value: T, _session: Session, _practices: set[int]) -> T:
    """The update of what practices do not change (vocabulary labels, say)."""
    return value


_loaded: dict[tuple[str, str], _Loaded[Any]] = {}  # (database, name) -> what was loaded


_loading = threading.RLock()  # loading one thing may load another (features read the index)


_rebuilding: set[tuple[str, str]] = set()


def loaded(
    session: Session, name: str, load: Callable[[Session], T], update: Update[T] | None = None
) -> T:
    """``load(session)``'s result (the peer features, the practice index), brought up to date
    when the catalogue version has moved on: by ``update`` with the practices changed since,
    when given and nothing else changed, otherwise by loading it again.

    It loads in a session of its own, so that nobody's uncommitted changes get into what
    every request shares. Requests that waited while another loaded reuse its result
    instead of loading it again one after another.
    """
    key = (str(session.get_bind().engine.url), name)
    version = catalogue_version(session)
    found = _loaded.get(key)
    if found is not None and found.version >= version:  # newer than the reader's is fine
        metrics.cache_lookup(name, hit=True)
        if update is not None:
            _rebuild_if_due(session, key, name, load, found)
        return found.value  # type: ignore[no-any-return]
    with _loading:
        found = _loaded.get(key)
        metrics.cache_lookup(name, hit=found is not None and found.version >= version)
        if found is None or found.version < version:
            with Session(session.get_bind()) as own:
                value = None
                if found is not None and update is not None:
                    changed = changed_since(own, found.version, version)
                    if changed is not None:
                        with metrics.index_load(f"{name} (changes)"):
                            value = update(found.value, own, changed)
                if value is not None and found is not None:
                    found = _Loaded(version, value, found.at)
                else:
                    with metrics.index_load(name):
                        found = _Loaded(version, load(own), time.monotonic())
                    _loaded_whole()
            _loaded[key] = found
        return found.value  # type: ignore[no-any-return]


def _kept_out_of_collections() -> None:
    """Leave what was just loaded or kept out of the garbage collector's full collections.
    The indexes and kept answers are hundreds of thousands of objects that live long, and
    every full collection walked them all: pauses of up to 330 ms at 50,000 practices, the
    slowest hundredth of searches. They hold no reference cycles, so reference counting
    still frees them when they are replaced or evicted; garbage that does is collected
    first, since frozen it would never be."""
    gc.collect()
    gc.freeze()


def _loaded_whole() -> None:
    """After a load: freeze what it made (as above) and hand the memory its reads and
    counting used back to the system. glibc keeps freed memory of large blocks once it
    has raised its threshold for them, about 100 MB a worker at 50,000 practices."""
    _kept_out_of_collections()
    if _trim is not None:
        _trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
        return trim
    except (AttributeError, OSError, TypeError):  # not glibc
        return None


_trim = _malloc_trim()


def _rebuild_if_due(
    session: Session, key: tuple[str, str], name: str, load: Callable[[Session], T], found: Any
) -> None:
    """Reload in the background, as a safety net, what has been updated for long enough
    (``INTERLOCAL_INDEX_REBUILD_SECONDS``); readers keep the updated copy meanwhile."""
    every = get_settings().index_rebuild_seconds
    if not every or time.monotonic() - found.at < every or key in _rebuilding:
        return
    _rebuilding.add(key)
    bind = session.get_bind()

    def rebuild() -> None:
        try:
            with Session(bind) as own, metrics.index_load(name):
                version = catalogue_version(own)
                value = load(own)
            with _loading:  # a later version is caught up with by the next request
                _loaded[key] = _Loaded(version, value, time.monotonic())
            _loaded_whole()
        finally:
            _rebuilding.discard(key)

    threading.Thread(target=rebuild, name=f"rebuild {name}", daemon=True).start()


# Each store is made on first use. "results" holds whole answers (lists, peers), at the
# configured size; "items" the parts many answers share (a practice's summary, a
# highlighted passage), small and many; "lookups" what practices never change (the
# vocabularies' terms, the sources), read whole, few, and kept apart from the churn of items.
STORES = {"results": 1.0, "items": 8.0, "lookups": 0.25}


_stores: dict[str, LRUCache[Hashable, Any]] = {}


_lock = threading.Lock()


# Stores whose entries outlast changes of practices: when only practices changed, just the
# entries that depend on them are dropped (``_epoch``), so that a publication a second
# does not empty what every reader shares. Their keys are a practice id or a tuple ending
# with one, or (lookups) depend on no practice.
LASTING = ("items", "lookups")


def _practice_of(key: Hashable) -> Any:
    return key[-1] if isinstance(key, tuple) else key


@dataclass
class _Epoch:
    number: int  # the version at which everything last changed, as this worker saw it
    seen: int  # the version this worker last caught up with
    at: float  # when it began (time.monotonic)


_epochs: dict[str, _Epoch] = {}


def _epoch(session: Session, url: str) -> int:
    """The number the lasting stores' keys carry: it moves on when anything but practices
    changed (and, as a safety net, every ``INTERLOCAL_INDEX_REBUILD_SECONDS``); when only
    practices changed, the entries that depend on them are dropped instead."""
    version = catalogue_version(session)
    every = get_settings().index_rebuild_seconds
    state = _epochs.get(url)

    def fresh(state: _Epoch | None) -> bool:
        return state is not None and (not every or time.monotonic() - state.at < every)

    if state is not None and fresh(state) and state.seen >= version:
        return state.number
    with _lock:
        state = _epochs.get(url)
        if state is None or not fresh(state):
            changed = None
        elif state.seen >= version:
            return state.number
        else:
            changed = changed_since(session, state.seen, version)
        if state is None or changed is None:
            state = _epochs[url] = _Epoch(version, version, time.monotonic())
            return state.number
        if changed:
            for store in LASTING:
                values = _store(store)
                keys: list[Any] = list(values)
                for key in keys:
                    if key[:2] == (url, state.number) and _practice_of(key[4]) in changed:
                        del values[key]
        state.seen = version
        return state.number


def _prefix(session: Session, name: str, store: str) -> tuple[Hashable, ...] | None:
    """What every key of ``name`` starts with, or None when nothing may be cached."""
    if not get_settings().result_cache_size or pending_changes(session):
        return None
    url = str(session.get_bind().engine.url)
    number = _epoch(session, url) if store in LASTING else catalogue_version(session)
    return (url, number, get_language(), name)


def _store(store: str) -> LRUCache[Hashable, Any]:
    found = _stores.get(store)
    if found is None:
        settings = get_settings()
        found = LRUCache(maxsize=max(8, int(settings.result_cache_size * STORES[store])))
        _stores[store] = found
    return found


def cached(
    session: Session,
    name: str,
    key: Hashable,
    compute: Callable[[], T],
    *,
    store: str = "results",
) -> T:
    """``compute()``, reused while the catalogue stays unchanged.

    The key is ``name`` and ``key`` (which must capture every argument, including whose
    view it is), plus the database, the reader's language and the catalogue version.
    Results are shared between requests: callers must treat them as read-only. A session
    with uncommitted changes of its own always computes afresh.
    """
    return cached_many(session, name, [key], lambda _keys: {key: compute()}, store=store)[key]


K = TypeVar("K", bound=Hashable)


def cached_many(
    session: Session,
    name: str,
    keys: Sequence[K],
    compute: Callable[[list[K]], dict[K, T]],
    *,
    store: str = "results",
) -> dict[K, T]:
    """Like ``cached`` for many keys at once: ``compute`` gets those not cached, in one
    call (one batch of queries for the practices of a page)."""
    prefix = _prefix(session, name, store)
    if prefix is None:
        return compute(list(keys))
    found: dict[K, T] = {}
    with _lock:
        values = _store(store)
        for key in keys:
            value = values.get((*prefix, key), _MISSING)
            if value is not _MISSING:
                found[key] = value
    metrics.cache_lookup(name, hit=len(found) == len(keys))
    missing = [key for key in keys if key not in found]
    if missing:
        computed = compute(missing)
        with _lock:
            values = _store(store)
            for key, value in computed.items():
                with suppress(ValueError):  # larger than the whole store: not kept
                    values[(*prefix, key)] = value
            _kept[0] += len(computed)
            if _kept[0] >= FREEZE_EVERY:
                _kept[0] = 0
                _kept_out_of_collections()
        found.update(computed)
    return found


# Kept answers are many small objects (a list of practices holds some forty models); full
# collections walk every one, so every so many of them are left out too (they hold no
# cycles: eviction frees them). Often and small: collecting what 400 kept answers made
# takes about 2 ms, what 2,000 made 10 to 20 ms, which fell on one request in fifty.
FREEZE_EVERY = 400


_kept = [0]


_MISSING = object()
