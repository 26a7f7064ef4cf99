"""Parse and check office geofences (GeoJSON) and phone-sent points.

Pure module: no Flask, no database. Everything here works in longitude,
latitude order (GeoJSON, RFC 7946; shapely x is longitude), except
``check_point`` whose arguments follow the phones' lat, lon order.
Refusals raise ``GeometryError`` whose ``reason`` is meant for a 422
``invalid_geometry`` answer.
"""
from __future__ import annotations

import math
from numbers import Real

import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping

_GEOD = Geod(ellps="WGS84")
_ACCEPTED_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geofence or point that cannot be accepted; ``reason`` says why, for humans."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LikelySwappedError(GeometryError):
    """A point that is only out of range because latitude and longitude were swapped."""


def _is_number(value) -> bool:
    # bool is a subclass of int, but ``true`` in JSON is never a coordinate.
    return isinstance(value, Real) and not isinstance(value, bool)


def _is_finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # a JSON integer with hundreds of digits
        return False


class _Counter:
    """Counts vertices across rings so an oversized shape is refused before it is built."""

    def __init__(self, limit: int):
        self.limit = limit
        self.seen = 0

    def add(self, n: int) -> None:
        self.seen += n
        if self.seen > self.limit:
            raise GeometryError(f"geofence has more than {self.limit} vertices")


def _position(value, where: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise GeometryError(f"{where}: a position must be [longitude, latitude]")
    if not all(_is_number(v) for v in value):
        raise GeometryError(f"{where}: coordinates must be numbers")
    # An optional altitude (RFC 7946 allows one) is checked, then dropped.
    if not all(_is_finite(v) for v in value):
        raise GeometryError(f"{where}: coordinates must be finite numbers")
    lon, lat = float(value[0]), float(value[1])
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"{where}: longitude {lon:g} is outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"{where}: latitude {lat:g} is outside [-90, 90]")
    return lon, lat


def _ring(value, where: str, counter: _Counter) -> list[tuple[float, float]]:
    if not isinstance(value, (list, tuple)):
        raise GeometryError(f"{where}: a ring must be an array of positions")
    counter.add(max(len(value) - 1, 0))  # the closing position repeats the first vertex
    if not all(isinstance(p, (list, tuple)) for p in value):
        raise GeometryError(f"{where}: a ring must be an array of positions")
    if len(value) < 4:
        raise GeometryError(f"{where}: a ring needs at least 4 positions, got {len(value)}")
    ring = [_position(p, f"{where} position {i}") for i, p in enumerate(value)]
    # Auto-closing would silently accept a truncated paste; RFC 7946 requires closure.
    if ring[0] != ring[-1]:
        raise GeometryError(f"{where}: ring is not closed (first and last positions differ)")
    return ring


def _polygon(value, where: str, counter: _Counter) -> Polygon:
    if not isinstance(value, (list, tuple)):
        raise GeometryError(f"{where}: polygon coordinates must be an array of rings")
    if not value:
        raise GeometryError(f"{where}: polygon is empty")
    rings = [_ring(r, f"{where} ring {i}", counter) for i, r in enumerate(value)]
    return Polygon(rings[0], rings[1:])


def parse_geofence(geojson: dict, max_vertices: int = 1000,
                   max_extent_km: float = 500.0) -> Polygon | MultiPolygon:
    """Turn a GeoJSON Polygon or MultiPolygon into a valid shapely geometry, or raise GeometryError.

    Rings must be closed and have at least 4 positions; holes are allowed when
    valid. Shapes with zero area, invalid topology, more than ``max_vertices``
    vertices in all rings (closing positions not counted) or wider than
    ``max_extent_km`` (bounding-box diagonal, geodesic) are refused. An
    optional altitude in a position is accepted and dropped.
    """
    if not isinstance(geojson, dict):
        raise GeometryError(f"geofence must be a GeoJSON object, got {type(geojson).__name__}")
    kind = geojson.get("type")
    if kind not in _ACCEPTED_TYPES:
        got = kind if isinstance(kind, str) and kind else "no type"
        raise GeometryError(f"geofence must be a GeoJSON Polygon or MultiPolygon, got {got}")
    coordinates = geojson.get("coordinates")
    if not isinstance(coordinates, (list, tuple)):
        raise GeometryError("geofence coordinates must be an array")
    counter = _Counter(max_vertices)
    if kind == "Polygon":
        geom = _polygon(coordinates, "polygon", counter)
        parts = [geom]
    else:
        if not coordinates:
            raise GeometryError("geofence is empty: a MultiPolygon needs at least one polygon")
        parts = [_polygon(p, f"polygon {i}", counter) for i, p in enumerate(coordinates)]
        geom = MultiPolygon(parts)
    for i, part in enumerate(parts):
        # The hull, not the area: a bow-tie's signed halves cancel to 0 but it is
        # self-intersecting, not flat. Per part: a flat sliver beside a real polygon is a typo.
        if shapely.convex_hull(part).area == 0.0:
            label = "geofence" if kind == "Polygon" else f"geofence polygon {i}"
            raise GeometryError(f"{label} has zero area (degenerate shape)")
    if not shapely.is_valid(geom):
        raise GeometryError(f"invalid geometry: {shapely.is_valid_reason(geom)}")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    _, _, across_m = _GEOD.inv(min_lon, min_lat, max_lon, max_lat)
    across_km = across_m / 1000.0
    if across_km > max_extent_km:
        raise GeometryError(f"geofence is {across_km:.0f} km across; more than "
                            f"{max_extent_km:g} km is almost certainly a typo")
    return geom


def _listify(value):
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    return value


def to_geojson(geom) -> dict:
    """Return a JSON-ready GeoJSON dict for a shapely geometry (nested lists, not tuples)."""
    return {key: _listify(value) for key, value in mapping(geom).items()}


def check_point(lat, lon) -> tuple[float, float]:
    """Validate a phone-sent point given as (lat, lon) and return it as two floats.

    Raises GeometryError for non-numbers (booleans and strings included),
    NaN or infinity, and out-of-range values; LikelySwappedError when the
    latitude is out of range but the pair would be valid the other way round.
    """
    for name, value in (("lat", lat), ("lon", lon)):
        if not _is_number(value):
            raise GeometryError(f"{name} must be a number, got {type(value).__name__}")
        if not _is_finite(value):
            raise GeometryError(f"{name} must be a finite number")
    lat, lon = float(lat), float(lon)
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"lon {lon:g} is outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        if -90.0 <= lon <= 90.0:
            raise LikelySwappedError(f"lat {lat:g} is outside [-90, 90]; "
                                     "were lat and lon swapped?")
        raise GeometryError(f"lat {lat:g} is outside [-90, 90]")
    return lat, lon
