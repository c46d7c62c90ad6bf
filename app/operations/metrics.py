"""The Prometheus metrics every worker keeps, and their exposition.

With several worker processes (``interlocal serve --workers N``), each worker writes its
values to files in ``PROMETHEUS_MULTIPROC_DIR`` (``interlocal serve`` makes and empties that
folder before the workers start), and whichever worker answers ``/metrics`` sums them all:
prometheus_client's multiprocess mode. With one process the values live in memory.

Free of the web framework: the catalogue counts its cache hits here.
"""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.pool import Pool

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"  # as app.operations.serving names it

REQUESTS = Counter(
    "interlocal_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "interlocal_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
POOL_CONNECTIONS = Gauge(
    "interlocal_db_pool_connections",
    "Database connections the workers' pools hold open.",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "interlocal_db_pool_checked_out",
    "Database connections in use by requests (checked out of the pools).",
    multiprocess_mode="livesum",
)
CACHE = Counter(
    "interlocal_cache_lookups",
    "Lookups in the in-memory caches (result cache by result name, loaded indexes by "
    "name), by outcome: hit or miss.",
    ["cache", "result"],
)
INDEX_LOAD = Histogram(
    "interlocal_index_load_seconds",
    "Time taken to (re)build an in-memory index (practice index, peer features) after the "
    "catalogue changed.",
    ["index"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def cache_lookup(cache: str, hit: bool) -> None:
    CACHE.labels(cache, "hit" if hit else "miss").inc()


@contextmanager
def index_load(index: str) -> Iterator[None]:
    """Time the (re)building of ``index``."""
    started = time.perf_counter()
    yield
    INDEX_LOAD.labels(index).observe(time.perf_counter() - started)  # a failed load is no time


def _counting(gauge: Gauge, step: int) -> Callable[..., None]:
    def listener(*_args: Any) -> None:
        gauge.inc(step)

    return listener


# Every pool of every engine, counted as connections open and come and go: correct with
# any number of engines and worker processes (each worker's gauge is summed across live
# workers), and nothing to read at scrape time.
event.listen(Pool, "connect", _counting(POOL_CONNECTIONS, 1))
event.listen(Pool, "close", _counting(POOL_CONNECTIONS, -1))
event.listen(Pool, "close_detached", _counting(POOL_CONNECTIONS, -1))
event.listen(Pool, "checkout", _counting(POOL_CHECKED_OUT, 1))
event.listen(Pool, "checkin", _counting(POOL_CHECKED_OUT, -1))


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if os.environ.get(MULTIPROC_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited() -> None:
    """Drop this process's live gauges from the sums (a worker's lifespan ends)."""
    if os.environ.get(MULTIPROC_DIR):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
