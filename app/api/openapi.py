"""The OpenAPI document, with what FastAPI cannot infer from the routes on its own."""

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from app.api.deps import require_writer
from app.api.openapi_limits import document_limits

# Reading needs no key (a key shows members-only practices too): "no security, or the key".
OPTIONAL_KEY: list[dict[str, list[str]]] = [{}, {"apiKey": []}]


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def flatten(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) for every endpoint under ``routes`` (FastAPI keeps included
    routers nested). Paths are as the document shows them: ``/{slug}`` for a route
    declared ``/{slug:slug}``."""
    for route in routes:
        if hasattr(route, "original_router"):
            inner = prefix + getattr(route.include_context, "prefix", "")
            yield from flatten(route.original_router.routes, inner)
        elif isinstance(route, APIRoute):
            yield prefix + route.path_format, route


def needs_key(route: APIRoute) -> bool:
    return require_writer in set(_calls(route.dependant))


def install(app: FastAPI) -> None:
    """Generate ``app``'s OpenAPI document once, marking the key optional where it is."""
    optional = {
        (path, method.lower())
        for path, route in flatten(app.routes)
        if not needs_key(route)
        for method in route.methods or ()
    }

    generate = app.openapi  # FastAPI's own: builds the document once and keeps it

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = generate()
        if first:
            for path, operations in document.get("paths", {}).items():
                for method, operation in operations.items():
                    if (path, method) in optional and "security" in operation:
                        operation["security"] = OPTIONAL_KEY
            document_limits(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods served at ``path`` by the routes of the first path template it matches
    (Starlette's 405 names only the first matching route's methods)."""
    routes = list(flatten(app.routes))
    for template, _route in routes:
        if compile_path(template)[0].match(path):
            found = {m for t, route in routes if t == template for m in route.methods or ()}
            if "GET" in found:
                found.add("HEAD")  # every GET is answered to HEAD too (app/web/head.py)
            return sorted(found)
    return []
