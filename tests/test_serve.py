"""``interlocal serve`` as a host runs it: several workers whose metrics add up, JSON log
lines that carry the request id, and SIGTERM letting a request in flight finish before the
process exits 0."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

SQLITE_ONLY = pytest.mark.parametrize("catalogue", ["sqlite"], indirect=True)
INTERLOCAL = Path(sys.executable).parent / "interlocal"
GRACE = 5  # seconds


def _start_request(port: int, body: bytes, request_id: str) -> socket.socket:
    """A POST whose headers and first bytes of body are sent; the rest is up to the test."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    connection.sendall(
        b"POST /api/v1/peers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Content-Type: application/json\r\nX-Request-ID: {request_id}\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[:5]
    )
    return connection


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


def _metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


@SQLITE_ONLY
@pytest.mark.writes
def test_workers_share_metrics_log_json_and_finish_requests_at_sigterm(writable: str) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="interlocal-serve-", suffix=".log")[1])
    env = {
        **os.environ,
        "INTERLOCAL_DATABASE_URL": writable,
        "INTERLOCAL_LOG_FORMAT": "json",
        "INTERLOCAL_GRACEFUL_SHUTDOWN_SECONDS": str(GRACE),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(INTERLOCAL),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(process, url, log)

        # Several workers: whichever answers /metrics counts every worker's requests.
        for _ in range(12):  # a connection each, so both workers take some
            assert httpx.get(f"{url}/api/v1/vocabularies/goal").status_code == 200
        scraped = httpx.get(f"{url}/metrics").text
        route = 'interlocal_http_requests_total{method="GET",route="/api/v1/vocabularies/{scheme}"'
        assert _metric(scraped, route) == 12

        # Requests in flight when SIGTERM comes, their bodies still arriving: one that
        # finishes within the grace period, and one that never does.
        body = json.dumps({"level": "municipality"}).encode()
        slow, stuck = (_start_request(port, body, name) for name in ("slow-1", "stuck-1"))
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        time.sleep(1.5)
        assert process.poll() is None, "the server did not wait for the requests"
        slow.sendall(body[5:])
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
        slow.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b"x-request-id: slow-1" in answer.lower()
        # The stuck one is given up when the grace period ends, and the server exits.
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - signalled >= GRACE - 0.5
        stuck.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    log.unlink()
    records = [json.loads(line) for line in lines]  # every line is a JSON object
    [access] = [r for r in records if r.get("request_id") == "slow-1"]
    assert access["logger"] == "interlocal.access"
    assert (access["method"], access["route"], access["status"]) == ("POST", "/api/v1/peers", 200)
    assert access["duration_ms"] >= 2000  # it waited for the rest of its body
    assert any("graceful shutdown exceeded" in r["message"] for r in records)
