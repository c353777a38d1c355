"""Travel-time matrices, snapping, street paths and the straight-line fallback."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely import Point

from geo.errors import NetworkError
from geo.network import (
    Mode,
    ModeSpeeds,
    OsmStreets,
    StreetNetwork,
    Way,
    distance_matrix_m,
    graph_from_streets,
    load_network,
    load_networks,
    network_from_graph,
    snap,
    straight_line_matrix,
    street_path,
    street_paths,
    travel_time_matrix,
    travel_times,
)
from tests.geo._network_osm import haversine_m, route_s, write_grid


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> dict[Mode, StreetNetwork]:
    return load_networks(write_grid(tmp_path_factory.mktemp("grid")))


def at(network: StreetNetwork, *nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Working-CRS coordinates of OSM nodes of ``network``."""
    index = [int(np.flatnonzero(network.node_ids == n)[0]) for n in nodes]
    return network.node_x_m[index], network.node_y_m[index]


def whole_s(seconds: float) -> int:
    return math.ceil(seconds - 1e-6)


def test_car_times_follow_oneway_and_maxspeed(grid: dict[Mode, StreetNetwork]) -> None:
    car = grid[Mode.CAR]
    times = travel_time_matrix(car, *at(car, 1, 9, 4, 6))
    west_north = route_s([1, 4, 7, 8, 9], [30, 30, 50, 50])  # "30;50" -> 30, "50"
    south_east = route_s([1, 2, 3, 6, 9], 30)
    oneway = route_s([1, 4, 5, 6, 9], [30, 40.2336, 40.2336, 30])  # "25 mph"
    assert times[0, 1] == whole_s(min(west_north, south_east, oneway)) == whole_s(west_north)
    # 4 -> 6 takes the one-way; 6 -> 4 must go round the block
    assert times[2, 3] == whole_s(route_s([4, 5, 6], 40.2336))
    around = min(route_s([6, 9, 8, 7, 4], [30, 50, 50, 30]), route_s([6, 3, 2, 1, 4], 30))
    assert times[3, 2] == whole_s(around)
    assert np.all(np.diag(times) == 0)
    assert times.dtype == np.int64


def test_foot_times_use_footways_steps_and_both_directions(
    grid: dict[Mode, StreetNetwork],
) -> None:
    foot = grid[Mode.FOOT]
    times = travel_time_matrix(foot, *at(foot, 6, 4, 2, 8))
    assert times[0, 1] == times[1, 0] == whole_s(route_s([6, 5, 4], 4.5))
    assert times[2, 3] == whole_s(route_s([2, 5, 8], 4.5))  # footway then steps
    assert times[2, 3] == 160  # 200 m north-south at 1.25 m/s


def test_bicycle_times(grid: dict[Mode, StreetNetwork]) -> None:
    bike = grid[Mode.BICYCLE]
    times = travel_time_matrix(bike, *at(bike, 4, 6))
    assert times[0, 1] == whole_s(route_s([4, 5, 6], 12))
    assert times[1, 0] == whole_s(route_s([6, 9, 8, 7, 4], 12))


def test_custom_speeds(tmp_path: Path) -> None:
    foot = load_network(write_grid(tmp_path), mode="foot", speeds=ModeSpeeds(foot_kmh=5.0))
    times = travel_time_matrix(foot, *at(foot, 2, 8))
    assert times[0, 1] == whole_s(route_s([2, 5, 8], 5.0)) == 144


def test_snap_legs_are_charged_at_access_speed(grid: dict[Mode, StreetNetwork]) -> None:
    car = grid[Mode.CAR]
    x, y = at(car, 1, 9)
    x, y = x + np.array([0.0, 0.0]), y + np.array([-30.0, 12.0])  # 30 m south, 12 m north
    snapped = snap(car, x, y)
    assert snapped.snap_distance_m == pytest.approx([30.0, 12.0])
    times = travel_time_matrix(car, x, y)
    access_s = 42.0 / (15.0 / 3.6)
    assert times[0, 1] == whole_s(route_s([1, 4, 7, 8, 9], [30, 30, 50, 50]) + access_s)


def test_points_on_one_node_are_deduplicated(grid: dict[Mode, StreetNetwork]) -> None:
    foot = grid[Mode.FOOT]
    x, y = at(foot, 4, 4, 6)
    x, y = x + np.array([0.0, 10.0, 0.0]), y
    times = travel_time_matrix(foot, x, y)
    assert times[0, 1] == times[1, 0] == 8  # 10 m at 1.25 m/s
    assert times[1, 2] == whole_s(10 / 1.25 + route_s([4, 5, 6], 4.5))
    assert np.all(np.diag(times) == 0)


def test_distance_matrix(grid: dict[Mode, StreetNetwork]) -> None:
    car = grid[Mode.CAR]
    distance = distance_matrix_m(car, *at(car, 6, 4))

    def along(nodes: list[int]) -> float:
        return sum(haversine_m(a, b) for a, b in itertools.pairwise(nodes))

    # against the one-way it is about 400 m round either block; with it 200 m
    assert distance[0, 1] == pytest.approx(min(along([6, 3, 2, 1, 4]), along([6, 9, 8, 7, 4])))
    assert distance[1, 0] == pytest.approx(along([4, 5, 6]))


def test_far_points_are_reported_not_snapped(grid: dict[Mode, StreetNetwork]) -> None:
    car = grid[Mode.CAR]
    x, y = at(car, 1, 9)
    x, y = np.append(x, x[0] + 2000.0), np.append(y, y[0])
    snapped = snap(car, x, y)
    assert snapped.too_far.tolist() == [2]
    with pytest.raises(
        NetworkError,
        match=r"1 point\(s\) lie farther than 500 m from the car network: #2 \(1,\d{3} m\)",
    ):
        travel_time_matrix(car, x, y)
    assert travel_time_matrix(car, x, y, max_snap_m=3000).shape == (3, 3)


def test_bad_coordinates_are_named(grid: dict[Mode, StreetNetwork]) -> None:
    with pytest.raises(ValueError, match=r"same length \(got 2 and 1\)"):
        travel_time_matrix(grid[Mode.CAR], [0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match=r"finite coordinates \(points \[1\]\)"):
        travel_time_matrix(grid[Mode.CAR], [0.0, np.nan], [0.0, 0.0])


def test_straight_line_matrix_numbers() -> None:
    x, y = [0.0, 300.0, 0.0], [0.0, 400.0, 0.0]
    times = straight_line_matrix(x, y, speed_kmh=12.0)
    # 500 m x 1.3 = 650 m at 12 km/h (10/3 m/s) = 195 s
    assert times.tolist() == [[0, 195, 0], [195, 0, 195], [0, 195, 0]]
    assert straight_line_matrix(x, y, speed_kmh=4.5, detour_factor=1.0)[0, 1] == 400
    with pytest.raises(ValueError, match=r"speed_kmh must be a positive number \(got 0\)"):
        straight_line_matrix(x, y, speed_kmh=0)
    with pytest.raises(ValueError, match=r"detour_factor must be at least 1 \(got 0.5\)"):
        straight_line_matrix(x, y, speed_kmh=4.5, detour_factor=0.5)


def test_travel_times_labels_its_source(grid: dict[Mode, StreetNetwork]) -> None:
    fallback = travel_times([0.0, 300.0], [0.0, 400.0], network=None, mode="car")
    assert fallback.source == "straight-line"
    assert fallback.travel_time_s[0, 1] == 94  # 650 m at 25 km/h = 93.6 s
    assert "straight-line distance × 1.3 at 25 km/h" in fallback.note
    car = grid[Mode.CAR]
    on_streets = travel_times(*at(car, 4, 6), network=car, mode=Mode.CAR)
    assert on_streets.source == "network"
    assert "grid.osm" in on_streets.note
    with pytest.raises(ValueError, match=r"network is for car, not foot"):
        travel_times(*at(car, 4, 6), network=car, mode="foot")


def test_street_path_endpoints_length_and_geometry(grid: dict[Mode, StreetNetwork]) -> None:
    foot = grid[Mode.FOOT]
    (x4, x6), (y4, y6) = at(foot, 4, 6)
    line = street_path(foot, (x4, y4), (x6, y6))
    assert line.coords[0] == pytest.approx((x4, y4))
    assert line.coords[-1] == pytest.approx((x6, y6))
    assert line.length == pytest.approx(200.0, rel=5e-3)  # sphere vs ellipsoid and UTM

    car = grid[Mode.CAR]
    start, end = (x6 + 15.0, y6), (x4 - 20.0, y4)
    line = street_path(car, start, end)  # against the one-way: round by 9, 8, 7
    assert line.coords[0] == pytest.approx(start) and line.coords[-1] == pytest.approx(end)
    assert line.length == pytest.approx(15 + 400 + 20, rel=5e-3)
    (x8,), (y8,) = at(foot, 8)  # node 8 survives only inside the simplified edge geometry
    (x5,), (y5,) = at(foot, 5)
    assert line.distance(Point(x8, y8)) < 1e-6
    assert line.distance(Point(x5, y5)) > 50


def test_street_paths_for_consecutive_stops(grid: dict[Mode, StreetNetwork]) -> None:
    foot = grid[Mode.FOOT]
    x, y = at(foot, 1, 9, 1, 12)
    lines = street_paths(foot, x, y)
    assert len(lines) == 3
    for i, line in enumerate(lines):
        assert line.coords[0] == pytest.approx((x[i], y[i]))
        assert line.coords[-1] == pytest.approx((x[i + 1], y[i + 1]))
    assert lines[0].length == pytest.approx(400, rel=5e-3)
    assert lines[2].length == pytest.approx(300, rel=5e-3)
    with pytest.raises(ValueError, match=r"at least two points \(got 1\)"):
        street_paths(foot, x[:1], y[:1])


# --- property test: the matrix equals networkx Dijkstra on random one-way grids ----------

CLASSES = ["residential", "tertiary", "primary", "service"]
DIRECTIONS = [{}, {}, {"oneway": "yes"}, {"oneway": "-1"}, None]  # None: no street


@st.composite
def random_grid(draw: st.DrawFn) -> OsmStreets:
    cols, rows = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    dlat = 100 / 111_195.0
    dlon = dlat / math.cos(math.radians(45.5))
    lonlat = {
        r * cols + c + 1: (-122.68 + c * dlon, 45.5 + r * dlat)
        for r in range(rows)
        for c in range(cols)
    }
    ways: list[Way] = []
    for r in range(rows):
        for c in range(cols):
            node = r * cols + c + 1
            for other in ([node + 1] if c + 1 < cols else []) + (
                [node + cols] if r + 1 < rows else []
            ):
                extra = draw(st.sampled_from(DIRECTIONS))
                if extra is None:
                    continue
                tags = {"highway": draw(st.sampled_from(CLASSES)), **extra}
                if draw(st.booleans()):
                    tags["maxspeed"] = f"{draw(st.integers(10, 60))} mph"
                ways.append(Way(1000 + len(ways), (node, other), tags))
    return OsmStreets(source="random grid", ways=ways, lonlat=lonlat)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streets=random_grid(), data=st.data())
def test_matrix_equals_networkx_dijkstra(streets: OsmStreets, data: st.DataObject) -> None:
    try:
        car = network_from_graph(graph_from_streets(streets, "car"), "car", source="random")
    except NetworkError:
        assume(False)
        raise
    n_points = data.draw(st.integers(1, 8))
    base = data.draw(
        st.lists(st.integers(0, car.n_nodes - 1), min_size=n_points, max_size=n_points)
    )
    offsets = data.draw(
        st.lists(
            st.tuples(st.floats(-30, 30), st.floats(-30, 30)), min_size=n_points, max_size=n_points
        )
    )
    x = car.node_x_m[base] + np.array([dx for dx, _ in offsets])
    y = car.node_y_m[base] + np.array([dy for _, dy in offsets])
    times = travel_time_matrix(car, x, y)

    # brute-force snapping and networkx shortest paths on the same graph
    distance_to_nodes = np.hypot(x[:, None] - car.node_x_m, y[:, None] - car.node_y_m)
    nearest = distance_to_nodes.argmin(axis=1)
    access_s = distance_to_nodes.min(axis=1) / (15.0 / 3.6)
    ids = car.node_ids[nearest].tolist()
    for i in range(n_points):
        lengths = nx.single_source_dijkstra_path_length(car.graph, ids[i], weight="travel_time")
        for j in range(n_points):
            expected = 0 if i == j else whole_s(access_s[i] + lengths[ids[j]] + access_s[j])
            assert times[i, j] == expected
