"""Loading street networks: the hand-made grid per mode, bad files, GraphML, the sample files."""

from __future__ import annotations

from pathlib import Path

import osmnx as ox
import pytest
from pyproj import Transformer

from geo.errors import NetworkError
from geo.network import (
    Mode,
    StreetNetwork,
    graph_from_streets,
    load_network,
    load_networks,
    read_osm_streets,
    travel_time_matrix,
)
from tests.geo._network_osm import write_grid

SAMPLES = Path(__file__).resolve().parents[2] / "geo" / "sample" / "data"
PORTLAND = SAMPLES / "portland-central" / "portland-central-filtered.osm.pbf"
TORONTO = SAMPLES / "toronto-uoft" / "toronto_uoft_queens_park.osm"


def node_set(network: StreetNetwork) -> set[int]:
    return set(network.node_ids.tolist())


def test_read_splits_ways_at_missing_nodes(tmp_path: Path) -> None:
    streets = read_osm_streets(write_grid(tmp_path))
    assert streets.source == "grid.osm"
    assert streets.missing_node_refs == 1
    footway = [w for w in streets.ways if w.osmid == 110]
    assert [w.node_ids for w in footway] == [(7, 12)]  # (13,) alone is not a street
    assert 13 not in streets.lonlat
    assert {w.osmid for w in streets.ways} == {101, 102, 103, 104, 105, 106, 107, 108, 110}


def test_car_keeps_largest_strongly_connected_component(tmp_path: Path) -> None:
    car = load_network(write_grid(tmp_path), mode="car")
    # 2, 5 and 8 are interstitial for cars (simplified away); 10 is a one-way dead end
    assert node_set(car) == {1, 3, 4, 6, 7, 9}
    assert car.dropped_nodes == 1
    assert any("1 of 7 car network nodes" in note for note in car.notes)
    assert any("1 way-node references" in note for note in car.notes)
    assert car.crs.to_epsg() == 32610
    assert car.travel_time_csr.shape == (6, 6)


def test_foot_uses_footways_steps_and_ignores_oneway(tmp_path: Path) -> None:
    foot = load_network(write_grid(tmp_path), mode="foot")
    assert node_set(foot) == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12}
    assert foot.dropped_nodes == 0
    graph = foot.graph
    assert graph.has_edge(5, 4) and graph.has_edge(4, 5)  # against the one-way
    assert graph.has_edge(2, 5) and graph.has_edge(8, 5)  # footway, steps


def test_car_graph_edges_respect_oneway_and_exclude_footways(tmp_path: Path) -> None:
    graph = graph_from_streets(read_osm_streets(write_grid(tmp_path)), "car")
    assert graph.has_edge(4, 5) and not graph.has_edge(5, 4)
    assert graph.has_edge(6, 10) and not graph.has_edge(10, 6)
    assert not graph.has_edge(2, 5) and not graph.has_edge(5, 8)
    assert graph.has_edge(2, 1) and graph.has_edge(1, 2)
    edge = graph.edges[4, 5, 0]
    assert edge["oneway"] is True and edge["reversed"] is False
    assert edge["speed_kph"] == pytest.approx(40.2336)  # "25 mph"
    assert graph.edges[7, 8, 0]["speed_kph"] == 50.0  # "50"
    assert graph.edges[1, 4, 0]["speed_kph"] == 30.0  # "30;50": the lower value
    assert graph.edges[1, 2, 0]["speed_kph"] == 30.0  # residential default
    assert graph.edges[1, 2, 0]["name"] == "South Street"
    assert graph.edges[1, 2, 0]["length"] == pytest.approx(100.0, rel=1e-3)
    assert graph.graph["crs"] == "epsg:4326"


def test_bicycle_respects_oneway_but_not_footways(tmp_path: Path) -> None:
    networks = load_networks(write_grid(tmp_path), modes=("bicycle", "foot"))
    assert list(networks) == [Mode.BICYCLE, Mode.FOOT]
    bike = networks[Mode.BICYCLE]
    assert node_set(bike) == {1, 3, 4, 6, 7, 9}
    assert networks[Mode.FOOT].crs == bike.crs


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match=r"nowhere\.osm: street network file not found"):
        load_network(tmp_path / "nowhere.osm", mode="car")


def test_unknown_format_is_named(tmp_path: Path) -> None:
    path = tmp_path / "streets.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(NetworkError, match=r"streets\.csv: unknown street network format"):
        load_network(path, mode="car")


def test_empty_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "empty.osm.pbf"
    path.write_bytes(b"")
    with pytest.raises(NetworkError, match=r"empty\.osm\.pbf: the street network file is empty"):
        load_network(path, mode="car")


def test_unparseable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text("<osm><node id='1' lat='x'")
    with pytest.raises(NetworkError, match=r"broken\.osm: cannot read as an OSM file"):
        load_network(path, mode="foot")


def test_no_highways_is_named(tmp_path: Path) -> None:
    path = write_grid(tmp_path, "houses.osm", ways={120: ([1, 3], {"building": "yes"})})
    with pytest.raises(NetworkError, match=r"houses\.osm: no ways tagged 'highway'"):
        load_network(path, mode="foot")


def test_nothing_usable_by_mode_is_named(tmp_path: Path) -> None:
    path = write_grid(tmp_path, "paths.osm", ways={106: ([2, 5], {"highway": "footway"})})
    with pytest.raises(NetworkError, match=r"paths\.osm: no street usable by car"):
        load_network(path, mode="car")
    assert load_network(path, mode="foot").n_nodes == 2


def test_graphml_round_trip(tmp_path: Path) -> None:
    foot = load_network(write_grid(tmp_path), mode="foot")
    path = tmp_path / "grid.graphml"
    ox.save_graphml(foot.graph, path)
    again = load_network(path, mode="foot")
    assert node_set(again) == node_set(foot)
    assert again.crs == foot.crs
    assert again.travel_time_csr.sum() == pytest.approx(foot.travel_time_csr.sum())
    car = load_network(path, mode="car")  # footways and steps are filtered out by class
    assert car.graph.has_edge(4, 5)
    assert not car.graph.has_edge(2, 5) and not car.graph.has_edge(5, 8)


def test_bad_graphml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.graphml"
    path.write_text("not xml at all")
    with pytest.raises(NetworkError, match=r"bad\.graphml: cannot read as GraphML"):
        load_network(path, mode="car")


@pytest.mark.slow  # builds the whole Portland car network
def test_portland_car_network_and_a_plausible_trip() -> None:
    car = load_network(PORTLAND, mode="car")
    assert car.n_nodes > 1000
    assert car.missing_node_refs == 18
    # Central Precinct (1111 SW 2nd Ave) to Lloyd Center
    to_utm = Transformer.from_crs(4326, car.crs, always_xy=True)
    x, y = to_utm.transform([-122.6778, -122.6543], [45.5146, 45.5316])
    times = travel_time_matrix(car, x, y)
    assert 60 <= times[0, 1] <= 1800
    assert 60 <= times[1, 0] <= 1800


def test_toronto_osm_foot_network_and_a_plausible_walk() -> None:
    foot = load_network(TORONTO, mode="foot")
    assert foot.n_nodes > 1000
    to_utm = Transformer.from_crs(4326, foot.crs, always_xy=True)
    # Queen's Park legislature to Bay St / College St, about 600 m apart
    x, y = to_utm.transform([-79.3923, -79.3860], [43.6643, 43.6612])
    times = travel_time_matrix(foot, x, y)
    assert 60 <= times[0, 1] <= 1800
