"""A representative point for each country, from Natural Earth's 1:110m shapes (public domain).

An event placed only by its country still belongs on the map: it gets a point inside the
country, with precision "country", so that a reader sees how coarse it is. The shapes come
with pyogrio (naturalearth_lowres, read in pure Python with pyshp); no coordinate is taken from
ACLED. The point lies inside the country's largest polygon: the middle of the widest stretch of
land on the horizontal line through that polygon's centroid, so that a crescent or an archipelago
still gets a point on land.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

Ring = Sequence[Sequence[float]]  # (lon, lat) pairs, closed


def natural_earth_path() -> Path | None:
    """naturalearth_lowres.shp as pyogrio installs it, found without importing GDAL; None without pyogrio."""
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "tests" / "fixtures" / "naturalearth_lowres"
    return path / "naturalearth_lowres.shp"


def _area(ring: Ring) -> float:
    """The ring's signed area in square degrees (shoelace)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _centroid_y(ring: Ring) -> float:
    """The latitude of the ring's centroid."""
    area = _area(ring)
    if not area:
        return sum(p[1] for p in ring) / len(ring)
    return sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / (6 * area)


def inside_point(ring: Ring) -> tuple[float, float]:
    """(lat, lon) of a point inside a ring: the middle of the widest inside stretch of the line through its
    centroid's latitude."""
    y = _centroid_y(ring)
    xs = sorted(x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                for (x0, y0), (x1, y1) in zip(ring, ring[1:]) if (y0 <= y) != (y1 <= y))
    stretches = list(zip(xs[0::2], xs[1::2]))
    if not stretches:
        return y, sum(p[0] for p in ring) / len(ring)
    left, right = max(stretches, key=lambda s: s[1] - s[0])
    return round(y, 4), round((left + right) / 2, 4)


@lru_cache(maxsize=1)
def country_points() -> dict[str, tuple[float, float]]:
    """ISO 3166-1 alpha-3 (or, where Natural Earth has none, the country's name) -> (lat, lon) of a point inside
    its largest polygon."""
    path = natural_earth_path()
    if path is None or not path.exists():
        return {}
    import shapefile

    points: dict[str, tuple[float, float]] = {}
    with shapefile.Reader(str(path)) as shapes:
        for item in shapes.iterShapeRecords():
            geometry = item.shape.__geo_interface__
            polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
            outer = max((p[0] for p in polygons), key=lambda r: abs(_area(r)))
            code = item.record["iso_a3"]
            points[code if code and code != "-99" else item.record["name"]] = inside_point(outer)
    return points
