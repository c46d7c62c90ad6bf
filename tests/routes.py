"""The application's routes, flattened (FastAPI keeps included routers nested)."""

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute


def flatten(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) for every endpoint under ``routes``."""
    for route in routes:
        if hasattr(route, "original_router"):
            inner = prefix + getattr(route.include_context, "prefix", "")
            yield from flatten(route.original_router.routes, inner)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def paths(routes: Iterable[Any], method: str) -> set[str]:
    return {path for path, route in flatten(routes) if method in route.methods}
