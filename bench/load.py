"""Driving wrk: one URL again and again, or a file of paths cycled by paths.lua, and reading
its report."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from common import get, log

LUA = Path(__file__).with_name("paths.lua")
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))  # seconds of wrk before each measured run


@dataclass
class Result:
    name: str
    what: str  # the URL, or the path file and how many paths it holds
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    errors: int = 0
    note: str = ""
    raw: str = ""  # wrk's own output
    extra: dict[str, str] = field(default_factory=dict)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"cannot read wrk latency {value!r}")
    return float(match[1]) * UNITS_MS[match[2]]


def parse_wrk(output: str, result: Result) -> Result:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"unexpected wrk output:\n{output}")
    result.rps, result.p50_ms, result.p99_ms = float(rps[1]), _ms(p50[1]), _ms(p99[1])
    result.requests = int(total[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result.errors = int(non_2xx[1]) if non_2xx else 0
    if socket_errors:
        result.errors += sum(int(n) for n in socket_errors.groups())
    if result.errors:
        result.note = f"{result.errors:,} errors"
    result.raw = output
    return result


# One request at a time per worker (with 2 workers): what a reader waits while the server
# is not saturated. At CONNECTIONS the workers always have requests queued, so a latency
# there is mostly time in the queue (p50 ≈ connections / throughput).
UNSATURATED = int(os.environ.get("BENCH_UNSATURATED", "2"))


def _wrk(
    target: str, seconds: int, script: list[str] | None = None, connections: int = CONNECTIONS
) -> tuple[str, str]:
    """wrk's report, and how its connections were spread over the server's processes a
    moment into the run (see ``spread``)."""
    threads = min(THREADS, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    args += ["--latency"]
    if script:
        args += ["-s", str(LUA), target, "--", *script]
    else:
        args += [target]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as wrk:
        time.sleep(min(2.0, seconds / 2))
        spread = connections_by_process(urlsplit(target).port or 80)
        output, _ = wrk.communicate()
    if wrk.returncode:
        raise subprocess.CalledProcessError(wrk.returncode, args, output)
    return output, spread


def connections_by_process(port: int) -> str:
    """How many connections to ``port`` each process holds, most first ("6+2"): the workers
    accept from one socket, and the first to wake takes every connection waiting, so a
    row's connections can all land on one worker while the other idles. Empty when ``ss``
    cannot tell."""
    try:
        listed = subprocess.run(
            ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    counts = Counter(re.findall(r"pid=(\d+)", listed))
    return "+".join(str(n) for n in sorted(counts.values(), reverse=True))


def _noted(result: Result, spread: str) -> Result:
    if spread:
        result.extra["connections by process"] = spread
        result.note = "; ".join(filter(None, [result.note, f"connections {spread}"]))
    return result


def one_url(name: str, url: str) -> Result:
    """wrk asking ``url`` again and again (warmed up first)."""
    status, _body = get(url)
    result = Result(name, url)
    if status != 200:
        result.note = f"missing: HTTP {status}"
        log(f"{name}: {url} answers {status}; not measured")
        return result
    _wrk(url, WARMUP)
    log(f"{name}: wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s {url}")
    output, spread = _wrk(url, DURATION)
    return _noted(parse_wrk(output, result), spread)


class PathCycle:
    """A file of paths that wrk cycles through, each run continuing where the last stopped,
    so that no path comes back before every other path has been asked."""

    def __init__(self, base: str, paths: list[str], file: Path) -> None:
        self.base, self.count, self.file = base, len(paths), file
        file.write_text("\n".join(paths) + "\n")
        self.start = 0

    def run(self, seconds: int, connections: int = CONNECTIONS) -> tuple[str, str]:
        threads = min(THREADS, connections)
        script = [str(self.file), str(self.start), str(threads)]
        output, spread = _wrk(self.base, seconds, script, connections)
        found = re.search(r"^next start (\d+)$", output, re.M)
        if found is None:
            raise ValueError(f"paths.lua did not report where it stopped:\n{output}")
        self.start = int(found[1])
        return output, spread

    def measure(self, name: str, warm_up: bool = True, connections: int = CONNECTIONS) -> Result:
        if warm_up:
            self.run(WARMUP, connections)
        what = f"{self.count:,} paths of {self.file.name}, cycled"
        threads = min(THREADS, connections)
        log(f"{name}: wrk -t{threads} -c{connections} -d{DURATION}s -s paths.lua ({what})")
        output, spread = self.run(DURATION, connections)
        return _noted(parse_wrk(output, Result(name, what)), spread)
