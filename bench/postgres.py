"""`make bench`, second part (BENCH_POSTGRES=0 skips it): the different searches on
PostgreSQL with 500,000 synthetic practices and 50,000 places (issue 17).

It starts a throwaway PostgreSQL from the machine's initdb/pg_ctl as the test suite does
(tests/postgres.py: as the user ``nobody`` when run as root, fsync off, default memory
settings), migrates, seeds and loads `interlocal synthetic` (timed), starts `interlocal
serve` with 2 workers and reports:

- start-up to ready: from launch until a search and a place's peers have both answered (and,
  apart, until every worker answers them fast: "settled");
- resident memory (VmRSS) of each worker after the searches;
- the different searches cycled with wrk (as in run.py), p50 and p99; peers of different
  places beside them (no target);

Environment: BENCH_PG_PRACTICES (500000), BENCH_PG_PLACES (50000), BENCH_SEARCHES (6000),
BENCH_PEER_PLACES (4000), BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_THREADS,
BENCH_WORKERS (2), BENCH_KEEP=1 keeps the server logs and path files.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import (
    BIN,
    ROOT,
    cache_use,
    free_port,
    get,
    interlocal,
    log,
    metrics,
    server,
    settle,
    worker_rss_mb,
)
from load import CONNECTIONS, DURATION, THREADS, UNSATURATED, PathCycle
from report import Check, below, fmt, latency_checks, report
from workload import peer_places, searches

sys.path.insert(0, str(ROOT))  # tests/postgres.py starts the server as the suite does

PRACTICES = int(os.environ.get("BENCH_PG_PRACTICES", "500000"))
PLACES = int(os.environ.get("BENCH_PG_PLACES", "50000"))
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "6000"))
PEER_PLACES = int(os.environ.get("BENCH_PEER_PLACES", "4000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))

# Targets from issue 17.
P50_MS, P99_MS, WORKER_MB, START_S = 50.0, 200.0, 300.0, 60.0


def main() -> int:
    from tests import postgres

    if not postgres.available():
        sys.exit("PostgreSQL's initdb/pg_ctl are missing: `make system-deps` installs them")
    workdir = Path(tempfile.mkdtemp(prefix="interlocal-bench-pg-"))
    try:
        with postgres.running_postgres() as server_url:
            return bench(postgres.create_database(server_url, "interlocal"), workdir)
    finally:
        if os.environ.get("BENCH_KEEP") == "1":
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def wait_ready(urls: list[str], launched: float, limit_s: float = 600) -> float:
    """Seconds from launch until every URL has answered 200 once."""
    for url in urls:
        while True:
            try:
                if get(url, timeout=limit_s)[0] == 200:
                    break
            except (OSError, ValueError):  # a worker not listening yet, a cut answer
                pass
            if time.monotonic() - launched > limit_s:
                sys.exit(f"{url} did not answer within {limit_s:g} s of launch")
            time.sleep(0.2)
    return time.monotonic() - launched


def bench(url: str, workdir: Path) -> int:
    from app.migrations import upgrade

    env = {
        **os.environ,
        "INTERLOCAL_DATABASE_URL": url,
        "INTERLOCAL_WORKERS": str(WORKERS),
        "INTERLOCAL_RATE_LIMIT_ANONYMOUS": "",  # measure the server, not the rate limit
    }
    env.pop("INTERLOCAL_RESULT_CACHE_SIZE", None)  # the default, as deployed
    upgrade(url)
    log(interlocal(["seed"], env))
    started = time.perf_counter()
    log(interlocal(["synthetic", "--practices", str(PRACTICES), "--places", str(PLACES)], env))
    load_seconds = time.perf_counter() - started
    log(f"synthetic load of {PRACTICES:,} practices took {load_seconds:.1f} s")

    chosen = searches(url, SEARCHES + 1)
    chosen, first = chosen[:-1], chosen[-1]  # the first search asked, apart from the cycle
    places = peer_places(url, PEER_PLACES + 1)
    places, first_place = places[:-1], places[-1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "interlocal"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with server("ours-postgresql", command, env, f"{base}/healthz", workdir, 300) as ours:
        probes = [base + first.ours(), f"{base}/api/v1/places/{first_place}/peers"]
        ready = wait_ready(probes, ours.launched)
        log(f"a search and a place's peers answered {ready:.1f} s after launch")
        settled = ready + settle(probes, fast_ms=1000, streak=10, limit_s=600)
        lists = PathCycle(base, [s.ours() for s in chosen], workdir / "searches.txt")
        peers = PathCycle(
            base, [f"/api/v1/places/{slug}/peers" for slug in places], workdir / "peers.txt"
        )
        before = metrics(base)
        different = lists.measure("list, different searches (ours, PostgreSQL)")
        memory = worker_rss_mb(ours.process.pid)
        middle = metrics(base)
        peer_row = peers.measure("peers, different places (ours, PostgreSQL)")
        after = metrics(base)
        unsaturated = lists.measure(
            f"list, different searches, {UNSATURATED} connections (ours, PostgreSQL)",
            connections=UNSATURATED,
        )

    heaviest = max(memory) if memory else None
    notes = [
        f"start-up: a search and a place's peers answered {ready:.1f} s after launch; every "
        f"worker answered them within 1 s ten times in a row after {settled:.1f} s",
        "resident memory per worker after the searches: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory),
        "list, different searches: " + cache_use(before, middle).describe(("practices",)),
        "peers, different places: " + cache_use(middle, after).describe(("peers",)),
    ]
    checks = []
    for row, connections in ((different, CONNECTIONS), (unsaturated, UNSATURATED)):
        checks += latency_checks(f"{connections} connections", row, P50_MS, P99_MS)
    checks += [
        Check(
            f"memory per worker < {WORKER_MB:g} MB",
            f"{fmt(heaviest, 0)} MB",
            below(heaviest, WORKER_MB),
        ),
        Check(f"start-up to ready < {START_S:g} s", f"{ready:.1f} s", ready < START_S),
    ]
    if different.errors:
        checks.append(Check("no error", f"{different.errors}", False))
    context = [
        f"data: the seed plus {PRACTICES:,} synthetic practices and {PLACES:,} synthetic "
        f"places, PostgreSQL (throwaway server, fsync off, default memory settings); "
        f"synthetic load took {load_seconds:.1f} s",
        f"load: wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s on loopback, {os.cpu_count()} "
        f"cores shared by client, server and database; ours: uvicorn, {WORKERS} worker(s), "
        "result cache on",
        f"searches: {len(chosen):,} different, cycled as in the SQLite run; peers: "
        f"{len(places):,} different places",
    ]
    rows = [different, peer_row, unsaturated]
    report(f"PostgreSQL, {PRACTICES:,} practices", context, rows, notes, checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
