"""Naming points by street, crossing and nearby place (geo.naming) on a hand-made OSM file.

::

    row 2   (0,2) ====== 长安街 (primary) ====== (2,2) ====== (3,2)
              |                                   ‖   [Civic Square] just south of 长安街
    row 1   First Avenue                     王府井大街 (secondary)
              |      * Lincoln School             ‖
    row 0   (0,0) ---- Main Street (residential) (2,0) ------ (3,0)
                                                              :  unnamed footway, 300 m south
                                                            (3,-3)   [Big University: 15 ha]

Blocks are 100 m; a bench named "Memorial Bench" is street furniture and names nothing; the
university is too large an area to name a spot inside it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geo.crs import utm_crs_for_lonlat
from geo.naming import (
    MAX_PLACE_AREA_M2,
    STREET_RADIUS_M,
    Place,
    PlaceNamer,
    namer_for_networks,
    place_kind,
    read_osm_places,
)
from geo.network import load_networks
from geo.network.modes import Mode

LON0, LAT0 = 116.39, 39.90
DLAT = 100.0 / 111_132.0
DLON = 100.0 / (111_320.0 * math.cos(math.radians(LAT0)))
CRS = utm_crs_for_lonlat(LON0, LAT0)
STREETS = {"Main Street", "First Avenue", "长安街", "王府井大街"}


def _lonlat(col: float, row: float) -> tuple[float, float]:
    return round(LON0 + col * DLON, 7), round(LAT0 + row * DLAT, 7)


def _xy(col: float, row: float) -> tuple[float, float]:
    lon, lat = _lonlat(col, row)
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _osm() -> str:
    nodes: dict[tuple[float, float], int] = {}
    lines: list[str] = []

    def node(col: float, row: float, tags: dict[str, str] | None = None) -> int:
        key = (col, row)
        if key in nodes and not tags:
            return nodes[key]
        nid = 1 + len(nodes) + len(lines)
        lon, lat = _lonlat(col, row)
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (tags or {}).items())
        lines.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">{body}</node>')
        if not tags:
            nodes[key] = nid
        return nid

    ways: list[str] = []

    def way(points: list[tuple[float, float]], tags: dict[str, str], closed: bool = False) -> None:
        refs = [node(c, r) for c, r in points]
        if closed:
            refs.append(refs[0])
        body = "".join(f'<nd ref="{r}"/>' for r in refs)
        body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        ways.append(f'<way id="{100 + len(ways)}" version="1">{body}</way>')

    way([(0, 0), (1, 0), (2, 0), (3, 0)], {"highway": "residential", "name": "Main Street"})
    way([(0, 2), (1, 2), (2, 2), (3, 2)], {"highway": "primary", "name": "长安街"})
    way([(0, 0), (0, 1), (0, 2)], {"highway": "residential", "name": "First Avenue"})
    way([(2, 0), (2, 1), (2, 2)], {"highway": "secondary", "name": "王府井大街"})
    way([(3, 0), (3, -1), (3, -2), (3, -3)], {"highway": "footway"})
    node(1.0, 0.2, {"amenity": "school", "name": "Lincoln School"})
    node(2.0, 0.1, {"amenity": "bench", "name": "Memorial Bench"})
    way(
        [(2.3, 1.75), (2.7, 1.75), (2.7, 1.95), (2.3, 1.95)],
        {"place": "square", "name": "Civic Square"},
        closed=True,
    )
    way(
        [(-1, -4), (4, -4), (4, -1), (-1, -1)],
        {"amenity": "university", "name": "Big University"},
        closed=True,
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">\n"
        + "\n".join(lines + ways)
        + "\n</osm>\n"
    )


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("naming") / "town.osm"
    path.write_text(_osm(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def namer(osm_file: Path) -> PlaceNamer:
    networks = load_networks(osm_file, modes=(Mode.FOOT, Mode.CAR), crs=CRS)
    built = namer_for_networks(networks, osm_file)
    assert built is not None
    return built


def _name(namer: PlaceNamer, col: float, row: float) -> Place:
    return namer.name_point(*_xy(col, row))


def test_places_read_are_named_places_only(osm_file: Path) -> None:
    places = read_osm_places(osm_file, CRS)
    assert set(places.names) == {"Lincoln School", "Civic Square"}  # no bench, no campus
    assert dict(zip(places.names, places.kinds, strict=True)) == {
        "Lincoln School": "school",
        "Civic Square": "square",
    }
    assert all(g.area <= MAX_PLACE_AREA_M2 for g in places.geometries)


def test_corner_of_two_streets_names_both(namer: PlaceNamer) -> None:
    place = _name(namer, 0, 0)
    assert {place.street, place.crossing} == {"Main Street", "First Avenue"}
    assert place.crossing_m == pytest.approx(0.0, abs=0.5)
    assert place.kind == "crossing" and place.at_crossing


def test_bigger_road_names_the_corner(namer: PlaceNamer) -> None:
    place = _name(namer, 2, 0)
    assert (place.street, place.crossing) == ("王府井大街", "Main Street")


def test_mid_block_gives_the_street_and_the_nearest_crossing(namer: PlaceNamer) -> None:
    place = _name(namer, 1.5, 0.05)
    assert place.street == "Main Street"
    assert place.street_m == pytest.approx(5.0, abs=0.5)
    assert place.crossing == "王府井大街"
    assert place.crossing_m == pytest.approx(50.2, abs=1.0)
    assert place.kind == "street" and not place.at_crossing
    assert place.poi is None  # the school is 52 m away


def test_named_place_close_by(namer: PlaceNamer) -> None:
    place = _name(namer, 1.0, 0.1)
    assert (place.poi, place.poi_kind) == ("Lincoln School", "school")
    assert place.poi_m == pytest.approx(10.0, abs=0.5)
    assert place.street == "Main Street" and place.kind == "poi"


def test_inside_an_area_is_at_distance_zero(namer: PlaceNamer) -> None:
    place = _name(namer, 2.5, 1.85)
    assert (place.poi, place.poi_m) == ("Civic Square", 0.0)
    assert place.street == "长安街"
    assert place.crossing == "王府井大街" and not place.at_crossing


def test_unnamed_street_says_so_and_gives_the_nearest_named(namer: PlaceNamer) -> None:
    place = _name(namer, 3, -2)
    assert place.street is None and place.crossing is None
    assert place.near == "Main Street"
    assert place.near_m == pytest.approx(200.0, abs=1.0)
    assert place.poi is None  # inside the university, but a campus names no spot
    assert place.kind == "unnamed"


def test_far_from_every_named_street(namer: PlaceNamer) -> None:
    place = _name(namer, 3, -6)
    assert (place.street, place.near, place.near_m) == (None, None, None)


def test_street_runs_follow_a_path(namer: PlaceNamer) -> None:
    from shapely.geometry import LineString

    path = LineString([_xy(0, 0), _xy(2, 0), _xy(2, 2), _xy(3, 2)])
    runs = namer.street_runs(path)
    assert [name for name, _ in runs] == ["Main Street", "王府井大街", "长安街"]
    assert [round(line.length, -1) for _, line in runs] == pytest.approx([200, 200, 100], abs=20)


def test_place_round_trips_through_json(namer: PlaceNamer) -> None:
    for col, row in ((0, 0), (1.0, 0.1), (3, -2), (2.5, 1.85)):
        place = _name(namer, col, row)
        back = Place.from_dict(place.as_dict())
        assert back.as_dict() == place.as_dict()
    given_name = Place(street="Main Street").with_name("Union Station exit")
    assert given_name.kind == "given" and given_name.as_dict()["name"] == "Union Station exit"


def test_place_kinds() -> None:
    assert place_kind({"amenity": "marketplace"}) == "market"
    assert place_kind({"railway": "station"}) == "station"
    assert place_kind({"highway": "pedestrian", "area": "yes"}) == "square"
    assert place_kind({"building": "yes"}) == "building"
    assert place_kind({"amenity": "vending_machine"}) is None
    assert place_kind({"landuse": "grass"}) is None


def test_bad_points_are_refused(namer: PlaceNamer) -> None:
    with pytest.raises(ValueError, match="differ in length"):
        namer.name_points([0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="finite"):
        namer.name_points([math.nan], [0.0])
    assert namer.name_points([], []) == []


@settings(max_examples=40, deadline=None)
@given(
    cols=st.lists(st.floats(-0.5, 3.5), min_size=1, max_size=12),
    rows=st.lists(st.floats(-3.5, 2.5), min_size=12, max_size=12),
)
def test_vector_naming_is_pointwise_and_never_invents(
    namer: PlaceNamer, cols: list[float], rows: list[float]
) -> None:
    xy = np.array([_xy(c, r) for c, r in zip(cols, rows, strict=False)])
    together = namer.name_points(xy[:, 0], xy[:, 1])
    for (x, y), place in zip(xy, together, strict=True):
        assert namer.name_point(x, y) == place
        names = {place.street, place.crossing, place.near} - {None}
        assert names <= STREETS  # every name is one of the file's
        if place.street is not None:
            assert place.street_m is not None and place.street_m <= STREET_RADIUS_M
            assert place.near is None
        elif place.near is not None:
            assert place.near_m is not None and place.near_m > STREET_RADIUS_M
