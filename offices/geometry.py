"""Parse and check office geofences (GeoJSON) and phone-sent points.

Pure module: no Flask, no database. Everything here works in longitude,
latitude order (GeoJSON, RFC 7946; shapely x is longitude), except
``check_point`` whose arguments follow the phones' lat, lon order.
Refusals raise ``GeometryError`` whose ``reason`` is meant for a 422
``invalid_geometry`` answer.
"""
from __future__ import annotations

import itertools
import math
from numbers import Real

import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping

_GEOD = Geod(ellps="WGS84")
# Defaults of :func:`parse_geofence`; the app passes MAX_GEOFENCE_VERTICES and
# MAX_GEOFENCE_EXTENT_KM from its config.
MAX_VERTICES = 1000
MAX_EXTENT_KM = 500.0
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
    _refuse_antimeridian_crossing(ring, where)
    return ring


def _refuse_antimeridian_crossing(ring, where: str) -> None:
    """Refuse an edge whose shorter way round the globe crosses longitude ±180.

    Shapely (and routing) read such an edge the long way, across every other
    meridian, so a 2°-wide box at 179..-179 would become a 358°-wide band that
    captures a whole latitude band. RFC 7946 §3.1.9 says to cut such a shape at
    the antimeridian; we refuse rather than guess which side was meant.
    """
    for i, ((lon1, _), (lon2, _)) in enumerate(itertools.pairwise(ring)):
        if abs(lon2 - lon1) > 180.0:
            raise GeometryError(
                f"{where}: the edge from position {i} to {i + 1} (longitude {lon1:g} to {lon2:g}) crosses "
                "the antimeridian; cut the shape at longitude ±180 into a MultiPolygon (RFC 7946 §3.1.9)")


def _polygon(value, where: str, counter: _Counter) -> Polygon:
    if not isinstance(value, (list, tuple)):
        raise GeometryError(f"{where}: polygon coordinates must be an array of rings")
    if not value:
        raise GeometryError(f"{where}: polygon is empty")
    rings = [_ring(r, f"{where} ring {i}", counter) for i, r in enumerate(value)]
    return Polygon(rings[0], rings[1:])


def parse_geofence(geojson: dict, max_vertices: int = MAX_VERTICES,
                   max_extent_km: float = MAX_EXTENT_KM) -> Polygon | MultiPolygon:
    """Turn a GeoJSON Polygon or MultiPolygon into a valid shapely geometry, or raise GeometryError.

    Rings must be closed and have at least 4 positions; holes are allowed when
    valid. Shapes with zero area, invalid topology, more than ``max_vertices``
    vertices in all rings (closing positions not counted), larger than
    ``max_extent_km`` (bounding-box diagonal, geodesic, or west-east width
    along a parallel), or with an edge that crosses the antimeridian (cut the
    shape there instead, RFC 7946 §3.1.9) are refused. An optional altitude in
    a position is accepted and dropped.
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
    _check_extent(geom, parts, max_extent_km)
    return geom


def longitude_span(parts) -> tuple[float, float]:
    """Return ``(west, width)`` in degrees: the shortest arc of longitude covering every part.

    The arc may run east across ±180 (a shape cut there per RFC 7946 is two
    parts at 179..180 and -180..-179: 2° wide, not 360°). ``west + width`` can
    exceed 180.
    """
    merged = []
    for west, east in sorted((p.bounds[0], p.bounds[2]) for p in parts):
        if merged and west <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], east)
        else:
            merged.append([west, east])
    # The widest gap between covered intervals, the one across ±180 included, is
    # where the shape is not; the span is the rest of the circle.
    gap, start = merged[0][0] + 360.0 - merged[-1][1], merged[0][0]
    for (_, east), (west, _) in itertools.pairwise(merged):
        if west - east > gap:
            gap, start = west - east, west
    return start, 360.0 - gap


def _parallel_km(width_deg: float, lat: float) -> float:
    """Length along the parallel at ``lat`` of ``width_deg`` degrees of longitude (WGS84)."""
    phi = math.radians(lat)
    radius = _GEOD.a * math.cos(phi) / math.sqrt(1.0 - _GEOD.es * math.sin(phi) ** 2)
    return radius * math.radians(width_deg) / 1000.0


def _check_extent(geom, parts, max_extent_km: float) -> None:
    """Refuse a shape larger than ``max_extent_km``, across (bounding-box diagonal) or west to east.

    The diagonal alone is not enough: a geodesic between the bounding box's
    corners takes the short way round, so a shape 358° wide measured only a
    few hundred km. The west-east width is measured along the widest parallel
    the shape reaches.
    """
    _, min_lat, _, max_lat = geom.bounds
    west, width = longitude_span(parts)
    widest_lat = min(max(0.0, min_lat), max_lat)
    wide_km = _parallel_km(width, widest_lat)
    across_km = 0.0
    if width <= 180.0:  # beyond that the geodesic would take the other way round
        across_km = _GEOD.inv(west, min_lat, west + width, max_lat)[2] / 1000.0
    if across_km >= wide_km and across_km > max_extent_km:
        raise GeometryError(f"geofence is {across_km:.0f} km across; more than "
                            f"{max_extent_km:g} km is almost certainly a typo")
    if wide_km > max_extent_km:
        raise GeometryError(f"geofence is {wide_km:.0f} km wide ({width:g}° of longitude); more than "
                            f"{max_extent_km:g} km is almost certainly a typo")


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
