"""The app as a real server process, for tests that kill it, restart it or run two at once,
and the clients that write to it from several threads.

``AppServer`` runs ``python -m uvicorn app.main:app`` on a free loopback port against the
database it is given, with the environment the tests set (``tests/conftest.py``'s
``use_database``). ``served`` starts some and stops them however the test ends.
"""

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.config import ROOT
from tests.factories import PASSWORD, auth, csrf_from, practice_data, practice_form

START_TIMEOUT = 30.0
UVICORN = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
UVICORN += ["--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """One server process over ``database_url``; ``start`` again after ``kill`` to restart
    it on the same database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = Path(tempfile.mkstemp(prefix="interlocal-server-", suffix=".log")[1])

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process; ``wait_ready`` waits until it answers."""
        port = free_port()
        env = {
            **os.environ,
            "INTERLOCAL_DATABASE_URL": self.database_url,
            "INTERLOCAL_ALLOWED_HOSTS": '["127.0.0.1"]',  # the address clients use
        }
        env.pop("INTERLOCAL_PUBLIC_URL", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*UVICORN, "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self) -> None:
        assert self.process is not None, "launch it first"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{self.output()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, no transaction is finished."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def errors(self) -> str:
        """The tracebacks the server logged (a 500 logs one)."""
        text = self.log.read_text(errors="replace")
        return text if "Traceback" in text else ""


@contextmanager
def served(database_url: str, count: int = 1) -> Iterator[list[AppServer]]:
    """``count`` servers over ``database_url``, started side by side, stopped (or killed)
    when the block ends."""
    servers = [AppServer(database_url) for _ in range(count)]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
            server.log.unlink(missing_ok=True)


# --- Clients ---------------------------------------------------------------------------


def signed_in(base_url: str, email: str, copies: int) -> list[tuple[httpx.Client, str]]:
    """``copies`` browser-like clients sharing one sign-in as ``email`` (one password
    check, not one each), with the CSRF token of their forms."""
    client = httpx.Client(base_url=base_url, timeout=60)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    token = csrf_from(client.get("/practices/new").text)
    others = [
        httpx.Client(base_url=base_url, timeout=60, cookies=client.cookies)
        for _ in range(copies - 1)
    ]
    return [(c, token) for c in [client, *others]]


def post_form(client: httpx.Client, token: str, title: str) -> httpx.Response:
    fields = practice_form(title, action="submit", confirm_new="yes", csrf_token=token)
    return client.post("/practices/new", data=fields)


def form_slug(response: httpx.Response) -> str:
    """The slug of the practice a form submitted (it redirects to the author's list)."""
    assert response.status_code == 303, response.text
    found = re.search(r"submitted=([\w-]+)", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def post_api(client: httpx.Client, key: str, title: str, place: str = "oslo") -> httpx.Response:
    return client.post(
        "/api/v1/practices?confirm_new=true",
        json=practice_data(title, place=place),
        headers=auth(key),
    )


def patch_summary(client: httpx.Client, key: str, slug: str, summary: str) -> httpx.Response:
    """Change the practice's summary from the version just read (If-Match its ETag)."""
    read = client.get(f"/api/v1/practices/{slug}", headers=auth(key))
    assert read.status_code == 200, read.text
    return client.patch(
        f"/api/v1/practices/{slug}?confirm_new=true",
        json={"summary": summary},
        headers={**auth(key), "If-Match": read.headers["etag"]},
    )


def all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run ``jobs`` in threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def read_feed(client: httpx.Client, since: str) -> tuple[list[tuple[str, str, str]], str]:
    """Every change after cursor ``since`` now, and the cursor after the last."""
    items: list[tuple[str, str, str]] = []
    while True:
        response = client.get("/api/v1/changes", params={"since": since, "limit": 1000})
        assert response.status_code == 200, response.text
        page = response.json()
        items += [(i["kind"], i["practice"], i["at"]) for i in page["items"]]
        since = page["next_cursor"]
        if not page["has_more"]:
            return items, since


@dataclass
class Ledger:
    """What the clients sent, and what they saw acknowledged (a 2xx)."""

    created: dict[str, str] = field(default_factory=dict)  # slug: title
    published: set[str] = field(default_factory=set)
    edits: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (version, summary)
    sent: dict[str, list[str]] = field(default_factory=dict)  # summaries, acknowledged or not
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.created) + sum(len(e) for e in self.edits.values())


def keep_writing(stop: threading.Event, ledger: Ledger, write: Callable[[int], None]) -> None:
    """Call ``write(n)`` for n = 0, 1, … until ``stop``, or until the server is gone."""
    for n in itertools.count():
        if stop.is_set():
            return
        try:
            write(n)
        except httpx.TransportError:
            return  # killed mid-request: that write was never acknowledged
        except Exception as exc:
            with ledger.lock:
                ledger.failures.append(repr(exc))
            return
