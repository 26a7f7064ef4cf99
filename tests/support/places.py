"""Places used by the tests: GeoJSON boxes and points inside (or far from) the test offices."""


def box(west, south, east, north):
    """A GeoJSON polygon: the rectangle between two longitudes and two latitudes."""
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                [west, north], [west, south]]]}


ALA_POINT = {"lat": 43.21012345, "lon": 76.91098765}   # inside the Almaty office
AST_POINT = {"lat": 51.13, "lon": 71.43}               # inside the Astana office
NOWHERE = {"lat": 47.0, "lon": 60.0}                   # far from every office
