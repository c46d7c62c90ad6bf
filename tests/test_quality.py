"""The code stays ruff- and mypy-clean."""

import subprocess
import sys
from pathlib import Path

from app.config import ROOT

BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", "app", "tests", "migrations")
    assert result.returncode == 0, result.stdout


def test_mypy_is_clean() -> None:
    result = run(str(BIN / "mypy"), "app")
    assert result.returncode == 0, result.stdout
