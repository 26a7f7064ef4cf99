"""Pick the office a request goes to from the phone's location (API.md, "Routing").

Pure module: no Flask, no SQLAlchemy. Build a ``Router`` from the offices'
geofences (rebuild it when offices change; it is immutable and safe to share
between threads), then call ``route(lat, lon, ...)``. Arguments are in the
phones' lat, lon order; geometries are in GeoJSON/shapely lon, lat order.
Longitudes are not wrapped at the antimeridian (Kazakhstan is far from it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Iterable

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon

from offices.geometry import GeometryError, check_point

_GEOD = Geod(ellps="WGS84")
# The shortest degree of latitude on WGS84 (at the equator), in metres: dividing a
# distance by it over-estimates the search box in degrees, never under-estimates.
_MIN_M_PER_DEG_LAT = 110_574.0
# WGS84 a * pi / 180. A parallel's radius on the ellipsoid is never below a*cos(lat).
_M_PER_DEG_LON_AT_EQUATOR = 111_319.49
# Float noise must not decide ties: these bands count as "equal" (then lowest id wins).
_AREA_RTOL = 1e-9
_DISTANCE_TIE_M = 1e-3


@dataclass(frozen=True)
class OfficeArea:
    """One office's geofence (shapely Polygon/MultiPolygon in lon, lat) as the router sees it."""

    id: int
    geometry: Polygon | MultiPolygon
    is_active: bool = True


@dataclass(frozen=True)
class RouteResult:
    """Where a request goes: ``matched_by`` is manual, geofence, nearest or home_office."""

    office_id: int | None
    matched_by: str | None
    distance_m: float | None


class OfficeRequired(Exception):
    """No rule chose an office: the client must send ``office_id`` (422 ``office_required``)."""


def distance_m(lat: float, lon: float, geometry) -> float:
    """Return the geodesic distance in metres from (lat, lon) to the geometry; 0 inside or on it.

    The nearest point is found in a plane where longitude is scaled by
    cos(lat) around the point (accurate at the few-km scale routing uses),
    then the distance to that point is measured on the WGS84 ellipsoid.
    """
    if shapely.covers(geometry, shapely.Point(lon, lat)):
        return 0.0
    # Near a pole the scale tends to 0; clamping keeps the division finite.
    k = max(math.cos(math.radians(lat)), 1e-9)
    origin = np.array([lon, lat])

    def to_local(coords: np.ndarray) -> np.ndarray:
        local = coords - origin
        local[:, 0] *= k
        return local

    local = shapely.transform(geometry, to_local)
    near_x, near_y = shapely.get_coordinates(shapely.shortest_line(shapely.Point(0.0, 0.0), local))[1]
    _, _, metres = _GEOD.inv(lon, lat, lon + near_x / k, lat + near_y)
    return float(metres)


def search_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """Return (min_lon, min_lat, max_lon, max_lat) holding every point within radius_m of (lat, lon)."""
    dlat = radius_m / _MIN_M_PER_DEG_LAT
    farthest = abs(lat) + dlat  # the most poleward latitude a path can reach
    if farthest >= 89.9:
        dlon = 360.0
    else:
        dlon = radius_m / (_M_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(farthest)))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def ranking_areas(geometries) -> np.ndarray:
    """Return areas comparable across latitudes, for ranking overlapping geofences.

    Degrees² would rank candidates at the same point correctly too (they share a
    latitude), but scaling by cos(centroid latitude) costs nothing and keeps the
    numbers roughly proportional to km² for logs and tests.
    """
    geoms = np.asarray(geometries, dtype=object)
    if geoms.size == 0:
        return np.zeros(0)
    lat = shapely.get_y(shapely.centroid(geoms))
    return shapely.area(geoms) * np.cos(np.radians(lat))


def _smallest(ids, areas) -> int:
    limit = min(areas) * (1.0 + _AREA_RTOL)
    return min(int(i) for i, a in zip(ids, areas, strict=True) if a <= limit)


def _nearest(ids, distances, max_distance_m: float) -> tuple[int, float] | None:
    close = [(float(d), int(i)) for i, d in zip(ids, distances, strict=True) if d <= max_distance_m]
    if not close:
        return None
    best = min(d for d, _ in close)
    return min(((i, d) for d, i in close if d <= best + _DISTANCE_TIE_M), key=lambda pair: pair[0])


def _as_object_array(items) -> np.ndarray:
    # np.array(list_of_geometries) could try to look inside them; fill an object array instead.
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


class _BaseRouter:
    """Applies the routing rules in API.md order; subclasses find the candidates."""

    def __init__(self, areas: Iterable[OfficeArea], max_distance_m: float = 2000.0):
        active = [area for area in areas if area.is_active]
        for area in active:
            if not isinstance(area.geometry, (Polygon, MultiPolygon)) or area.geometry.is_empty:
                raise ValueError(f"office {area.id}: geofence must be a non-empty Polygon or MultiPolygon")
        self.max_distance_m = float(max_distance_m)
        self._ids = np.array([area.id for area in active], dtype=np.int64)
        self._geoms = _as_object_array([area.geometry for area in active])
        self._areas = ranking_areas(self._geoms)

    def __len__(self) -> int:
        """Number of active offices the router knows."""
        return len(self._ids)

    def route(self, lat: float | None, lon: float | None, *, office_id: int | None = None,
              home_office_id: int | None = None) -> RouteResult:
        """Choose the office for a request sent from (lat, lon), which may both be None.

        Rules in order: explicit ``office_id`` → manual; inside active geofences →
        the smallest (ties: lowest id) → geofence; nearest active geofence within
        ``max_distance_m`` (ties: lowest id) → nearest; ``home_office_id`` →
        home_office; else OfficeRequired. Raises GeometryError for a bad point.
        """
        if office_id is not None:
            return RouteResult(office_id, "manual", None)  # the caller checks the id exists
        if (lat is None) != (lon is None):
            raise GeometryError("lat and lon must be given together")
        if lat is not None:
            lat, lon = check_point(lat, lon)
            point = shapely.Point(lon, lat)  # shapely x is longitude
            inside = self._covering(point)
            if len(inside):
                return RouteResult(_smallest(self._ids[inside], self._areas[inside]), "geofence", 0.0)
            near = self._near(lat, lon)
            if near is not None:
                return RouteResult(near[0], "nearest", near[1])
        if home_office_id is not None:
            return RouteResult(home_office_id, "home_office", None)
        raise OfficeRequired("no office geofence near this location and no home office; send office_id")

    def _covering(self, point) -> np.ndarray:
        raise NotImplementedError

    def _near(self, lat: float, lon: float) -> tuple[int, float] | None:
        raise NotImplementedError


class Router(_BaseRouter):
    """Routes points to offices with one shapely STRtree built at construction."""

    def __init__(self, areas: Iterable[OfficeArea], max_distance_m: float = 2000.0):
        super().__init__(areas, max_distance_m)
        self._tree = shapely.STRtree(self._geoms)

    def _covering(self, point) -> np.ndarray:
        # The predicate reads predicate(point, tree_geometry): "covered_by" keeps boundary points.
        return self._tree.query(point, predicate="covered_by")

    def _near(self, lat, lon):
        candidates = self._tree.query(shapely.box(*search_box(lat, lon, self.max_distance_m)))
        distances = [distance_m(lat, lon, self._geoms[i]) for i in candidates]
        return _nearest(self._ids[candidates], distances, self.max_distance_m)


class LoopRouter(_BaseRouter):
    """Same rules as Router by looping over every office: the benchmark baseline and test oracle."""

    def __init__(self, areas: Iterable[OfficeArea], max_distance_m: float = 2000.0):
        super().__init__(areas, max_distance_m)
        self._bounds = [geom.bounds for geom in self._geoms]

    def _covering(self, point) -> np.ndarray:
        return np.array([i for i, geom in enumerate(self._geoms) if geom.covers(point)], dtype=np.int64)

    def _near(self, lat, lon):
        min_lon, min_lat, max_lon, max_lat = search_box(lat, lon, self.max_distance_m)
        ids, distances = [], []
        for i, (x0, y0, x1, y1) in enumerate(self._bounds):
            # Exact distances for all offices would take seconds; bbox overlap is a safe filter.
            if x0 <= max_lon and x1 >= min_lon and y0 <= max_lat and y1 >= min_lat:
                ids.append(self._ids[i])
                distances.append(distance_m(lat, lon, self._geoms[i]))
        return _nearest(ids, distances, self.max_distance_m)
