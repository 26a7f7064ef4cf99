"""Unit tests of offices.geometry: every refusal reason, valid shapes, and points."""
import json
import math

import pytest
from pyproj import Geod

from offices.geometry import GeometryError, LikelySwappedError, check_point, parse_geofence, to_geojson

ALMATY = [[76.90, 43.23], [76.92, 43.23], [76.92, 43.25], [76.90, 43.25], [76.90, 43.23]]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def refused(geojson, **limits) -> str:
    with pytest.raises(GeometryError) as caught:
        parse_geofence(geojson, **limits)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


def test_geometry_error_is_a_value_error_with_a_reason():
    error = GeometryError("geofence is empty")
    assert isinstance(error, ValueError)
    assert error.reason == "geofence is empty"


@pytest.mark.parametrize("value, name", [([1, 2], "list"), (None, "NoneType"), ("POLYGON", "str")])
def test_refuses_what_is_not_an_object(value, name):
    assert refused(value) == f"geofence must be a GeoJSON object, got {name}"


@pytest.mark.parametrize("kind", ["Point", "LineString", "MultiPoint", "GeometryCollection",
                                  "Feature", "polygon"])
def test_refuses_other_types(kind):
    geojson = {"type": kind, "coordinates": [76.9, 43.24]}
    assert refused(geojson) == f"geofence must be a GeoJSON Polygon or MultiPolygon, got {kind}"


@pytest.mark.parametrize("geojson", [{"coordinates": [ALMATY]}, {"type": None, "coordinates": [ALMATY]},
                                     {"type": 7, "coordinates": [ALMATY]}])
def test_refuses_a_missing_or_non_string_type(geojson):
    assert refused(geojson) == "geofence must be a GeoJSON Polygon or MultiPolygon, got no type"


@pytest.mark.parametrize("coordinates", [None, "[[...]]", 5, {"ring": ALMATY}])
def test_refuses_coordinates_that_are_not_an_array(coordinates):
    assert refused({"type": "Polygon", "coordinates": coordinates}) == "geofence coordinates must be an array"


@pytest.mark.parametrize("bad, expected", [
    ("76.9", "coordinates must be numbers"),
    (True, "coordinates must be numbers"),
    (None, "coordinates must be numbers"),
    (float("nan"), "coordinates must be finite numbers"),
    (float("inf"), "coordinates must be finite numbers"),
    (10 ** 400, "coordinates must be finite numbers"),
])
def test_refuses_coordinates_that_are_not_finite_numbers(bad, expected):
    ring = [list(p) for p in ALMATY]
    ring[2][0] = bad
    reason = refused(polygon(ring))
    assert reason == f"polygon ring 0 position 2: {expected}"


@pytest.mark.parametrize("geojson, expected", [
    (polygon([76.9, 43.2, 76.92, 43.2]), "polygon ring 0: a ring must be an array of positions"),
    ({"type": "Polygon", "coordinates": ALMATY}, "polygon ring 0: a ring must be an array of positions"),
    (polygon([[76.9], [76.92, 43.2], [76.9, 43.25], [76.9]]),
     "polygon ring 0 position 0: a position must be [longitude, latitude]"),
    (polygon([[76.9, 43.2, 0, 1]] * 4), "polygon ring 0 position 0: a position must be [longitude, latitude]"),
    ({"type": "MultiPolygon", "coordinates": [ALMATY]}, "polygon 0 ring 0: a ring must be an array of positions"),
    ({"type": "MultiPolygon", "coordinates": [5]}, "polygon 0: polygon coordinates must be an array of rings"),
])
def test_refuses_wrong_nesting(geojson, expected):
    assert refused(geojson) == expected


def test_refuses_rings_with_fewer_than_four_positions():
    ring = [[76.9, 43.23], [76.92, 43.23], [76.9, 43.23]]
    assert refused(polygon(ring)) == "polygon ring 0: a ring needs at least 4 positions, got 3"


def test_refuses_an_unclosed_ring_instead_of_closing_it():
    assert refused(polygon(ALMATY[:-1])) == "polygon ring 0: ring is not closed (first and last positions differ)"


def test_refuses_an_unclosed_hole():
    hole = [[76.905, 43.235], [76.91, 43.235], [76.91, 43.24], [76.905, 43.24]]
    assert refused(polygon(ALMATY, hole)) == "polygon ring 1: ring is not closed (first and last positions differ)"


@pytest.mark.parametrize("position, expected", [
    ([180.5, 43.2], "longitude 180.5 is outside [-180, 180]"),
    ([-181, 43.2], "longitude -181 is outside [-180, 180]"),
    ([76.9, 90.01], "latitude 90.01 is outside [-90, 90]"),
    ([76.9, -95], "latitude -95 is outside [-90, 90]"),
])
def test_refuses_out_of_range_positions(position, expected):
    ring = [list(p) for p in ALMATY]
    ring[1] = position
    assert refused(polygon(ring)) == f"polygon ring 0 position 1: {expected}"


def circle(n, lon=76.9, lat=43.24, radius=0.01):
    ring = [[lon + radius * math.cos(2 * math.pi * i / n), lat + radius * math.sin(2 * math.pi * i / n)]
            for i in range(n)]
    return ring + [ring[0]]


def test_refuses_too_many_vertices_counting_all_rings():
    assert parse_geofence(polygon(circle(1000))).is_valid
    assert refused(polygon(circle(1001))) == "geofence has more than 1000 vertices"
    outer, hole = circle(60, radius=0.02), circle(50, radius=0.005)
    assert refused(polygon(outer, hole), max_vertices=100) == "geofence has more than 100 vertices"
    multi = {"type": "MultiPolygon", "coordinates": [[circle(60)], [circle(60, lon=77.5)]]}
    assert refused(multi, max_vertices=100) == "geofence has more than 100 vertices"


@pytest.mark.parametrize("geojson, expected", [
    ({"type": "Polygon", "coordinates": []}, "polygon: polygon is empty"),
    ({"type": "MultiPolygon", "coordinates": []}, "geofence is empty: a MultiPolygon needs at least one polygon"),
    ({"type": "MultiPolygon", "coordinates": [[]]}, "polygon 0: polygon is empty"),
])
def test_refuses_empty_shapes(geojson, expected):
    assert refused(geojson) == expected


def test_refuses_zero_area_shapes():
    collinear = [[76.9, 43.2], [76.91, 43.2], [76.92, 43.2], [76.9, 43.2]]
    assert refused(polygon(collinear)) == "geofence has zero area (degenerate shape)"
    repeated = [[76.9, 43.2]] * 4
    assert refused(polygon(repeated)) == "geofence has zero area (degenerate shape)"
    sliver = {"type": "MultiPolygon", "coordinates": [[ALMATY], [collinear]]}
    assert refused(sliver) == "geofence polygon 1 has zero area (degenerate shape)"


def test_refuses_a_self_intersecting_polygon_with_the_shapely_reason():
    bowtie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    assert refused(polygon(bowtie)) == "invalid geometry: Self-intersection[0.5 0.5]"


def test_refuses_a_hole_outside_its_shell():
    hole = [[77.0, 43.3], [77.01, 43.3], [77.01, 43.31], [77.0, 43.3]]
    assert refused(polygon(ALMATY, hole)).startswith("invalid geometry: Hole lies outside shell")


def test_refuses_overlapping_multipolygon_parts():
    other = [[p[0] + 0.01, p[1] + 0.01] for p in ALMATY]
    reason = refused({"type": "MultiPolygon", "coordinates": [[ALMATY], [other]]})
    assert reason.startswith("invalid geometry: Self-intersection")


def test_refuses_a_shape_too_large_to_be_an_office():
    huge = [[70, 40], [80, 40], [80, 50], [70, 50], [70, 40]]
    _, _, across = Geod(ellps="WGS84").inv(70, 40, 80, 50)
    expected_km = round(across / 1000)
    assert 1300 < expected_km < 1500
    assert refused(polygon(huge)) == (
        f"geofence is {expected_km} km across; more than 500 km is almost certainly a typo")
    assert refused(polygon(ALMATY), max_extent_km=1.0).startswith("geofence is 3 km across; more than 1 km")


@pytest.mark.parametrize("first, second", [(179, -179), (-179, 179), (180, -180)])
def test_refuses_a_ring_that_crosses_the_antimeridian(first, second):
    box = [[first, 40], [second, 40], [second, 41], [first, 41], [first, 40]]
    assert refused(polygon(box)) == (
        f"polygon ring 0: the edge from position 0 to 1 (longitude {first} to {second}) crosses the "
        "antimeridian; cut the shape at longitude ±180 into a MultiPolygon (RFC 7946 §3.1.9)")


def test_a_shape_358_degrees_wide_is_measured_west_to_east_not_by_its_short_diagonal():
    # Short edges all the way round: no edge crosses ±180, but the band spans 358° of longitude,
    # which a diagonal from (-179, 40) to (179, 41) would call about 200 km.
    band = [[-179, 40], [0, 40], [179, 40], [179, 41], [0, 41], [-179, 41], [-179, 40]]
    reason = refused(polygon(band))
    assert reason.startswith("geofence is ") and "km wide (358° of longitude); more than 500 km" in reason
    assert int(reason.split()[2]) > 30_000


def test_accepts_a_shape_cut_at_the_antimeridian_and_measures_it_small():
    east = [[179.9, 40], [180, 40], [180, 40.1], [179.9, 40.1], [179.9, 40]]
    west = [[-180, 40], [-179.9, 40], [-179.9, 40.1], [-180, 40.1], [-180, 40]]
    geom = parse_geofence({"type": "MultiPolygon", "coordinates": [[east], [west]]}, max_extent_km=30)
    assert len(geom.geoms) == 2
    assert refused({"type": "MultiPolygon", "coordinates": [[east], [west]]}, max_extent_km=10).startswith(
        "geofence is 20 km across")


def test_a_thin_strip_is_measured_by_its_width():
    strip = [[70, 40], [77, 40], [77, 40.001], [70, 40.001], [70, 40]]
    assert refused(polygon(strip)) == ("geofence is 598 km wide (7° of longitude); "
                                       "more than 500 km is almost certainly a typo")


def test_accepts_a_polygon_with_a_hole():
    hole = [[76.905, 43.235], [76.91, 43.235], [76.91, 43.24], [76.905, 43.24], [76.905, 43.235]]
    geom = parse_geofence(polygon(ALMATY, hole))
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
    assert geom.area == pytest.approx(0.02 * 0.02 - 0.005 * 0.005)


def test_accepts_a_multipolygon_and_drops_altitude():
    second = [[p[0] + 0.1, p[1], 700.0] for p in ALMATY]
    geom = parse_geofence({"type": "MultiPolygon", "coordinates": [[ALMATY], [second]]})
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert not geom.has_z


def test_to_geojson_round_trips_as_plain_json():
    hole = [[76.905, 43.235], [76.91, 43.235], [76.91, 43.24], [76.905, 43.24], [76.905, 43.235]]
    for geojson in (polygon(ALMATY, hole), {"type": "MultiPolygon", "coordinates": [[ALMATY], [circle(8, 77.5)]]}):
        out = to_geojson(parse_geofence(geojson))
        assert out == geojson
        assert json.loads(json.dumps(out)) == out  # lists, not tuples
        assert isinstance(out["coordinates"][0], list)
        assert parse_geofence(out).equals(parse_geofence(geojson))


def test_check_point_returns_floats():
    assert check_point(43.24, 76.9) == (43.24, 76.9)
    lat, lon = check_point(43, 77)
    assert (lat, lon) == (43.0, 77.0) and isinstance(lat, float) and isinstance(lon, float)
    assert check_point(-90, 180) == (-90.0, 180.0)


@pytest.mark.parametrize("lat, lon, expected", [
    (True, 76.9, "lat must be a number, got bool"),
    (43.24, False, "lon must be a number, got bool"),
    ("43.24", 76.9, "lat must be a number, got str"),
    (None, 76.9, "lat must be a number, got NoneType"),
    (float("nan"), 76.9, "lat must be a finite number"),
    (43.24, float("-inf"), "lon must be a finite number"),
    (43.24, 180.5, "lon 180.5 is outside [-180, 180]"),
    (100.0, 150.0, "lat 100 is outside [-90, 90]"),
])
def test_check_point_refusals(lat, lon, expected):
    with pytest.raises(GeometryError) as caught:
        check_point(lat, lon)
    assert caught.value.reason == expected
    assert not isinstance(caught.value, LikelySwappedError)


def test_check_point_says_when_lat_and_lon_look_swapped():
    with pytest.raises(LikelySwappedError) as caught:
        check_point(120.5, 43.2)
    assert caught.value.reason == "lat 120.5 is outside [-90, 90]; were lat and lon swapped?"
    assert isinstance(caught.value, GeometryError)
