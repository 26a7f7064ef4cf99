"""Benchmark office routing: the grid-indexed Router against the loop over every geofence."""
from __future__ import annotations

import itertools
import math

import numpy as np
import shapely
from shapely import affinity

from bench.common import report, timeit
from offices.routing import LoopRouter, OfficeArea, Router

SIZES = (10, 100, 1000, 10_000)
# Kazakhstan's bounding box, lon/lat.
LON_RANGE, LAT_RANGE = (46.0, 87.0), (40.0, 55.0)
POINTS = 2000
SEED = 20240601


def synthetic_offices(rng: np.random.Generator, n: int) -> list[OfficeArea]:
    """n square-ish offices of about 200 m, slightly rotated, scattered over Kazakhstan."""
    areas = []
    for office_id in range(1, n + 1):
        lat, lon = rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)
        half_w, half_h = rng.uniform(80, 120, size=2)  # metres
        dlat, dlon = half_h / 111_000, half_w / (111_000 * math.cos(math.radians(lat)))
        square = shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        areas.append(OfficeArea(office_id, affinity.rotate(square, rng.uniform(-20, 20))))
    return areas


def sample_points(rng: np.random.Generator, areas: list[OfficeArea]) -> list[tuple[float, float]]:
    """Half the points inside an office, a quarter 300-1500 m off one, a quarter anywhere (lat, lon)."""
    points = []
    for i in range(POINTS):
        if i % 4 in (0, 1):
            centre = areas[rng.integers(len(areas))].geometry.centroid
            points.append((centre.y + rng.uniform(-0.0003, 0.0003), centre.x + rng.uniform(-0.0003, 0.0003)))
        elif i % 4 == 2:
            centre = areas[rng.integers(len(areas))].geometry.centroid
            metres, angle = rng.uniform(300, 1500), rng.uniform(0, 2 * math.pi)
            dlat = metres * math.sin(angle) / 111_000
            dlon = metres * math.cos(angle) / (111_000 * math.cos(math.radians(centre.y)))
            points.append((centre.y + dlat, centre.x + dlon))
        else:
            points.append((rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)))
    return points


def lookups_per_second(router, points, min_seconds: float) -> float:
    cycle = itertools.cycle(points)

    def one_lookup():
        lat, lon = next(cycle)
        router.route(lat, lon, home_office_id=0)

    return timeit(one_lookup, min_seconds=min_seconds)


def run() -> None:
    """Report Router lookups/s per office count, with the loop over covers as baseline."""
    for n in SIZES:
        rng = np.random.default_rng(SEED + n)
        areas = synthetic_offices(rng, n)
        points = sample_points(rng, areas)
        fast, slow = Router(areas), LoopRouter(areas)
        # Both must do the same work for the ratio to mean anything.
        for lat, lon in points[:40]:
            assert fast.route(lat, lon, home_office_id=0) == slow.route(lat, lon, home_office_id=0)
        kinds = {}
        for lat, lon in points:
            kind = fast.route(lat, lon, home_office_id=0).matched_by
            kinds[kind] = kinds.get(kind, 0) + 1
        strtree = lookups_per_second(fast, points, min_seconds=0.5)
        loop = lookups_per_second(slow, points, min_seconds=0.5)
        mix = ", ".join(f"{k} {100 * v / len(points):.0f}%" for k, v in sorted(kinds.items()))
        report(f"routing/strtree/{n}", strtree, "lookups/s", loop, strtree / loop, note=mix)
