"""The maps of Europe: the outlines built from Natural Earth, the projection, the points on
/places (the places with public practices and coordinates, as the database has them), a
place's page with its peers, the table beside each map, and the pages in a browser."""

import json
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.models.places import Place
from app.models.practices import Practice, PracticeStatus, Visibility
from app.places.maps import build
from app.places.maps.points import MAX_POINTS, peers_map, places_map, practice_places
from app.places.maps.projection import Projection
from app.places.maps.render import (
    MAX_RADIUS,
    MIN_RADIUS,
    OUTLINES,
    MapPoint,
    europe_map,
    project,
    radius,
)
from app.places.peers.finding import find_peers
from tests.conftest import LiveServer

# --- Reading a rendered map --------------------------------------------------------------


class MapReader(HTMLParser):
    """The parts of the map figure ``figure_id`` that the tests look at."""

    def __init__(self, figure_id: str) -> None:
        super().__init__()
        self.figure_id = figure_id
        self.depth = 0  # inside the figure while > 0
        self.svg: dict[str, str] = {}
        self.texts: dict[str, str] = {}  # element id -> text (the svg's title and desc)
        self.points: list[dict[str, str]] = []
        self.rows: list[dict[str, str]] = []
        self.countries: list[str] = []
        self.hidden_groups = 0
        self._text_of: str | None = None
        self._in_row = False
        self._cell = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "figure" and a.get("id") == self.figure_id:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "figure":
            self.depth += 1
        elif tag == "svg" and "viewbox" in a and not self.svg:
            self.svg = a
        elif tag in ("title", "desc"):
            # The svg's title and desc by their ids; a point's title under the point's own.
            self._text_of = a.get("id") or f"point:{len(self.points) - 1}"
            self.texts[self._text_of] = ""
        elif tag == "g" and a.get("aria-hidden") == "true":
            self.hidden_groups += 1
        elif tag == "path" and "data-country" in a:
            self.countries.append(a["data-country"])
        elif tag == "a" and "data-slug" in a:
            self.points.append({"slug": a["data-slug"], "href": a["href"], **a})
        elif tag in ("circle", "path") and "map-mark" in a.get("class", "") and self.points:
            self.points[-1].update(shape=tag, mark=a.get("class", ""), r=a.get("r", ""))
        elif tag == "tr" and "data-slug" in a:
            self.rows.append({"slug": a["data-slug"], "text": ""})
            self._in_row, self._cell = True, 0
        elif tag == "a" and self._in_row and "href" not in self.rows[-1]:
            self.rows[-1]["href"] = a["href"]
        elif tag in ("th", "td") and self._in_row:
            self._cell += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "figure":
            self.depth -= 1
        elif tag in ("title", "desc"):
            self._text_of = None
        elif tag == "tr":
            self._in_row = False

    def handle_data(self, data: str) -> None:
        if self._text_of:
            self.texts[self._text_of] += data
        elif self._in_row:
            row = self.rows[-1]
            key = {1: "text", 2: "country", 3: "count"}.get(self._cell, "text")
            row[key] = row.get(key, "") + data


def read_map(html: str, figure_id: str) -> MapReader:
    reader = MapReader(figure_id)
    reader.feed(html)
    assert reader.svg, f"no map {figure_id!r} on the page"
    for i, point in enumerate(reader.points):
        point["title"] = reader.texts.get(f"point:{i}", "")
    return reader


def page_path(href: str) -> str:
    return urlsplit(href).path


# --- The database's answer ---------------------------------------------------------------


def public_counts(engine: Engine) -> dict[str, tuple[int, float, float]]:
    """Published public practices at each place with coordinates, from the tables."""
    with Session(engine) as session:
        rows = session.exec(
            select(Place.slug, Place.latitude, Place.longitude, func.count(col(Practice.id)))
            .join(Practice, col(Practice.place_id) == Place.id)
            .where(
                Practice.status == PracticeStatus.published,
                Practice.visibility == Visibility.public,
                col(Place.latitude).is_not(None),
                col(Place.longitude).is_not(None),
            )
            .group_by(Place.slug, Place.latitude, Place.longitude)
        ).all()
    return {slug: (int(n), float(lat or 0), float(lon or 0)) for slug, lat, lon, n in rows}


# --- /places -----------------------------------------------------------------------------


def test_the_points_on_places_are_the_places_with_public_practices_and_coordinates(
    client: TestClient, engine: Engine
) -> None:
    expected = public_counts(engine)
    assert 10 < len(expected) <= MAX_POINTS  # the seeded catalogue, located by the gazetteer
    m = read_map(client.get("/places", params={"lang": "en"}).text, "places-map")
    # The table lists every one, with its count; the drawing those inside the frame.
    assert {r["slug"]: int(r["count"]) for r in m.rows} == {
        s: n for s, (n, _, _) in expected.items()
    }
    inside = {s for s, (_n, lat, lon) in expected.items() if project(lat, lon) is not None}
    assert {p["slug"] for p in m.points} == inside
    assert len(m.points) == len(inside)  # each once
    outside = {r["slug"] for r in m.rows} - inside
    assert all("not on the map" in r["text"] for r in m.rows if r["slug"] in outside)


def test_a_point_grows_with_its_practices(client: TestClient) -> None:
    m = read_map(client.get("/places", params={"lang": "en"}).text, "places-map")
    counts = {r["slug"]: int(r["count"]) for r in m.rows}
    radii = {p["slug"]: float(p["r"]) for p in m.points}
    pairs = sorted((counts[s], r) for s, r in radii.items())
    assert pairs[0][0] < pairs[-1][0]  # the seeded places differ
    for (n1, r1), (n2, r2) in pairwise(pairs):
        assert r1 < r2 if n1 < n2 else r1 == r2
    assert pairs[-1][1] == MAX_RADIUS
    # Drawn largest first, so that no small point hides under a large one.
    drawn = [radii[p["slug"]] for p in m.points]
    assert drawn == sorted(drawn, reverse=True)


def test_radius_area_grows_in_proportion_to_the_count() -> None:
    assert radius(0, 10) == MIN_RADIUS
    assert radius(10, 10) == MAX_RADIUS
    assert radius(1, 10) < radius(2, 10) < radius(5, 10) < radius(9, 10)
    extra = [radius(n, 8) ** 2 - MIN_RADIUS**2 for n in (2, 4, 8)]
    assert extra[1] == pytest.approx(2 * extra[0], rel=0.02)
    assert extra[2] == pytest.approx(2 * extra[1], rel=0.02)


def test_points_and_rows_link_to_the_place_pages(client: TestClient) -> None:
    m = read_map(client.get("/places", params={"lang": "de"}).text, "places-map")
    for item in [*m.points, *m.rows]:
        assert page_path(item["href"]) == f"/places/{item['slug']}"
        assert "lang=de" in item["href"]  # links keep the reader's language
    assert all(p["tabindex"] == "-1" for p in m.points)  # the table's links are the tab stops
    first = m.points[0]
    page = client.get(first["href"])
    assert page.status_code == 200
    assert first["title"].split(",")[0] in page.text


def test_too_many_places_keeps_those_with_most_practices(engine: Engine) -> None:
    with Session(engine) as session:
        every = practice_places(session)
        capped = places_map(session, limit=3)
    assert [p.point.slug for p in capped.points] == [p.slug for p in every[:3]]
    assert capped.left_out == len(every) - 3
    assert [p.count for p in every] == sorted((p.count for p in every), reverse=True)


def test_the_map_follows_the_filters_of_places(client: TestClient, engine: Engine) -> None:
    italian = {s for s in public_counts(engine) if s in italian_slugs(engine)}
    m = read_map(client.get("/places", params={"country": "it"}).text, "places-map")
    assert {r["slug"] for r in m.rows} == italian


def italian_slugs(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Place.slug).where(Place.country == "IT")).all())


@pytest.mark.writes
def test_a_point_goes_when_its_only_practice_is_no_longer_public(
    client: TestClient, engine: Engine
) -> None:
    counts = public_counts(engine)
    slug = next(s for s, (n, _, _) in sorted(counts.items()) if n == 1)
    with Session(engine) as session:
        place_id = session.exec(select(Place.id).where(Place.slug == slug)).one()
        practice = session.exec(
            select(Practice).where(
                Practice.place_id == place_id,
                Practice.status == PracticeStatus.published,
                Practice.visibility == Visibility.public,
            )
        ).one()
        practice.visibility = Visibility.network
        session.add(practice)
        session.commit()
    m = read_map(client.get("/places").text, "places-map")
    assert slug not in {p["slug"] for p in m.points} | {r["slug"] for r in m.rows}


def test_the_svg_says_what_it_shows_and_hides_its_drawing(client: TestClient) -> None:
    m = read_map(client.get("/places", params={"lang": "en"}).text, "places-map")
    assert m.svg["role"] == "group"  # not "img": that would hide the links inside it
    title, desc = m.svg["aria-labelledby"], m.svg["aria-describedby"]
    assert m.texts[title] == "Places with published practices"
    assert "table next to the map lists the same places" in m.texts[desc]
    assert m.hidden_groups >= 1
    assert {"DE", "ES", "IT", "TR", "UA", "IS", "CY", "XK", "GE"} <= set(m.countries)


def test_no_map_without_points(client: TestClient) -> None:
    html = client.get("/places", params={"q": "no place has a name like this"}).text
    assert 'id="places-map"' not in html


# --- A place and its peers ---------------------------------------------------------------


def test_a_place_page_maps_the_place_and_its_peers(client: TestClient, engine: Engine) -> None:
    m = read_map(client.get("/places/barcelona", params={"lang": "en"}).text, "place-map")
    with Session(engine) as session:
        peers = [p.place.slug for p in find_peers(session, "barcelona", limit=4).items]
    assert [r["slug"] for r in m.rows] == ["barcelona", *peers]
    assert "This place" in m.rows[0]["text"]
    marks = {p["slug"]: p for p in m.points}
    assert marks["barcelona"]["shape"] == "path"  # a diamond, not only another colour
    assert "map-subject" in marks["barcelona"]["mark"]
    assert all(marks[s]["shape"] == "circle" for s in peers if s in marks)
    assert m.points[-1]["slug"] == "barcelona"  # drawn last, on top


def test_a_map_of_a_few_places_shows_the_part_of_europe_around_them() -> None:
    near = [
        MapPoint("a", "A", "ES", *CITIES["lisbon"], 2, "subject"),
        MapPoint("b", "B", "IT", *CITIES["rome"], 1, "peer"),
    ]
    x, y, width, height = europe_map(near, fit=True).view_box
    whole = europe_map(near).view_box
    assert whole == (0.0, 0.0, 1000.0, Projection().height)
    assert width < 1000 and width / height == pytest.approx(whole[2] / whole[3], rel=0.01)
    assert x >= 0 and y >= 0 and x + width <= 1000.1 and y + height <= whole[3] + 0.1
    for placed in europe_map(near, fit=True).drawn:
        assert placed.x is not None and placed.y is not None
        assert x < placed.x < x + width and y < placed.y < y + height
    far = [*near, MapPoint("c", "C", "AZ", *CITIES["baku"], 1, "peer")]
    assert europe_map(far, fit=True).view_box[2] == 1000.0  # nearly all of it: all of it


def test_peers_map_lists_places_without_coordinates_and_keeps_the_order(
    engine: Engine,
) -> None:
    located = "barcelona"
    with Session(engine) as session:
        unlocated = session.exec(
            select(Place.slug).where(col(Place.latitude).is_(None)).order_by(Place.slug)
        ).first()
        assert unlocated
        made = peers_map(session, None, [unlocated, located, "no-such-place"])
    assert [p.point.slug for p in made.points] == [unlocated, located]
    assert [p.point.role for p in made.points] == ["peer", "peer"]
    assert [p.on_map for p in made.points] == [False, True]
    assert made.off_map == 1


# --- Projection and outlines -------------------------------------------------------------

CITIES = {
    "lisbon": (38.72, -9.14),
    "dublin": (53.35, -6.26),
    "warsaw": (52.23, 21.01),
    "helsinki": (60.17, 24.94),
    "oslo": (59.91, 10.75),
    "rome": (41.90, 12.50),
    "athens": (37.98, 23.73),
    "reykjavik": (64.15, -21.94),
    "baku": (40.41, 49.87),
    "nicosia": (35.17, 33.36),
}


def test_the_projection_puts_known_cities_in_order() -> None:
    xy = {name: project(*latlon) for name, latlon in CITIES.items()}
    assert all(v is not None for v in xy.values()), xy
    x = {name: v[0] for name, v in xy.items() if v}
    y = {name: v[1] for name, v in xy.items() if v}  # SVG: y grows southwards
    assert x["lisbon"] < x["dublin"] < x["oslo"] < x["warsaw"] < x["helsinki"] < x["baku"]
    assert y["oslo"] < y["rome"] and y["helsinki"] < y["warsaw"] < y["athens"]
    assert y["reykjavik"] < y["dublin"] < y["lisbon"]
    # The centre of the projection, 10°E 52°N, lies where the frame puts its origin.
    p = Projection()
    west, _south, _east, north = p.frame_km
    assert p.svg(10.0, 52.0) == pytest.approx((-west * p.scale, north * p.scale))


def test_places_outside_the_frame_are_not_drawn() -> None:
    assert project(28.10, -15.41) is None  # Las Palmas de Gran Canaria: south of the frame
    assert project(40.71, -74.01) is None  # New York
    assert project(-52.0, -170.0) is None  # the antipode of the centre
    made = europe_map([MapPoint("las-palmas", "Las Palmas", "ES", 28.10, -15.41, 3)])
    assert made.drawn == () and made.off_map == 1 and len(made.points) == 1


def test_the_committed_outlines_are_small_and_cover_europe() -> None:
    assert OUTLINES.stat().st_size < 150_000
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    council_of_europe = {
        *("AL", "AD", "AM", "AT", "AZ", "BE", "BA", "BG", "HR", "CY", "CZ", "DK", "EE", "FI"),
        *("FR", "GE", "DE", "GR", "HU", "IS", "IE", "IT", "LV", "LI", "LT", "LU", "MT", "MD"),
        *("MC", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "SM", "RS", "SK", "SI", "ES", "SE"),
        *("CH", "TR", "UA", "GB"),
    }
    tiny = {"AD", "LI", "MC", "SM"}  # smaller than the map's resolution
    assert council_of_europe - tiny <= set(data["countries"])
    assert {"BY", "RU", "XK"} <= set(data["countries"])
    assert {"MA", "DZ", "TN", "SY"} <= set(data["neighbours"])
    assert all(path.startswith("M") and path.endswith("z") for path in data["countries"].values())
    assert Projection.from_json(data["projection"]) == Projection()
    assert "Natural Earth" in data["source"]


def test_the_build_merges_a_countrys_parts_clips_and_encodes() -> None:
    """Two squares of one country sharing an edge become one ring; a country far outside
    the frame is left out."""
    # Arcs in quantised units of 1° (the transform below): 0 the shared edge (10°E, 50-51°N,
    # run north), 1 and 2 the rest of the west and east squares.
    topology: dict[str, Any] = {
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [
            [[10, 50], [0, 1]],
            [[10, 51], [-1, 0], [0, -1], [1, 0]],
            [[10, 50], [1, 0], [0, 1], [-1, 0]],
            [[100, 0], [1, 0], [0, 1], [-1, 0], [0, -1]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "276", "arcs": [[0, 1]]},
                    {"type": "Polygon", "id": "276", "arcs": [[2, -1]]},
                    {"type": "Polygon", "id": "504", "arcs": [[3]]},
                    {"type": "Polygon", "id": "999", "arcs": [[3]]},
                ],
            }
        },
    }
    built = build.build(topology)
    assert set(built["countries"]) == {"DE"}
    assert built["neighbours"] == {}  # Morocco's stand-in lies outside the frame
    path = built["countries"]["DE"]
    assert path.count("M") == 1  # one ring: the shared edge is gone
    assert built["view_box"] == [0, 0, 1000.0, Projection().height]


def test_simplify_keeps_the_ends_and_drops_what_is_within_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]
    assert build.simplify(line, 0.5) == [(0.0, 0.0), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]
    ring = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]
    assert build.simplify(ring, 0.5) == ring
    assert build.encode([[(10, 10), (12, 10), (12, 7)]]) == "M10 10l2 0 0-3z"


# --- In a browser ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/places?lang=en", "/places/barcelona?lang=hu"])
def test_maps_fit_a_phone_and_work_without_javascript(
    live_server: LiveServer, pages: Any, path: str
) -> None:
    """At 375 px the map and its table fit the screen; without JavaScript the points are
    links. Both pages are also checked with axe (see the ``pages`` fixture)."""
    page = pages.new_page(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page.goto(f"{live_server.url}{path}")
    figure = page.locator("figure.map")
    box = figure.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    svg = figure.locator(".map-drawing svg").bounding_box()
    assert svg and 300 <= svg["width"] <= 375 and svg["height"] > 150
    link = figure.locator(".map-points a").last
    slug = link.get_attribute("data-slug")
    link.click()
    page.wait_for_url(f"**/places/{slug}?**")
