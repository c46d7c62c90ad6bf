"""The app as a real server process, for tests that kill it, restart it or run two at once.

``AppServer`` runs ``python -m uvicorn app.main:app`` on a free loopback port against the
database it is given, with the environment the tests set (``tests/conftest.py``'s
``use_database``). ``served`` starts one and stops it however the test ends.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.config import ROOT

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
        port = free_port()
        env = {**os.environ, "INTERLOCAL_DATABASE_URL": self.database_url}
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
def served(database_url: str) -> Iterator[AppServer]:
    """A started server over ``database_url``, stopped (or killed) when the block ends."""
    server = AppServer(database_url)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
