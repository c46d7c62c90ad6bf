"""What a map of Europe shows: the outlines of ``europe.json`` and places as points, each
sized by its number of practices, in the order the template draws and lists them.

A page builds an ``EuropeMap`` with ``europe_map(points)`` and renders it with the macro
``europe_map`` of ``app/templates/places/_map.html``.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import sqrt
from pathlib import Path
from typing import Any, Literal

from app.places.maps.projection import Projection

OUTLINES = Path(__file__).with_name("europe.json")

Role = Literal["place", "subject", "peer"]

# Radii in SVG units (the viewBox is 1000 wide): a point's area is the smallest point's
# plus a share of the rest that grows with its count, so that area, not radius, reads as
# the number of practices and no point vanishes.
MIN_RADIUS = 6.0
MAX_RADIUS = 20.0
# A map fitted to its points (``fit``) shows at least this width of the frame, in SVG units
# (about 2,000 km), and leaves this much around the outermost marks.
MIN_FIT_WIDTH = 380.0
FIT_PADDING = 45.0


@dataclass(frozen=True)
class MapPoint:
    """A place to show: ``role`` is "place" (on the list of places), "subject" (the place
    peers were found for) or "peer"."""

    slug: str
    name: str
    country: str
    latitude: float | None
    longitude: float | None
    count: int
    role: Role = "place"


@dataclass(frozen=True)
class Placed:
    """A point where the map draws it; ``x`` and ``y`` are None when it is not on the map
    (no coordinates, or outside the frame), and the list still names it."""

    point: MapPoint
    x: float | None
    y: float | None
    radius: float

    @property
    def on_map(self) -> bool:
        return self.x is not None and self.y is not None


@dataclass(frozen=True)
class Outlines:
    """The country outlines of ``europe.json`` and the projection they were drawn in."""

    projection: Projection
    width: float
    height: float
    countries: tuple[tuple[str, str], ...]  # (ISO alpha-2 code, SVG path)
    neighbours: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EuropeMap:
    """What the template draws and lists; shared between requests (read-only)."""

    outlines: Outlines
    view_box: tuple[float, float, float, float]  # the part of the frame shown
    points: tuple[Placed, ...]  # in the order the list names them
    drawn: tuple[Placed, ...]  # those on the map, largest first, so small ones stay visible
    roles: frozenset[str]
    left_out: int = 0  # places with practices beyond those shown (the page caps them)

    @property
    def off_map(self) -> int:
        return sum(1 for p in self.points if not p.on_map)

    @property
    def view_box_text(self) -> str:
        return " ".join(f"{v:g}" for v in self.view_box)


def _paths(data: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(code), str(path)) for code, path in data[key].items()))


@lru_cache(maxsize=1)
def outlines() -> Outlines:
    """The outlines and projection of ``europe.json``, read once."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    projection = Projection.from_json(data["projection"])
    _x, _y, width, height = (float(v) for v in data["view_box"])
    return Outlines(
        projection=projection,
        width=width,
        height=height,
        countries=_paths(data, "countries"),
        neighbours=_paths(data, "neighbours"),
    )


def project(latitude: float, longitude: float) -> tuple[float, float] | None:
    """SVG coordinates of a place, or None when it falls outside the map."""
    projection = outlines().projection
    try:
        x, y = projection.svg(longitude, latitude)
    except ValueError:
        return None
    return (round(x, 1), round(y, 1)) if projection.inside(x, y) else None


def radius(count: int, largest: int) -> float:
    """A point's radius: its area grows in proportion to ``count`` (of ``largest``)."""
    share = min(max(count, 0) / largest, 1.0) if largest > 0 else 0.0
    return round(sqrt(MIN_RADIUS**2 + (MAX_RADIUS**2 - MIN_RADIUS**2) * share), 1)


def fitted(drawn: Sequence[Placed], frame: Outlines) -> tuple[float, float, float, float]:
    """The part of the frame around ``drawn``, as wide as the frame for the frame's shape,
    at least ``MIN_FIT_WIDTH`` wide; the whole frame when they need most of it."""
    if not drawn:
        return (0.0, 0.0, frame.width, frame.height)
    west = min(p.x - p.radius for p in drawn if p.x is not None) - FIT_PADDING
    east = max(p.x + p.radius for p in drawn if p.x is not None) + FIT_PADDING
    north = min(p.y - p.radius for p in drawn if p.y is not None) - FIT_PADDING
    south = max(p.y + p.radius for p in drawn if p.y is not None) + FIT_PADDING
    aspect = frame.width / frame.height
    width = max(east - west, (south - north) * aspect, MIN_FIT_WIDTH)
    if width >= frame.width * 0.9:
        return (0.0, 0.0, frame.width, frame.height)
    height = width / aspect
    x = min(max((west + east - width) / 2, 0.0), frame.width - width)
    y = min(max((north + south - height) / 2, 0.0), frame.height - height)
    return (round(x, 1), round(y, 1), round(width, 1), round(height, 1))


def europe_map(points: Sequence[MapPoint], *, left_out: int = 0, fit: bool = False) -> EuropeMap:
    """``points`` placed on the map, listed in the order given; drawn largest first and the
    subject last, so that every point stays visible and the subject on top. ``fit`` shows
    only the part of Europe around the points (for a few places, such as a place's peers),
    where the marks look larger."""
    largest = max((p.count for p in points), default=0)
    placed = []
    for p in points:
        xy = None
        if p.latitude is not None and p.longitude is not None:
            xy = project(p.latitude, p.longitude)
        placed.append(
            Placed(p, xy[0] if xy else None, xy[1] if xy else None, radius(p.count, largest))
        )
    drawn = sorted(
        (p for p in placed if p.on_map),
        key=lambda p: (p.point.role == "subject", -p.radius, p.point.name),
    )
    frame = outlines()
    return EuropeMap(
        outlines=frame,
        view_box=fitted(drawn, frame) if fit else (0.0, 0.0, frame.width, frame.height),
        points=tuple(placed),
        drawn=tuple(drawn),
        roles=frozenset(p.role for p in points),
        left_out=left_out,
    )
