"""The API's OpenAPI document as security tools read it: Spectral with the OWASP API
Security ruleset (tests/spectral/ruleset.yaml) finds no error. It says every limit (of
text, lists and integers), the rate-limit and CORS headers, and the 429 answer."""

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.config import ROOT
from app.main import app

SPECTRAL = ROOT / ".cache" / "spectral" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / "tests" / "spectral" / "ruleset.yaml"

pytestmark = pytest.mark.skipif(
    not SPECTRAL.exists() or shutil.which("node") is None,
    reason="Spectral is not installed (make test installs it)",
)


def errors(document: dict[str, Any], tmp_path: Path) -> list[str]:
    """Spectral's error-level findings on ``document``, as "rule at path" lines."""
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    # Spectral finds the rulesets a ruleset extends beside it, in node_modules.
    ruleset = tmp_path / "ruleset.yaml"
    shutil.copy(RULESET, ruleset)
    (tmp_path / "node_modules").symlink_to(SPECTRAL.parents[1])
    found = subprocess.run(
        [str(SPECTRAL), "lint", str(path), "--ruleset", str(ruleset), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    results = json.loads(found.stdout[found.stdout.index("[") :])
    return [
        f"{r['code']} at {'.'.join(map(str, r['path']))}" for r in results if r["severity"] == 0
    ]


def test_the_owasp_ruleset_finds_no_error(tmp_path: Path) -> None:
    found = errors(app.openapi(), tmp_path)
    assert found == [], "\n".join(found[:40])


def test_the_check_catches_an_unlimited_string(tmp_path: Path) -> None:
    document = copy.deepcopy(app.openapi())
    schema = document["components"]["schemas"]["PracticeIn"]["properties"]["title"]
    del schema["maxLength"]
    found = errors(document, tmp_path)
    assert any("string-limit" in line and "PracticeIn" in line for line in found), found
