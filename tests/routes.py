"""The application's routes, flattened (FastAPI keeps included routers nested)."""

from collections.abc import Iterable
from typing import Any

from app.api.openapi import flatten


def paths(routes: Iterable[Any], method: str) -> set[str]:
    return {path for path, route in flatten(routes) if method in route.methods}
