"""Build ``europe.json``, the country outlines the maps draw, from Natural Earth.

Run at build time, not by the application (``make map`` fetches the input)::

    python -m app.places.maps.build PATH/TO/world-atlas/countries-50m.json

The input is the TopoJSON of the npm package ``world-atlas`` (Natural Earth's Admin 0
countries, 1:50m). This script decodes its arcs, projects them (``projection.py``),
simplifies each arc once (Douglas–Peucker), so that neighbours keep a common border,
assembles each country's rings, clips them to the frame, rounds them to whole SVG units
and writes one SVG path per country, keyed by ISO 3166-1 alpha-2 code: the countries of
Europe (every Council of Europe member, Belarus, Russia, Kosovo and the small territories)
under ``countries`` and their neighbours, drawn as background, under ``neighbours``.
"""

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from app.places.maps.projection import Projection

Point = tuple[float, float]

OUTPUT = Path(__file__).with_name("europe.json")
TOLERANCE = 0.9  # SVG units (about 5 km): how far a simplified border may stray
MIN_AREA = 4.0  # square SVG units (about 110 km²): smaller islands and holes are left out
MARGIN = 4.0  # the clip box exceeds the viewBox by this much, so cut edges are not drawn

# Natural Earth's ISO 3166-1 numeric codes, as world-atlas gives them, for every country
# that reaches into the frame; two entries have no code and are known by name.
EUROPE = {
    "008": "AL", "020": "AD", "031": "AZ", "040": "AT", "051": "AM", "056": "BE",
    "070": "BA", "100": "BG", "112": "BY", "191": "HR", "196": "CY", "203": "CZ",
    "208": "DK", "233": "EE", "234": "FO", "246": "FI", "248": "AX", "250": "FR",
    "268": "GE", "276": "DE", "300": "GR", "336": "VA", "348": "HU", "352": "IS",
    "372": "IE", "380": "IT", "428": "LV", "438": "LI", "440": "LT", "442": "LU",
    "470": "MT", "492": "MC", "498": "MD", "499": "ME", "528": "NL", "578": "NO",
    "616": "PL", "620": "PT", "642": "RO", "643": "RU", "674": "SM", "688": "RS",
    "703": "SK", "705": "SI", "724": "ES", "752": "SE", "756": "CH", "792": "TR",
    "804": "UA", "807": "MK", "826": "GB", "831": "GG", "832": "JE", "833": "IM",
    "Kosovo": "XK", "N. Cyprus": "CY",  # the island is drawn whole, as the EU counts it
}  # fmt: skip
# Natural Earth 4.1 draws Crimea as Russia's (its de-facto policy); the map draws it as
# Ukraine's, as the EU and the UN General Assembly (resolution 68/262) recognise it. Its
# polygon is the one of Russia's that lies within this box (west, south, east, north).
CRIMEA = (32.0, 44.0, 37.0, 46.5)
NEIGHBOURS = {
    "004": "AF", "012": "DZ", "275": "PS", "304": "GL", "364": "IR", "368": "IQ",
    "376": "IL", "398": "KZ", "400": "JO", "414": "KW", "422": "LB", "434": "LY",
    "504": "MA", "586": "PK", "682": "SA", "760": "SY", "788": "TN", "795": "TM",
    "818": "EG", "860": "UZ",
}  # fmt: skip


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs as (longitude, latitude) points (undoing quantisation)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _distance(p: Point, a: Point, b: Point) -> float:
    """Distance from ``p`` to the segment ``a``–``b``."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    ex, ey = ax + t * dx - px, ay + t * dy - py
    return float((ex * ex + ey * ey) ** 0.5)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: the points that keep the line within ``tolerance``, ends kept."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1]:  # a closed arc (an island): split it at its farthest point
        far = max(range(len(points)), key=lambda i: _distance(points[i], points[0], points[0]))
        if far in (0, len(points) - 1):
            return [points[0], points[-1]]
        return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, largest = 0, tolerance
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > largest:
                index, largest = i, d
        if index:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _clip_edge(ring: list[Point], inside: Any, cross: Any) -> list[Point]:
    out: list[Point] = []
    for i, current in enumerate(ring):
        previous = ring[i - 1]
        if inside(current):
            if not inside(previous):
                out.append(cross(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(cross(previous, current))
    return out


def clip(ring: list[Point], x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    """Sutherland–Hodgman: the part of the ring inside the rectangle (its cut edges run
    along the rectangle, which lies outside the viewBox)."""

    def at_x(x: float) -> Any:
        return lambda a, b: (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))

    def at_y(y: float) -> Any:
        return lambda a, b: (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)

    for inside, cross in (
        (lambda p: p[0] >= x0, at_x(x0)),
        (lambda p: p[0] <= x1, at_x(x1)),
        (lambda p: p[1] >= y0, at_y(y0)),
        (lambda p: p[1] <= y1, at_y(y1)),
    ):
        if not ring:
            break
        ring = _clip_edge(ring, inside, cross)
    return ring


def area(ring: Sequence[tuple[float, float]]) -> float:
    """Unsigned area (shoelace)."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise([*ring, ring[0]])))


def _numbers(values: Iterable[int]) -> str:
    """SVG numbers, space-separated except where a minus sign separates them already."""
    text = ""
    for value in values:
        text += f"{value}" if (not text or value < 0) else f" {value}"
    return text


def encode(rings: list[list[tuple[int, int]]]) -> str:
    """An SVG path: each ring as an absolute move, then relative lines, closed."""
    parts = []
    for ring in rings:
        x, y = ring[0]
        deltas = [d for (px, py), (cx, cy) in pairwise(ring) for d in (cx - px, cy - py)]
        parts.append(f"M{_numbers([x, y])}l{_numbers(deltas)}z")
    return "".join(parts)


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _code(geometry: dict[str, Any]) -> str | None:
    key = geometry.get("id") or geometry.get("properties", {}).get("name")
    return EUROPE.get(key) or NEIGHBOURS.get(key)


def _within(arcs: list[list[Point]], ring: list[int], box: tuple[float, ...]) -> bool:
    west, south, east, north = box
    return all(
        west <= lon <= east and south <= lat <= north
        for i in ring
        for lon, lat in arcs[i if i >= 0 else ~i]
    )


def country_rings(topology: dict[str, Any], arcs: list[list[Point]]) -> dict[str, list[list[int]]]:
    """Each country's rings (lists of arc indexes, ``~i`` for an arc run backwards)."""
    rings_of: dict[str, list[list[int]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = _code(geometry)
        if code is None:
            continue
        for polygon in _polygons(geometry):
            crimea = code == "RU" and _within(arcs, polygon[0], CRIMEA)
            rings_of.setdefault("UA" if crimea else code, []).extend(polygon)
    return rings_of


def merge(rings: list[list[int]], arcs: list[list[Point]]) -> list[list[int]]:
    """The rings with the borders between them taken out (each arc that two of them share,
    run once each way), so that the parts of one country are one shape."""
    signed = [i for ring in rings for i in ring]
    present = set(signed)
    outer = [i for i in signed if ~i not in present]

    def ends(i: int) -> tuple[Point, Point]:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        return arc[0], arc[-1]

    starting: dict[Point, list[int]] = {}
    for i in outer:
        starting.setdefault(ends(i)[0], []).append(i)
    used: set[int] = set()
    merged = []
    for first in outer:
        if first in used:
            continue
        ring, start, end = [first], ends(first)[0], ends(first)[1]
        used.add(first)
        while end != start:
            following = next((i for i in starting.get(end, []) if i not in used), None)
            if following is None:
                break  # an open chain: the topology is broken here; keep what there is
            ring.append(following)
            used.add(following)
            end = ends(following)[1]
        merged.append(ring)
    return merged


def build(topology: dict[str, Any], projection: Projection | None = None) -> dict[str, Any]:
    """The outlines ``europe.json`` holds, from world-atlas's countries TopoJSON."""
    projection = projection or Projection()
    arcs = decode_arcs(topology)
    rings_of = {code: merge(rings, arcs) for code, rings in country_rings(topology, arcs).items()}
    used = {i if i >= 0 else ~i for rings in rings_of.values() for ring in rings for i in ring}
    simple = {
        i: simplify([projection.svg(lon, lat) for lon, lat in arcs[i]], TOLERANCE) for i in used
    }
    box = (-MARGIN, -MARGIN, projection.width + MARGIN, projection.height + MARGIN)
    paths: dict[str, str] = {}
    for code, rings in sorted(rings_of.items()):
        shapes: list[list[tuple[int, int]]] = []
        for ring in rings:
            points: list[Point] = []
            for i in ring:
                arc = simple[i] if i >= 0 else simple[~i][::-1]
                points += arc[1:] if points else arc
            rounded: list[tuple[int, int]] = []
            for x, y in clip(points, *box):
                p = (round(x), round(y))
                if not rounded or rounded[-1] != p:
                    rounded.append(p)
            while len(rounded) > 1 and rounded[0] == rounded[-1]:
                rounded.pop()
            if len(rounded) >= 3 and area(rounded) > 0:
                shapes.append(rounded)
        if not shapes:
            continue
        largest = max(shapes, key=area)
        kept = [s for s in shapes if s is largest or area(s) >= MIN_AREA]
        paths[code] = encode(kept)
    width, height = projection.width, projection.height
    return {
        "source": "Natural Earth Admin 0 countries, 1:50m, public domain; via the npm package "
        "world-atlas (countries-50m.json). See NATURAL-EARTH.md.",
        "projection": projection.as_json(),
        "view_box": [0, 0, width, height],
        "countries": {c: p for c, p in paths.items() if c in EUROPE.values()},
        "neighbours": {c: p for c, p in paths.items() if c not in EUROPE.values()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-50m.json")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    outlines = build(json.loads(args.topojson.read_text(encoding="utf-8")))
    # One line per country, so that a rebuild's diff says which countries changed.
    text = json.dumps(outlines, indent=1, sort_keys=True, ensure_ascii=False)
    args.output.write_text(text + "\n", encoding="utf-8")
    countries, neighbours = len(outlines["countries"]), len(outlines["neighbours"])
    size = args.output.stat().st_size
    print(f"{args.output}: {countries} countries, {neighbours} neighbours, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
