"""Rate limits kept in a Redis (``INTERLOCAL_RATE_LIMIT_STORAGE``) hold across app
instances: two processes, each with its own app, share one client's allowance. A storage
that cannot be used stops the start with a message that says why.

The suite starts a real ``redis-server`` (Debian's package, which ``make test`` installs)
on a free port in a temporary directory."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import cli, limiting
from app.config import ROOT, get_settings

SQLITE_ONLY = pytest.mark.parametrize("catalogue", ["sqlite"], indirect=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway Redis on loopback; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: run `make test`, which installs it")
    workdir, port = Path(tempfile.mkdtemp(prefix="interlocal-redis-")), _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert process.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def storage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read afresh, and the limiter's storage of each URI forgotten afterwards."""
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    limiting._limiter.cache_clear()


# The second instance: its own process, its own app, the same settings (environment).
OTHER_INSTANCE = """
import json, sys
from fastapi.testclient import TestClient
from app.main import create_app
client = TestClient(create_app(), client=(sys.argv[1], 50000))
print(json.dumps([client.get("/api/v1/vocabularies").status_code for _ in range(int(sys.argv[2]))]))
"""


def _other_instance(address: str, requests: int) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", OTHER_INSTANCE, address, str(requests)],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@SQLITE_ONLY
def test_two_app_processes_share_one_limit_in_redis(
    engine: Engine, redis_url: str, storage: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import create_app

    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_STORAGE", redis_url)
    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_ANONYMOUS", "5/minute")
    get_settings.cache_clear()
    address = f"198.51.100.{os.getpid() % 250 + 1}"  # a bucket no other run shares
    limiting.limiter().storage.reset()

    with TestClient(create_app(), client=(address, 50000)) as here:  # start-up checks Redis
        assert [here.get("/api/v1/vocabularies").status_code for _ in range(3)] == [200] * 3
        # The other process has its own memory: only the shared storage knows the 3.
        assert _other_instance(address, 3) == [200, 200, 429]
        refused = here.get("/api/v1/vocabularies")
        assert refused.status_code == 429 and "5 per 1 minute" in refused.json()["detail"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other_address = TestClient(create_app(), client=("198.51.100.251", 50000))
    assert other_address.get("/api/v1/vocabularies").status_code == 200  # its own count


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("redis://:hunter2@127.0.0.1:{closed}/0", "does not answer"),
        ("bogus://nowhere", "is not a storage"),
        ("async+memory://", "is not a storage"),
    ],
)
def test_a_storage_that_cannot_be_used_stops_the_start(
    uri: str,
    says: str,
    storage: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.main import create_app

    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_STORAGE", uri.format(closed=_free_port()))
    get_settings.cache_clear()
    with pytest.raises(limiting.StorageUnusable, match=says) as refused, TestClient(create_app()):
        pass
    assert "INTERLOCAL_RATE_LIMIT_STORAGE" in str(refused.value)
    assert "hunter2" not in str(refused.value)
    # `interlocal serve` says so in one line, before it listens, and exits 2.
    assert cli.main(["serve", "--port", str(_free_port())]) == 2
    error = capsys.readouterr().err
    assert error.startswith("serve: INTERLOCAL_RATE_LIMIT_STORAGE=") and says in error
    assert "hunter2" not in error


@SQLITE_ONLY
def test_a_storage_that_stops_answering_refuses_limited_requests_for_now(
    engine: Engine, storage: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import create_app

    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_STORAGE", f"redis://127.0.0.1:{_free_port()}/0")
    monkeypatch.setenv("INTERLOCAL_RATE_LIMIT_ANONYMOUS", "5/minute")
    get_settings.cache_clear()
    client = TestClient(create_app())  # no start-up: the storage went away after it
    refused = client.get("/api/v1/vocabularies")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert refused.json()["status"] == 503 and "unavailable" in refused.json()["detail"]
    assert client.get("/healthz").status_code == 200  # probes are not limited
