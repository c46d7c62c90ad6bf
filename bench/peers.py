"""Peers for any place of the gazetteer: how long `find_peers` takes, computed afresh.

Target (issue 15): under 30 ms at the median over the loaded places, measured over 200
different places rather than one.

It makes a new SQLite database in a temporary directory (migrated, the seed loaded with
``app.loaders.seed.writer.load_seed``, then the gazetteer with
``app.loaders.gazetteer.loader.load_gazetteer``, as ``make run`` does), loads the peer
features once (timed), then calls ``find_peers`` in this process for BENCH_PEERS_SAMPLE
(200) places drawn at random (seed BENCH_PEERS_SEED, 15) from every loaded place, with
the result cache off (INTERLOCAL_RESULT_CACHE_SIZE=0), so each call ranks every place
and explains its ten best. Each place is asked twice, as the API's default does (peers
with practices) and with ``include_empty`` (any place), and the median, p95 and slowest
of each are printed (wall clock), with the median CPU time of this process beside them
(what a call costs when the machine's cores are shared with other work), and a Markdown
table for bench/RESULTS.md.

    .venv/bin/python bench/peers.py
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = int(os.environ.get("BENCH_PEERS_SAMPLE", "200"))
SEED = int(os.environ.get("BENCH_PEERS_SEED", "15"))
TARGET_MS = 30.0


def log(message: str) -> None:
    print(f"[bench peers] {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(workdir: Path) -> int:
    database = workdir / "interlocal.db"
    os.environ["INTERLOCAL_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["INTERLOCAL_RESULT_CACHE_SIZE"] = "0"  # every call is computed

    from sqlmodel import Session

    from app.config import get_settings
    from app.db import analyze, get_engine
    from app.loaders.gazetteer.loader import load_gazetteer
    from app.loaders.seed.writer import load_seed
    from app.migrations import upgrade
    from app.places.peers.features import place_features
    from app.places.peers.finding import find_peers

    get_settings.cache_clear()
    upgrade(os.environ["INTERLOCAL_DATABASE_URL"])
    engine = get_engine()
    started = time.perf_counter()
    with Session(engine) as session:
        load_seed(session, ROOT / "seed")
    with Session(engine) as session:
        report = load_gazetteer(session, get_settings().gazetteer_min_population)
    analyze(engine)
    log(f"seed and gazetteer loaded in {time.perf_counter() - started:.1f} s")
    for line in report.lines():
        log(line)

    with Session(engine) as session:
        started = time.perf_counter()
        features = place_features(session)
        load_s = time.perf_counter() - started
        places = len(features.ids)
        with_practices = int((features.practices > 0).sum())
        log(f"peer features of {places:,} places loaded in {load_s:.2f} s")
        slugs = random.Random(SEED).sample([p.slug for p in features.places], SAMPLE)
        find_peers(session, slugs[0])  # the vocabularies' first read, as any first request
        timings: dict[str, list[float]] = {"default": [], "include_empty": []}
        cpu: dict[str, list[float]] = {"default": [], "include_empty": []}
        for slug in slugs:
            for name, include_empty in (("default", False), ("include_empty", True)):
                began, began_cpu = time.perf_counter(), time.process_time()
                find_peers(session, slug, include_empty=include_empty)
                timings[name].append((time.perf_counter() - began) * 1000)
                cpu[name].append((time.process_time() - began_cpu) * 1000)

    rows = [
        (
            name,
            statistics.median(values),
            percentile(values, 0.95),
            max(values),
            statistics.median(cpu[name]),
        )
        for name, values in timings.items()
    ]
    context = (
        f"{places:,} places ({with_practices} with published practices), SQLite, one "
        f"process, result cache off; {SAMPLE} places drawn with seed {SEED}; "
        f"peer features loaded in {load_s:.2f} s"
    )
    print()
    print(context)
    print()
    header = f"{'peers of a place':<16}  {'median ms':>9}  {'p95 ms':>7}  {'max ms':>7}"
    print(f"{header}  {'median CPU ms':>13}")
    for name, median, p95, slowest, cpu_ms in rows:
        print(f"{name:<16}  {median:9.1f}  {p95:7.1f}  {slowest:7.1f}  {cpu_ms:13.1f}")
    median = rows[0][1]
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(f"\n{verdict}  peers median < {TARGET_MS:g} ms (default): {median:.1f} ms")
    print("\n--- Markdown (for bench/RESULTS.md) ---\n")
    print(f"- {context}\n")
    print("| peers of a place | median ms | p95 ms | max ms | median CPU ms |")
    print("|---|---:|---:|---:|---:|")
    for name, median_ms, p95, slowest, cpu_ms in rows:
        print(f"| {name} | {median_ms:.1f} | {p95:.1f} | {slowest:.1f} | {cpu_ms:.1f} |")
    return 0


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="interlocal-bench-peers-"))
    try:
        return measure(workdir)
    finally:
        if os.environ.get("BENCH_KEEP") == "1":
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
