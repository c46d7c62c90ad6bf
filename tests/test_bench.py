"""The benchmark measures what it says (bench/, issue 17): wrk's path script cycles through
different URLs from a different offset per thread and continues where it stopped; a search
goes to Datasette as the same full-text expression; the cache's hits are read from /metrics."""

import http.server
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from common import cache_use
from load import connections_by_process
from workload import Search

LUA = ROOT / "bench" / "paths.lua"


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records the path of every request; its URL and paths."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects

        def do_GET(self) -> None:  # the name http.server calls
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def wrk(url: str, file: Path, start: int, threads: int) -> int:
    """One second of wrk with paths.lua; where it says the next run starts."""
    script = ["-s", str(LUA), url, "--", str(file), str(start), str(threads)]
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{threads}", "-d1s", *script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"^next start (\d+)$", output, re.M)
    assert found, output
    return int(found[1])


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench does)")
def test_paths_are_cycled_from_each_threads_offset_and_continued(
    recorder: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, seen = recorder
    count = 100_000  # more than a second of requests: no path is asked twice
    file = tmp_path / "paths.txt"
    file.write_text("".join(f"/p/{i}\n" for i in range(count)))

    # Two threads: two unbroken stretches, from the start given and half the file later.
    wrk(url, file, 10, threads=2)
    asked = sorted(int(p.removeprefix("/p/")) for p in seen)
    assert len(asked) == len(set(asked)) > 20, "a path came back within one cycle"
    first, second = [n for n in asked if n < count // 2], [n for n in asked if n >= count // 2]
    assert first == list(range(10, 10 + len(first)))
    assert second == list(range(10 + count // 2, 10 + count // 2 + len(second)))

    # One thread, started where the last run stopped: it goes on from there, in order.
    seen.clear()
    start = count - 5  # and wraps around the end of the file
    stopped = wrk(url, file, start, threads=1)
    asked = [int(p.removeprefix("/p/")) for p in seen]
    assert asked == [(start + i) % count for i in range(len(asked))]
    assert stopped in {(start + len(asked)) % count, (start + len(asked) + 1) % count}


def test_a_search_asks_datasette_the_same_full_text_expression() -> None:
    search = Search("integrated", "DE", "media-engagement")
    assert search.ours() == (
        "/api/v1/practices?q=integrated&country=DE&activity_type=media-engagement"
        "&facets=country%2Cactivity_type&limit=20"
    )
    path = search.datasette("practices", "practices")
    assert path.startswith("/practices/practices.json?")
    # Our search widens the word to its synonyms; Datasette gets them ORed in raw FTS5.
    assert "_search=%28%22integrated%22+OR+%22integration%22+OR+%22cohesion%22+OR" in path
    assert "_searchmode=raw" in path
    assert "activity_type__arraycontains=media-engagement" in path
    assert "_facet=country&_facet_array=activity_type&_size=20" in path


def test_cache_use_is_the_difference_between_two_scrapes() -> None:
    def sample(name: str, value: float, **labels: str) -> tuple[tuple[str, frozenset], float]:
        return (name, frozenset(labels.items())), value

    lookups = "interlocal_cache_lookups_total"
    before = dict(
        [
            sample(lookups, 10, cache="practices", result="hit"),
            sample(lookups, 5, cache="practices", result="miss"),
            sample("interlocal_index_load_seconds_count", 1, index="practice index"),
            sample("interlocal_index_load_seconds_sum", 1.5, index="practice index"),
        ]
    )
    after = dict(
        [
            sample(lookups, 11, cache="practices", result="hit"),
            sample(lookups, 104, cache="practices", result="miss"),
            sample(lookups, 7, cache="peers", result="miss"),
            sample("interlocal_index_load_seconds_count", 3, index="practice index"),
            sample("interlocal_index_load_seconds_sum", 4.5, index="practice index"),
        ]
    )
    use = cache_use(before, after)
    assert use.hit_rate("practices") == 0.01
    assert use.hit_rate("peers") == 0.0
    assert use.hit_rate("places-map") is None
    assert use.index_loads == {"practice index": (2.0, 3.0)}
    assert "'practice index' (re)built 2× (3.0 s in all)" in use.describe(("practices",))


@pytest.mark.skipif(shutil.which("ss") is None, reason="ss (iproute2) is not installed")
def test_the_connections_each_process_holds_are_counted() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            assert connections_by_process(port) == "3"  # all held by this process
        finally:
            for sock in clients + accepted:
                sock.close()
