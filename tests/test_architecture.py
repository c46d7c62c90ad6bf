"""The shape of the code: the domain is free of the web framework, modules stay small,
every package says what it holds, no route hides another, and old migrations stand alone."""

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from starlette.routing import Route, compile_path

from app.config import ROOT

APP = ROOT / "app"
# The domain: plain Python over a SQLModel session, called by the pages and the API alike.
DOMAIN = [
    APP / "practices",
    APP / "places",
    APP / "vocabularies",
    APP / "catalogue",
    APP / "opendata",
    APP / "accounts",
    APP / "loaders",
    APP / "models",
    APP / "permissions.py",
    APP / "i18n.py",
    APP / "db.py",
    APP / "errors.py",
    APP / "config.py",
    APP / "schemas.py",
    APP / "validation.py",
    APP / "countries.py",
    APP / "mail.py",
    APP / "migrations.py",
]
# Web frameworks, and the app's own web layers (which would bring them in).
WEB = ("fastapi", "starlette", "app.web", "app.api", "app.main", "app.requests")
MAX_LINES = 400


def modules(*roots: Path) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        found += [root] if root.is_file() else sorted(root.rglob("*.py"))
    return found


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in ``path``, also those inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:  # `from app import web`
                yield node.lineno, f"{node.module}.{alias.name}"


def is_under(module: str, packages: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_domain_does_not_import_the_web_framework() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in modules(*DOMAIN)
        for line, module in imported(path)
        if is_under(module, WEB)
    ]
    assert offending == []


def test_the_import_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import starlette.requests\nfrom fastapi import Depends\n"
        "def f():\n    from app import web\n"
    )
    found = [m for _line, m in imported(sample) if is_under(m, WEB)]
    assert found == ["starlette.requests", "fastapi", "fastapi.Depends", "app.web"]


def test_no_module_is_over_400_lines() -> None:
    # Migrations live outside app/; translation catalogues are .po files, not modules.
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules(APP)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _docstring(path: Path) -> str:
    return (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()


def test_every_package_opens_with_a_docstring() -> None:
    packages = [APP / "__init__.py", *sorted(APP.rglob("*/__init__.py"))]
    missing = [
        str(path.relative_to(ROOT))
        for path in packages
        if "__pycache__" not in path.parts and _docstring(path) in ("", "TODO")
    ]
    assert missing == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for path in modules(APP)
        if path.name != "__init__.py" and _docstring(path) in ("", "TODO")
    ]
    assert missing == []


def test_migrations_do_not_import_the_app() -> None:
    """An old migration must do what it did when it was written, whatever the app becomes;
    only ``env.py`` reads the app (the models' metadata, the engine, the settings)."""
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in modules(ROOT / "migrations" / "versions")
        for line, module in imported(path)
        if is_under(module, ["app"])
    ]
    assert offending == []


# Routes: Starlette serves a request with the first route whose path matches, so a route
# declared after one whose parameters match its paths is never reached.

_PARAMETER = re.compile(r"{(\w+)(?::(\w+))?}")
_SAMPLES = {"int": "12345", "float": "1.5", "path": "some/path", "uuid": "0" * 32}


def endpoints(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(full path, methods) of every endpoint, in the order requests are matched against
    them (FastAPI keeps included routers nested)."""
    for route in routes:
        if hasattr(route, "original_router"):
            inner = prefix + getattr(route.include_context, "prefix", "")
            yield from endpoints(route.original_router.routes, inner)
        elif isinstance(route, Route):
            yield prefix + route.path, set(route.methods or ())


def sample_path(template: str) -> str:
    """A path ``template`` serves, its parameters filled with made-up values."""
    return _PARAMETER.sub(lambda m: _SAMPLES.get(m.group(2) or "", "sample-value"), template)


def shadowed(routes: Iterable[Any]) -> list[str]:
    """Routes that an earlier route with parameters takes every request from."""
    seen: list[tuple[str, set[str], re.Pattern[str]]] = []
    found = []
    for template, methods in endpoints(routes):
        path = sample_path(template)
        for earlier, earlier_methods, regex in seen:
            if earlier != template and methods & earlier_methods and regex.match(path):
                found.append(f"{sorted(methods)} {template} is hidden by {earlier}")
                break
        seen.append((template, methods, compile_path(template)[0]))
    return found


def test_no_route_is_hidden_by_an_earlier_one() -> None:
    from app.main import create_app

    assert shadowed(create_app().routes) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/practices/{slug}", "/practices/new"),
        ("/practices/{slug}", "/practices/{slug}.jsonld"),
        ("/places/{slug}/{other}", "/places/{slug}/peers"),
    ],
)
def test_the_route_check_finds_a_hidden_route(first: str, second: str) -> None:
    router = APIRouter(prefix="/api/v1")
    router.add_api_route(first, lambda: None)
    router.add_api_route(second, lambda: None)
    app = FastAPI()
    app.include_router(router)
    assert shadowed(app.routes) == [f"['GET'] /api/v1{second} is hidden by /api/v1{first}"]


def test_the_route_check_accepts_fixed_paths_first() -> None:
    router = APIRouter()
    router.add_api_route("/practices/new", lambda: None)
    router.add_api_route("/practices/{slug}.jsonld", lambda: None)
    router.add_api_route("/practices/{slug}", lambda: None)
    router.add_api_route("/practices/{slug}", lambda: None, methods=["POST"])
    app = FastAPI()
    app.include_router(router)
    assert shadowed(app.routes) == []


def test_importing_the_models_package_registers_every_table() -> None:
    """Alembic's env.py imports ``app.models`` alone; a table module it does not import
    would look dropped to ``alembic revision --autogenerate``."""
    import subprocess
    import sys

    from sqlmodel import SQLModel

    import app.main  # noqa: F401  (everything, so every table is registered here)

    count = "import app.models; from sqlmodel import SQLModel; print(len(SQLModel.metadata.tables))"
    alone = subprocess.run([sys.executable, "-c", count], capture_output=True, text=True)
    assert alone.returncode == 0, alone.stderr
    assert int(alone.stdout) == len(SQLModel.metadata.tables)


def test_a_translation_holds_every_body_field_as_long_as_the_original() -> None:
    # A practice's fields are declared in app/practices/fields.py; a new body field needs
    # its column in practice_translation too, or translating it would fail to save.
    from app.models.practices import Practice, PracticeTranslation
    from app.practices.fields import BODY_FIELDS

    originals = Practice.__table__.columns  # type: ignore[attr-defined]
    translated = PracticeTranslation.__table__.columns  # type: ignore[attr-defined]
    for name in BODY_FIELDS:
        assert name in translated, name
        assert translated[name].type.length == originals[name].type.length, name
