"""Unit tests of offices.routing: each rule, tie-breaks, metre distances, and STRtree vs loop."""
import math

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, box

from offices.geometry import GeometryError, LikelySwappedError
from offices.routing import (LoopRouter, OfficeArea, OfficeRequired, RouteResult, Router, distance_m, ranking_areas,
                             search_box)

GEOD = Geod(ellps="WGS84")
ALMATY = (43.24, 76.9)   # lat, lon: what a phone sends
ASTANA = (51.13, 71.43)


def square(lat, lon, half_m):
    """A lon/lat box of roughly 2*half_m metres a side centred on (lat, lon)."""
    dlat = half_m / 111_000
    dlon = half_m / (111_000 * math.cos(math.radians(lat)))
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def moved(lat, lon, azimuth, metres):
    """The point metres away from (lat, lon) on the given azimuth, as (lat, lon)."""
    new_lon, new_lat, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return new_lat, new_lon


@pytest.fixture(params=[Router, LoopRouter], ids=["strtree", "loop"])
def router_class(request):
    return request.param


def test_rule_1_explicit_office_wins_even_inside_another_geofence(router_class):
    router = router_class([OfficeArea(1, square(*ALMATY, 200))])
    assert router.route(*ALMATY, office_id=9, home_office_id=4) == RouteResult(9, "manual", None)
    assert router.route(None, None, office_id=9) == RouteResult(9, "manual", None)


def test_rule_2_point_inside_a_geofence(router_class):
    router = router_class([OfficeArea(1, square(*ALMATY, 200)), OfficeArea(2, square(*ASTANA, 200))])
    assert router.route(*ALMATY, home_office_id=2) == RouteResult(1, "geofence", 0.0)
    assert router.route(*ASTANA) == RouteResult(2, "geofence", 0.0)


def test_nested_offices_the_smaller_wins_whatever_the_ids(router_class):
    campus, building = square(*ALMATY, 1000), square(*ALMATY, 100)
    for big_id, small_id in ((1, 2), (2, 1)):
        router = router_class([OfficeArea(big_id, campus), OfficeArea(small_id, building)])
        assert router.route(*ALMATY).office_id == small_id
        lat, lon = moved(*ALMATY, 0, 500)   # in the campus, outside the building
        assert router.route(lat, lon).office_id == big_id


def test_equal_areas_go_to_the_lowest_id(router_class):
    same = square(*ALMATY, 300)
    shifted = shapely.transform(same, lambda c: c + [0.001, 0.0])  # same size, overlapping
    router = router_class([OfficeArea(7, same), OfficeArea(3, same), OfficeArea(5, shifted)])
    assert router.route(*ALMATY).office_id == 3
    router = router_class([OfficeArea(7, same), OfficeArea(5, shifted)])
    assert router.route(*ALMATY).office_id == 5


def test_a_point_on_the_boundary_counts_as_inside(router_class):
    office = box(76.9, 43.24, 76.91, 43.25)
    router = router_class([OfficeArea(1, office)])
    for lat, lon in ((43.24, 76.905), (43.245, 76.91), (43.25, 76.9)):  # edge, edge, vertex
        assert office.boundary.covers(Point(lon, lat))
        assert router.route(lat, lon) == RouteResult(1, "geofence", 0.0)


def test_strtree_predicates_for_a_point_on_an_edge():
    # Documents why Router uses "covered_by": the predicate reads predicate(point, polygon).
    tree = shapely.STRtree([box(0, 0, 1, 1)])
    on_edge, inside = Point(0.5, 0.0), Point(0.5, 0.5)
    assert tree.query(on_edge, predicate="covered_by").tolist() == [0]
    assert tree.query(on_edge, predicate="within").tolist() == []
    assert tree.query(inside, predicate="contains").tolist() == []


def test_a_point_on_the_shared_edge_of_two_adjacent_offices(router_class):
    west, east = box(76.90, 43.24, 76.91, 43.25), box(76.91, 43.24, 76.92, 43.25)
    router = router_class([OfficeArea(8, east), OfficeArea(4, west)])
    assert router.route(43.245, 76.91) == RouteResult(4, "geofence", 0.0)
    smaller_east = box(76.91, 43.24, 76.915, 43.25)
    router = router_class([OfficeArea(8, smaller_east), OfficeArea(4, west)])
    assert router.route(43.245, 76.91) == RouteResult(8, "geofence", 0.0)


def test_multipolygon_offices(router_class):
    north, south = moved(*ALMATY, 0, 3000), moved(*ALMATY, 180, 3000)
    campus = MultiPolygon([square(*north, 200), square(*south, 200)])
    router = router_class([OfficeArea(6, campus)])
    assert router.route(*north) == RouteResult(6, "geofence", 0.0)
    assert router.route(*south) == RouteResult(6, "geofence", 0.0)
    with pytest.raises(OfficeRequired):
        router.route(*ALMATY)   # 2.8 km from either part
    result = router.route(*moved(*north, 180, 200 + 1500))
    assert result.office_id == 6 and result.matched_by == "nearest"
    assert result.distance_m == pytest.approx(1500, rel=0.01)


def test_a_hole_is_outside_the_office(router_class):
    park = square(*ALMATY, 1000).difference(square(*ALMATY, 300))
    router = router_class([OfficeArea(1, park)])
    result = router.route(*ALMATY)
    assert result.matched_by == "nearest" and result.distance_m == pytest.approx(300, rel=0.02)
    router = router_class([OfficeArea(1, park), OfficeArea(2, square(*ALMATY, 300))])
    assert router.route(*ALMATY) == RouteResult(2, "geofence", 0.0)


def test_inactive_offices_are_ignored_for_geofence_and_nearest(router_class):
    near = moved(*ALMATY, 90, 1200)
    router = router_class([OfficeArea(1, square(*ALMATY, 200), is_active=False),
                           OfficeArea(2, square(*near, 200), is_active=False)])
    assert len(router) == 0
    assert router.route(*ALMATY, home_office_id=3) == RouteResult(3, "home_office", None)
    router = router_class([OfficeArea(1, square(*ALMATY, 200), is_active=False),
                           OfficeArea(2, square(*near, 200))])
    assert router.route(*ALMATY).office_id == 2


def test_rule_3_nearest_within_the_limit_and_not_beyond(router_class):
    office = square(*ALMATY, 200)
    router = router_class([OfficeArea(1, office)])
    edge_lat = office.bounds[3]
    inside_limit = moved(edge_lat, ALMATY[1], 0, 1500)
    result = router.route(*inside_limit, home_office_id=5)
    assert result.office_id == 1 and result.matched_by == "nearest"
    assert result.distance_m == pytest.approx(1500, rel=0.01)
    beyond = moved(edge_lat, ALMATY[1], 0, 2500)
    assert router.route(*beyond, home_office_id=5) == RouteResult(5, "home_office", None)
    assert router_class([OfficeArea(1, office)], max_distance_m=3000).route(*beyond).office_id == 1


def test_nearest_prefers_the_closer_office_and_ties_go_to_the_lowest_id(router_class):
    east, west = moved(*ALMATY, 90, 1000), moved(*ALMATY, 270, 1000)
    router = router_class([OfficeArea(9, square(*east, 200)), OfficeArea(4, square(*west, 300))])
    assert router.route(*ALMATY).office_id == 4   # the bigger square reaches closer
    mirror_east = box(ALMATY[1] + 0.01, 43.23, ALMATY[1] + 0.02, 43.25)
    mirror_west = box(ALMATY[1] - 0.02, 43.23, ALMATY[1] - 0.01, 43.25)
    for ids in ((9, 4), (4, 9)):
        router = router_class([OfficeArea(ids[0], mirror_east), OfficeArea(ids[1], mirror_west)])
        assert router.route(*ALMATY).office_id == 4


def test_the_limit_is_in_metres_even_far_north(router_class):
    # At 55 N a degree of longitude is ~64 km: a box built from degrees of latitude would miss.
    lat, lon = 54.87, 69.15
    office = box(lon - 0.005, lat - 0.005, lon, lat + 0.005)
    router = router_class([OfficeArea(1, office)])
    assert router.route(*moved(lat, lon, 90, 1990)).office_id == 1
    with pytest.raises(OfficeRequired):
        router.route(*moved(lat, lon, 90, 2010))
    corner = moved(lat + 0.005, lon, 45, 2300)  # bbox overlaps the search box, but 2.3 km away
    with pytest.raises(OfficeRequired):
        router.route(*corner)


def test_distance_of_1_km_due_north_in_almaty():
    office = box(76.89, 43.23, 76.91, 43.24)
    lat, lon = moved(43.24, 76.90, 0, 1000)
    assert distance_m(lat, lon, office) == pytest.approx(1000, rel=0.01)


def test_distance_of_1_km_due_east_in_astana_scales_longitude():
    office = box(71.41, 51.12, 71.43, 51.14)
    lat, lon = moved(51.13, 71.43, 90, 1000)
    assert distance_m(lat, lon, office) == pytest.approx(1000, rel=0.01)
    naive = (lon - 71.43) * 111_320   # degrees of longitude taken as equator-sized
    assert naive == pytest.approx(1000 / math.cos(math.radians(51.13)), rel=0.01)


def test_distance_to_slanted_edges_matches_a_geodesic_brute_force():
    triangle = shapely.Polygon([(71.40, 51.10), (71.46, 51.12), (71.41, 51.15), (71.40, 51.10)])
    dense = shapely.get_coordinates(shapely.segmentize(triangle.exterior, 0.00001))
    rng = np.random.default_rng(7)
    for _ in range(40):
        lat, lon = rng.uniform(51.08, 51.17), rng.uniform(71.37, 71.49)
        if triangle.covers(Point(lon, lat)):
            assert distance_m(lat, lon, triangle) == 0.0
            continue
        _, _, d = GEOD.inv(np.full(len(dense), lon), np.full(len(dense), lat), dense[:, 0], dense[:, 1])
        assert distance_m(lat, lon, triangle) == pytest.approx(d.min(), rel=0.002, abs=1.0)


def test_distance_is_zero_inside_and_on_the_boundary():
    office = box(76.9, 43.24, 76.91, 43.25)
    assert distance_m(43.245, 76.905, office) == 0.0
    assert distance_m(43.24, 76.905, office) == 0.0


def test_swapped_lat_lon_routes_to_no_geofence(router_class):
    router = router_class([OfficeArea(1, square(*ALMATY, 500))])
    lat, lon = ALMATY
    assert router.route(lat, lon).matched_by == "geofence"
    assert router.route(lon, lat, home_office_id=2) == RouteResult(2, "home_office", None)
    with pytest.raises(OfficeRequired):
        router.route(lon, lat)


def test_rule_4_home_office_and_rule_5_office_required(router_class):
    router = router_class([OfficeArea(1, square(*ALMATY, 200))])
    assert router.route(None, None, home_office_id=3) == RouteResult(3, "home_office", None)
    assert router.route(*ASTANA, home_office_id=3) == RouteResult(3, "home_office", None)
    with pytest.raises(OfficeRequired):
        router.route(None, None)
    with pytest.raises(OfficeRequired):
        router_class([]).route(*ALMATY)


def test_bad_points_are_refused(router_class):
    router = router_class([OfficeArea(1, square(*ALMATY, 200))])
    with pytest.raises(GeometryError):
        router.route(43.24, None, home_office_id=3)
    with pytest.raises(LikelySwappedError):
        router.route(120.0, 43.0)
    with pytest.raises(GeometryError):
        router.route(float("nan"), 76.9)


def test_a_router_refuses_non_polygon_geofences(router_class):
    with pytest.raises(ValueError):
        router_class([OfficeArea(1, Point(76.9, 43.24))])
    assert len(router_class([OfficeArea(1, Point(76.9, 43.24), is_active=False)])) == 0


def test_search_box_holds_every_point_within_the_radius():
    for lat in (0.0, 43.24, 55.0, -70.0):
        min_lon, min_lat, max_lon, max_lat = search_box(lat, 76.9, 2000)
        for azimuth in range(0, 360, 15):
            p_lat, p_lon = moved(lat, 76.9, azimuth, 2000)
            assert min_lon <= p_lon <= max_lon and min_lat <= p_lat <= max_lat


def random_offices(rng, n):
    """Squares, campuses around them, duplicates and two-part offices near Almaty; some inactive."""
    areas = []
    for office_id in range(1, n + 1):
        lat, lon = rng.uniform(43.0, 43.8), rng.uniform(76.5, 77.5)
        kind = rng.random()
        if kind < 0.05 and areas:
            geom = areas[-1].geometry   # same shape, another id: equal areas
        elif kind < 0.12 and areas:
            c = areas[-1].geometry.centroid
            geom = square(c.y, c.x, rng.uniform(800, 3000))   # a campus around the previous office
        elif kind < 0.18:
            geom = MultiPolygon([square(lat, lon, 150), square(*moved(lat, lon, 45, 1500), 150)])
        else:
            geom = square(lat, lon, rng.uniform(60, 800))
        areas.append(OfficeArea(office_id, geom, is_active=bool(rng.random() > 0.1)))
    return areas


def test_strtree_router_agrees_with_the_loop_on_random_offices():
    rng = np.random.default_rng(20240601)
    areas = random_offices(rng, 300)
    fast, slow = Router(areas), LoopRouter(areas)
    points = [(rng.uniform(42.95, 43.85), rng.uniform(76.45, 77.55)) for _ in range(1500)]
    for area in rng.choice(areas, 1500):
        minx, miny, maxx, maxy = area.geometry.bounds
        if rng.random() < 0.2:
            points.append((miny, (minx + maxx) / 2))   # on the bottom edge of the bbox
        else:
            points.append((rng.uniform(miny, maxy), rng.uniform(minx, maxx)))
    seen = {}
    for lat, lon in points:
        expected = slow.route(lat, lon, home_office_id=-1)
        got = fast.route(lat, lon, home_office_id=-1)
        assert (got.office_id, got.matched_by) == (expected.office_id, expected.matched_by), (lat, lon)
        assert got.distance_m == expected.distance_m
        seen[got.matched_by] = seen.get(got.matched_by, 0) + 1
    assert min(seen.get(k, 0) for k in ("geofence", "nearest", "home_office")) > 100, seen

    # The loop itself, against exact distances to every active office.
    active = [a for a in areas if a.is_active]
    misses = [(lat, lon) for lat, lon in points[:400]
              if fast.route(lat, lon, home_office_id=-1).matched_by != "geofence"][:40]
    for lat, lon in misses:
        best = min((distance_m(lat, lon, a.geometry), a.id) for a in active)
        got = fast.route(lat, lon, home_office_id=-1)
        if best[0] <= 2000:
            assert (got.office_id, got.distance_m) == (best[1], pytest.approx(best[0]))
        else:
            assert got.matched_by == "home_office"


def tricky_offices(rng, n):
    """Offices with holes, many-vertex rings, two-part shapes and mirrored twins near Astana."""
    areas = []
    for office_id in range(1, n + 1):
        lat, lon = rng.uniform(51.0, 51.3), rng.uniform(71.2, 71.7)
        kind = rng.random()
        if kind < 0.2:
            outer = square(lat, lon, rng.uniform(300, 900))
            geom = outer.difference(square(lat, lon, rng.uniform(50, 250)))   # a courtyard hole
        elif kind < 0.4:
            # A round yard: ring of more than 24 segments (the numpy search).
            geom = Point(lon, lat).buffer(rng.uniform(0.002, 0.01), quad_segs=int(rng.integers(8, 40)))
        elif kind < 0.55:
            geom = MultiPolygon([square(lat, lon, 120), square(*moved(lat, lon, rng.uniform(0, 360), 900), 200)])
        elif kind < 0.7 and areas:
            # The previous office mirrored across a meridian: points on that meridian are equidistant.
            previous = areas[-1].geometry
            axis = previous.bounds[2] + rng.uniform(0.002, 0.02)
            geom = shapely.transform(previous, lambda c, a=axis: np.column_stack([2 * a - c[:, 0], c[:, 1]]))
            geom = shapely.make_valid(shapely.orient_polygons(geom)) if not geom.is_valid else geom
        else:
            geom = shapely.affinity.rotate(square(lat, lon, rng.uniform(60, 600)), rng.uniform(0, 90))
        if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_empty:
            areas.append(OfficeArea(office_id, geom, is_active=bool(rng.random() > 0.05)))
    return areas


def border_points(rng, areas):
    """Vertices, points on edges, a hair inside and outside them, inside holes, and on mirror axes."""
    points = []
    for area in areas:
        geom = area.geometry
        coords = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(geom)))
        for x, y in coords[rng.choice(len(coords), 3)]:
            points.append((y, x))
        for ring in shapely.get_rings(shapely.get_parts(geom)):
            line = shapely.get_coordinates(ring)
            j = int(rng.integers(len(line) - 1))
            t = rng.random()
            x, y = line[j] + t * (line[j + 1] - line[j])
            for eps in (0.0, 1e-9, -1e-9, 1e-6, -1e-6, 0.003):
                points.append((y + eps, x + eps))
    for left, right in zip(areas, areas[1:], strict=False):
        # Midway between neighbours' centres and the mirror axis of mirrored twins.
        a, b = left.geometry.centroid, right.geometry.centroid
        points.append(((a.y + b.y) / 2, (a.x + b.x) / 2))
        axis = (left.geometry.bounds[2] + right.geometry.bounds[0]) / 2
        points.append((a.y, axis))
    return points


def brute_force(areas, lat, lon, max_distance_m=2000.0):
    """The routing rules straight from their definition, against every active office."""
    active = [a for a in areas if a.is_active]
    here = Point(lon, lat)
    inside = [a for a in active if a.geometry.covers(here)]
    if inside:
        sizes = dict(zip([a.id for a in inside], ranking_areas([a.geometry for a in inside]), strict=True))
        least = min(sizes.values())
        return min(i for i, s in sizes.items() if s <= least * (1 + 1e-9)), "geofence"
    near = [(distance_m(lat, lon, a.geometry), a.id) for a in active]
    near = [(d, i) for d, i in near if d <= max_distance_m]
    if not near:
        return -1, "home_office"
    best = min(d for d, _ in near)
    return min(i for d, i in near if d <= best + 1e-3), "nearest"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_routers_agree_with_brute_force_at_borders_holes_and_ties(seed):
    rng = np.random.default_rng(seed)
    areas = tricky_offices(rng, 120)
    fast, slow = Router(areas), LoopRouter(areas)
    points = border_points(rng, areas) + [(rng.uniform(50.95, 51.35), rng.uniform(71.1, 71.8))
                                          for _ in range(300)]
    seen = {}
    for lat, lon in points:
        expected = slow.route(lat, lon, home_office_id=-1)
        got = fast.route(lat, lon, home_office_id=-1)
        assert got == expected, (lat, lon)
        assert (got.office_id, got.matched_by) == brute_force(areas, lat, lon), (lat, lon)
        if got.matched_by == "nearest":
            assert got.distance_m == distance_m(lat, lon, next(a.geometry for a in areas if a.id == got.office_id))
        seen[got.matched_by] = seen.get(got.matched_by, 0) + 1
    assert min(seen.get(k, 0) for k in ("geofence", "nearest", "home_office")) > 20, seen


def test_equidistant_offices_go_to_the_lowest_id(router_class):
    west, east = square(*ASTANA, 100), square(*ASTANA, 100)
    lat, lon = ASTANA
    shift = 0.01   # degrees of longitude: the two squares mirror each other across lon + shift / 2
    east = shapely.transform(east, lambda c: c + [shift, 0.0])
    for west_id, east_id in ((4, 9), (9, 4)):
        router = router_class([OfficeArea(west_id, west), OfficeArea(east_id, east)])
        got = router.route(lat, lon + shift / 2)
        assert got.matched_by == "nearest" and got.office_id == 4


def test_distance_to_a_many_sided_ring_matches_a_geodesic_brute_force():
    # More than 24 segments: the numpy search; it must agree with the plain one.
    yard = Point(71.43, 51.13).buffer(0.01, quad_segs=32)
    dense = shapely.get_coordinates(shapely.segmentize(yard.exterior, 0.00001))
    rng = np.random.default_rng(11)
    for _ in range(30):
        lat, lon = rng.uniform(51.11, 51.15), rng.uniform(71.40, 71.46)
        if yard.covers(Point(lon, lat)):
            continue
        _, _, d = GEOD.inv(np.full(len(dense), lon), np.full(len(dense), lat), dense[:, 0], dense[:, 1])
        assert distance_m(lat, lon, yard) == pytest.approx(d.min(), rel=0.002, abs=1.0)
