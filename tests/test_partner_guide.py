"""The partner guide (``app/content/partner-guide.md``, the site's For developers page)
works as written: each of its curl and Python examples is run, in order, against the
application served over real HTTP, with a key of the organisation that coordinates the
Inclusive Cities network. Runs on SQLite and PostgreSQL."""

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.places import Membership, Network
from tests.conftest import ROOT
from tests.factories import new_key

FENCE = re.compile(r"^```(sh|python)\n(.*?)^```", re.S | re.M)


def guide_examples() -> list[tuple[str, str]]:
    guide = (ROOT / "app" / "content" / "partner-guide.md").read_text()
    examples = [(lang, code) for lang, code in FENCE.findall(guide)]
    # The first block only shows which variables to set; the test sets them.
    return [(lang, code) for lang, code in examples if not code.startswith("export ")]


@pytest.fixture
def served(engine: Engine) -> Iterator[str]:
    """The application on a free loopback port, over the test's database."""
    from app.main import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    httpx.get(f"{base}/healthz").raise_for_status()
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def network_members(engine: Engine) -> int:
    with Session(engine) as session:
        network = session.exec(select(Network).where(Network.slug == "inclusive-cities")).one()
        return len(
            session.exec(select(Membership).where(Membership.network_id == network.id)).all()
        )


def test_the_guide_has_curl_and_python_examples() -> None:
    kinds = [lang for lang, _code in guide_examples()]
    assert kinds.count("sh") >= 3 and kinds.count("python") >= 3
    assert all("curl" in code for lang, code in guide_examples() if lang == "sh")
    assert all("import httpx" in code for lang, code in guide_examples() if lang == "python")


@pytest.mark.writes
def test_every_example_of_the_partner_guide_runs(
    engine: Engine, served: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "INTERLOCAL": served,
        "KEY": new_key(engine, "read", "write", organisation="compas"),
    }
    members_before = network_members(engine)
    outputs = []
    for lang, code in guide_examples():
        command = (
            ["bash", "-euo", "pipefail", "-c", code]
            if lang == "sh"
            else [sys.executable, "-c", code]
        )
        run = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, f"this example failed:\n{code}\n{run.stdout}\n{run.stderr}"
        outputs.append(run.stdout)
    text = "\n".join(outputs)
    assert ('"items"' in text and "ETag:" in text) or "etag:" in text
    assert (tmp_path / "practices.csv").read_text().startswith("slug,title,")
    assert re.search(r"^\d+ practices; next time ask from \S+", text, re.M)
    assert "submitted /practices/" in text and "now at version" in text
    # The member-list example adds a member, then removes it again.
    assert network_members(engine) == members_before
