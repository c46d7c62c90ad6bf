"""The table of every setting in the README's "For hosts" section, made from ``Settings``
(names, defaults, descriptions), so that the README cannot drift from the code.

``python -m app.operations.settings_doc`` prints it; ``--write`` puts it in README.md
between its markers. ``tests/test_operations.py`` fails while the README's copy differs.
"""

import json
import sys
from pathlib import Path
from typing import Any

from app.config import ROOT, Settings

README = ROOT / "README.md"
START = "<!-- settings: made by `python -m app.operations.settings_doc --write` -->"
END = "<!-- /settings -->"
LONGEST_DEFAULT = 48


def _default(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    # A path in this checkout is shown without the checkout's own place.
    shown = json.dumps(value) if isinstance(value, list) else str(value).replace(str(ROOT), "…")
    if shown == "":
        return "(empty)"
    if len(shown) > LONGEST_DEFAULT:
        shown = shown[: LONGEST_DEFAULT - 1] + "…"
    return f"`{shown}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def settings_table() -> str:
    """A Markdown table: each setting's variable, default and meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        rows.append(
            f"| `INTERLOCAL_{name.upper()}` | {_cell(_default(default))} "
            f"| {_cell(field.description or '')} |"
        )
    return "\n".join(rows)


def readme_block(readme: str) -> str | None:
    """The table as the README has it, or None without the markers."""
    if START not in readme or END not in readme:
        return None
    return readme.split(START, 1)[1].split(END, 1)[0].strip()


def write_readme(path: Path = README) -> None:
    readme = path.read_text(encoding="utf-8")
    before, rest = readme.split(START, 1)
    after = rest.split(END, 1)[1]
    path.write_text(f"{before}{START}\n{settings_table()}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_readme()
    else:
        print(settings_table())
