"""Static files: linked by an address that names their content, so browsers may keep them
for a year, while an address without it is kept for an hour only.

Pages link ``static_url("app.css")``, ``/static/app.css?v=<first 12 hex digits of its
SHA-256>``. A new file gets a new address, so the long cache never shows an old one. A
request whose ``v`` is not the file's current version (an old page, a hand-typed address)
gets the short cache, as the name then promises nothing. A file whose name carries its
version number (``vendor/htmx-2.0.11.min.js``) never changes under that name.
"""

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.config import HTMX_VERSION

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"
_VERSIONED_NAME = re.compile(r"-\d+(\.\d+)+[.-]")

# htmx comes from its CDN, but a host or a browser without internet cannot reach it: then
# this step, right after, writes in our own copy (the classic "window.x || document.write"
# fallback: written by the parser, it runs before the page is ready, so htmx starts as it
# would from the CDN). The only inline script of our pages, allowed by its hash.
LOCAL_HTMX = f"/static/vendor/htmx-{HTMX_VERSION}.min.js"
HTMX_FALLBACK = f"window.htmx||document.write('<script src=\"{LOCAL_HTMX}\"><\\/script>')"


@lru_cache(maxsize=256)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    # Keyed by modification time and size too: a file edited while the server runs (in
    # development) gets a new version without a restart.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _version(path: str, stat_result: os.stat_result) -> str:
    return _digest(path, stat_result.st_mtime_ns, stat_result.st_size)


def static_url(name: str, directory: Path = STATIC_DIR, prefix: str = "/static") -> str:
    """The address of ``directory/name`` served under ``prefix``, with its version (or
    without it, if there is no such file)."""
    path = directory / name
    try:
        version = _version(str(path), path.stat())
    except OSError:
        return f"{prefix}/{name}"
    return f"{prefix}/{name}?v={version}"


class CachedStaticFiles(StaticFiles):
    """Starlette's static files (ETag, Last-Modified, 304) with a ``Cache-Control``: long
    for a versioned address, short for any other."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control(str(full_path), stat_result, scope)
        return response


def cache_control(full_path: str, stat_result: os.stat_result, scope: Scope) -> str:
    if _VERSIONED_NAME.search(os.path.basename(full_path)):
        return LONG
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
    return LONG if asked == [_version(full_path, stat_result)] else SHORT
