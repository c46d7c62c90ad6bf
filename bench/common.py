"""What both benchmark runs (SQLite in run.py, PostgreSQL in postgres.py) share: starting
servers and waiting for them, the `interlocal` command, plain HTTP, workers' memory and the
server's own metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH_BIN = ROOT / ".venv-bench" / "bin"


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 60) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def interlocal(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    """Run the `interlocal` command; its standard output, or the run ends with its error."""
    done = subprocess.run(
        [str(BIN / "interlocal"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
    )
    if done.returncode != 0:
        sys.exit(
            f"interlocal {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout.strip()


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    launched: float  # time.monotonic() at launch
    up_after: float = 0.0  # seconds from launch until it first answered


@contextmanager
def server(
    name: str, args: list[str], env: dict[str, str], ready: str, logs: Path, limit_s: float = 90
) -> Iterator[Server]:
    """Run a server in its own process group until the block ends."""
    with (logs / f"{name}.log").open("w") as out:
        launched = time.monotonic()
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = Server(name, process, launched)
    try:
        while True:
            if process.poll() is not None:
                sys.exit(f"{name} exited ({process.returncode}); see {logs / (name + '.log')}")
            try:
                if get(ready, timeout=5)[0] == 200:
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() - launched > limit_s:
                sys.exit(f"{name} did not answer {ready} within {limit_s:g} s")
            time.sleep(0.2)
        running.up_after = time.monotonic() - launched
        log(f"{name} is up ({ready}) after {running.up_after:.1f} s")
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def settle(urls: list[str], fast_ms: float = 100, streak: int = 20, limit_s: float = 180) -> float:
    """Wait until each URL answers within ``fast_ms`` ``streak`` times in a row; the seconds
    it took. Every request opens a new connection, so it reaches any worker: a worker still
    loading its practice index or peer features breaks the streak. Measuring before they
    are all loaded would measure the loading."""
    started = time.monotonic()
    for url in urls:
        fast = 0
        while fast < streak:
            if time.monotonic() - started > limit_s:
                sys.exit(f"{url} did not settle within {limit_s:g} s")
            began = time.perf_counter()
            status, _body = get(url)
            if status != 200:
                sys.exit(f"{url} answered {status} while settling")
            fast = fast + 1 if (time.perf_counter() - began) * 1000 < fast_ms else 0
    took = time.monotonic() - started
    log(f"settled in {took:.1f} s")
    return took


# --- Workers' memory ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def worker_rss_mb(pid: int) -> list[float]:
    """Resident memory (VmRSS, MB) of each uvicorn worker under the server process ``pid``:
    the processes multiprocessing spawned, not its resource tracker."""
    sizes = []
    stack = _children(pid)
    while stack:
        child = stack.pop()
        stack += _children(child)
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        if b"spawn_main" not in cmdline and b"uvicorn" not in cmdline:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if found:
            sizes.append(int(found[1]) / 1024)
    if not sizes:  # one worker: uvicorn serves in the process itself
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        sizes = [int(found[1]) / 1024] if found else []
    return sorted(sizes)


# --- The server's metrics (/metrics, allowed from 127.0.0.1) -------------------------------

_SAMPLE = re.compile(r"^(\w+)\{([^}]*)\}\s+(\S+)$")


def metrics(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every labelled sample of ``base``/metrics, summed over the workers by the server."""
    try:
        with urllib.request.urlopen(f"{base}/metrics", timeout=30) as response:
            text = response.read().decode()
    except (OSError, ValueError):
        return {}
    samples = {}
    for line in text.splitlines():
        found = _SAMPLE.match(line)
        if found:
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', found[2]))
            samples[(found[1], labels)] = float(found[3])
    return samples


@dataclass
class CacheUse:
    """What the server's caches did between two scrapes of /metrics."""

    hits: dict[str, float]  # result name -> hits
    misses: dict[str, float]
    index_loads: dict[str, tuple[float, float]]  # index -> (count, seconds)

    def hit_rate(self, name: str) -> float | None:
        total = self.hits.get(name, 0) + self.misses.get(name, 0)
        return self.hits.get(name, 0) / total if total else None

    def describe(self, names: tuple[str, ...]) -> str:
        parts = []
        for name in names:
            rate = self.hit_rate(name)
            if rate is not None:
                total = int(self.hits.get(name, 0) + self.misses.get(name, 0))
                parts.append(f"result cache '{name}': {rate * 100:.1f} % hits of {total:,}")
        for index, (count, seconds) in sorted(self.index_loads.items()):
            if count:
                parts.append(f"'{index}' (re)built {int(count)}× ({seconds:.1f} s in all)")
        return "; ".join(parts) or "no cache metrics (is /metrics reachable?)"


def cache_use(
    before: dict[tuple[str, frozenset[tuple[str, str]]], float],
    after: dict[tuple[str, frozenset[tuple[str, str]]], float],
) -> CacheUse:
    use = CacheUse({}, {}, {})
    for (name, labels), value in after.items():
        delta = value - before.get((name, labels), 0.0)
        tags = dict(labels)
        if name == "interlocal_cache_lookups_total":
            side = use.hits if tags.get("result") == "hit" else use.misses
            side[tags.get("cache", "")] = side.get(tags.get("cache", ""), 0) + delta
        elif name in ("interlocal_index_load_seconds_count", "interlocal_index_load_seconds_sum"):
            index = tags.get("index", "")
            count, seconds = use.index_loads.get(index, (0.0, 0.0))
            if name.endswith("_count"):
                count += delta
            else:
                seconds += delta
            use.index_loads[index] = (count, seconds)
    return use
