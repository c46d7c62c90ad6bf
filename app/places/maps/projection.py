"""The map's projection, shared by the build script and the pages, so that a place's point
lands where the outlines put its country.

Lambert azimuthal equal-area on a sphere, centred on 10°E 52°N (the centre of EPSG:3035,
Eurostat's projection for Europe), in kilometres, then scaled into an SVG frame whose y
axis points down.
"""

from dataclasses import dataclass
from math import cos, radians, sin, sqrt
from typing import Any


@dataclass(frozen=True)
class Projection:
    """Where the projection is centred and which rectangle of it the SVG shows."""

    lon0: float = 10.0
    lat0: float = 52.0
    radius_km: float = 6371.0
    # The rectangle drawn, in km east and north of the centre (west, south, east, north):
    # Cabo da Roca and Iceland to Baku, Crete and Cyprus to the North Cape; about 25°W to
    # 50°E and 34°N to 72°N.
    frame_km: tuple[float, float, float, float] = (-1900.0, -1950.0, 3400.0, 2350.0)
    width: float = 1000.0  # of the SVG viewBox; its height follows from the frame

    @property
    def scale(self) -> float:
        """SVG units per km."""
        west, _south, east, _north = self.frame_km
        return self.width / (east - west)

    @property
    def height(self) -> float:
        _west, south, _east, north = self.frame_km
        return round((north - south) * self.scale, 1)

    def km(self, lon: float, lat: float) -> tuple[float, float]:
        """(east, north) of the centre in km; raises ValueError at the centre's antipode."""
        lam, phi = radians(lon - self.lon0), radians(lat)
        phi0 = radians(self.lat0)
        denominator = 1 + sin(phi0) * sin(phi) + cos(phi0) * cos(phi) * cos(lam)
        if denominator < 1e-9:
            raise ValueError("the antipode of the map's centre has no place on it")
        k = sqrt(2 / denominator)
        x = self.radius_km * k * cos(phi) * sin(lam)
        y = self.radius_km * k * (cos(phi0) * sin(phi) - sin(phi0) * cos(phi) * cos(lam))
        return x, y

    def svg(self, lon: float, lat: float) -> tuple[float, float]:
        """SVG coordinates of a longitude and latitude (outside the viewBox when outside
        the frame)."""
        x, y = self.km(lon, lat)
        west, _south, _east, north = self.frame_km
        return (x - west) * self.scale, (north - y) * self.scale

    def inside(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height

    def as_json(self) -> dict[str, Any]:
        return {
            "name": "Lambert azimuthal equal-area (spherical)",
            "lon0": self.lon0,
            "lat0": self.lat0,
            "radius_km": self.radius_km,
            "frame_km": list(self.frame_km),
            "width": self.width,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Projection":
        west, south, east, north = (float(v) for v in data["frame_km"])
        return cls(
            lon0=float(data["lon0"]),
            lat0=float(data["lat0"]),
            radius_km=float(data["radius_km"]),
            frame_km=(west, south, east, north),
            width=float(data["width"]),
        )
