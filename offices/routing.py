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
    return _outside_distance_m(lat, lon, _Segments.of(geometry))


# Rings with more segments than this are searched with numpy; shorter ones in plain
# Python, which is faster for a handful of segments. Both do the same float arithmetic.
_NUMPY_SEGMENTS = 24


class _Segments:
    """A geometry's ring segments (lon, lat), kept for nearest-point searches."""

    __slots__ = ("ax", "ay", "dx", "dy", "rows")

    def __init__(self, ax, ay, dx, dy):
        self.ax, self.ay, self.dx, self.dy = ax, ay, dx, dy
        # Short geometries are searched row by row in Python.
        self.rows = (list(zip(ax.tolist(), ay.tolist(), dx.tolist(), dy.tolist(), strict=True))
                     if len(ax) <= _NUMPY_SEGMENTS else None)

    @classmethod
    def of(cls, geometry) -> _Segments:
        """The segments of every ring (shells and holes) of a Polygon or MultiPolygon."""
        rings = shapely.get_rings(shapely.get_parts(geometry))
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        within = ring[:-1] == ring[1:]  # consecutive coordinates of the same ring
        a, b = coords[:-1][within], coords[1:][within]
        return cls(a[:, 0].copy(), a[:, 1].copy(), b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])


def _outside_distance_m(lat: float, lon: float, segments: _Segments) -> float:
    """Geodesic metres from (lat, lon) to the nearest point of the segments.

    The nearest point is found in the plane centred on the point with longitude
    scaled by cos(lat), then measured on the WGS84 ellipsoid.
    """
    # Near a pole the scale tends to 0; clamping keeps the division finite.
    k = max(math.cos(math.radians(lat)), 1e-9)
    if segments.rows is not None:
        best, near_lon, near_lat = math.inf, lon, lat
        for ax, ay, dx, dy in segments.rows:
            x0, y0, sx = (ax - lon) * k, ay - lat, dx * k
            length2 = sx * sx + dy * dy
            t = 0.0 if length2 == 0.0 else min(1.0, max(0.0, -(x0 * sx + y0 * dy) / length2))
            px, py = x0 + t * sx, y0 + t * dy
            d2 = px * px + py * py
            if d2 < best:
                best, near_lon, near_lat = d2, ax + t * dx, ay + t * dy
    else:
        x0, y0, sx, dy = (segments.ax - lon) * k, segments.ay - lat, segments.dx * k, segments.dy
        length2 = sx * sx + dy * dy
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(length2 == 0.0, 0.0,
                         np.minimum(1.0, np.maximum(0.0, -(x0 * sx + y0 * dy) / length2)))
        px, py = x0 + t * sx, y0 + t * dy
        j = int(np.argmin(px * px + py * py))
        near_lon = float(segments.ax[j] + t[j] * segments.dx[j])
        near_lat = float(segments.ay[j] + t[j] * segments.dy[j])
    _, _, metres = _GEOD.inv(lon, lat, near_lon, near_lat)
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
        # Ring segments for the distance of rule 3, extracted once per office.
        self._segments = [_Segments.of(geom) for geom in self._geoms]

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
            inside = self._covering(lat, lon)
            if len(inside) == 1:
                return RouteResult(int(self._ids[inside[0]]), "geofence", 0.0)
            if len(inside):
                return RouteResult(_smallest(self._ids[inside], self._areas[inside]), "geofence", 0.0)
            near = self._near(lat, lon)
            if near is not None:
                return RouteResult(near[0], "nearest", near[1])
        if home_office_id is not None:
            return RouteResult(home_office_id, "home_office", None)
        raise OfficeRequired("no office geofence near this location and no home office; send office_id")

    def _covering(self, lat: float, lon: float):
        """Indexes of the offices whose geofence covers the point (boundary included)."""
        raise NotImplementedError

    def _near(self, lat: float, lon: float) -> tuple[int, float] | None:
        raise NotImplementedError


# An office whose reach spans more grid cells than this is checked on every lookup instead.
_MAX_CELLS_PER_OFFICE = 4096


class Router(_BaseRouter):
    """Routes points to offices with a grid built at construction.

    The plane is cut into square cells of about ``max_distance_m``; each cell
    lists the offices that may cover, or lie within ``max_distance_m`` of, a
    point in it (their bounding box grown by the distance). A lookup reads one
    cell, so its cost does not grow with the number of offices; only the few
    offices listed there are tested, with prepared geometries (cover) and ring
    segments extracted once (distance).
    """

    def __init__(self, areas: Iterable[OfficeArea], max_distance_m: float = 2000.0):
        super().__init__(areas, max_distance_m)
        # Copies, so that preparing them leaves the callers' geometries as they were.
        self._prepared = [shapely.from_wkb(shapely.to_wkb(geom)) for geom in self._geoms]
        shapely.prepare(self._prepared)
        self._bounds = [tuple(geom.bounds) for geom in self._geoms]
        dlat = self.max_distance_m / _MIN_M_PER_DEG_LAT
        self._cell = max(dlat, 0.005)
        cells: dict[tuple[int, int], list[int]] = {}
        everywhere: list[int] = []
        for i, (x0, y0, x1, y1) in enumerate(self._bounds):
            # Any point whose search box (search_box) meets this bounding box lies in the
            # box grown by dlat and by the widest dlon such a point can use: it is at most
            # dlat more poleward than the office, so its search reaches 2 * dlat further.
            farthest = max(abs(y0), abs(y1)) + 2 * dlat
            if farthest >= 89.9:
                everywhere.append(i)
                continue
            dlon = self.max_distance_m / (_M_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(farthest)))
            cx0, cx1 = math.floor((x0 - dlon) / self._cell), math.floor((x1 + dlon) / self._cell)
            cy0, cy1 = math.floor((y0 - dlat) / self._cell), math.floor((y1 + dlat) / self._cell)
            if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > _MAX_CELLS_PER_OFFICE:
                everywhere.append(i)
                continue
            for cx in range(cx0, cx1 + 1):
                for cy in range(cy0, cy1 + 1):
                    cells.setdefault((cx, cy), []).append(i)
        self._everywhere = tuple(everywhere)
        self._cells = {key: tuple(sorted(members + everywhere)) for key, members in cells.items()}

    def _candidates(self, lat, lon) -> tuple[int, ...]:
        key = (math.floor(lon / self._cell), math.floor(lat / self._cell))
        return self._cells.get(key, self._everywhere)

    def _covering(self, lat, lon):
        bounds, prepared = self._bounds, self._prepared
        # For a point, "intersects" is "covered by": inside or on the boundary.
        return [i for i in self._candidates(lat, lon)
                if bounds[i][0] <= lon <= bounds[i][2] and bounds[i][1] <= lat <= bounds[i][3]
                and shapely.intersects_xy(prepared[i], lon, lat)]

    def _near(self, lat, lon):
        min_lon, min_lat, max_lon, max_lat = search_box(lat, lon, self.max_distance_m)
        ids, distances = [], []
        for i in self._candidates(lat, lon):
            x0, y0, x1, y1 = self._bounds[i]
            if x0 <= max_lon and x1 >= min_lon and y0 <= max_lat and y1 >= min_lat:
                ids.append(self._ids[i])
                # No office covers the point (rule 2 came first): no cover test needed.
                distances.append(_outside_distance_m(lat, lon, self._segments[i]))
        return _nearest(ids, distances, self.max_distance_m)


class LoopRouter(_BaseRouter):
    """Same rules as Router by looping over every office: the benchmark baseline and test oracle."""

    def __init__(self, areas: Iterable[OfficeArea], max_distance_m: float = 2000.0):
        super().__init__(areas, max_distance_m)
        self._bounds = [geom.bounds for geom in self._geoms]

    def _covering(self, lat, lon):
        point = shapely.Point(lon, lat)  # shapely x is longitude
        return np.array([i for i, geom in enumerate(self._geoms) if geom.covers(point)], dtype=np.int64)

    def _near(self, lat, lon):
        min_lon, min_lat, max_lon, max_lat = search_box(lat, lon, self.max_distance_m)
        ids, distances = [], []
        for i, (x0, y0, x1, y1) in enumerate(self._bounds):
            # Exact distances for all offices would take seconds; bbox overlap is a safe filter.
            if x0 <= max_lon and x1 >= min_lon and y0 <= max_lat and y1 >= min_lat:
                ids.append(self._ids[i])
                # No office covers the point (rule 2 came first): distance_m without its cover test.
                distances.append(_outside_distance_m(lat, lon, self._segments[i]))
        return _nearest(ids, distances, self.max_distance_m)
