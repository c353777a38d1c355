"""Layers that do not belong together are refused (issue 14): a layer outside the network's or
the boundary's extent says how far it is and whether it looks swapped; snapping is bounded."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from geo.analysis import foot_snapper
from geo.errors import GeoInputError
from geo.io import read_incidents
from geo.layers import check_layers_fit, distance_to_bounds_km
from geo.network import load_networks
from geo.network.modes import Mode
from tests.geo._network_osm import write_grid

PORTLAND = (-122.70, 45.50, -122.66, 45.54)


def points(*lonlat: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in lonlat], crs=4326)


def test_a_layer_on_the_extent_passes() -> None:
    check_layers_fit("the network", PORTLAND, {"stations": points((-122.68, 45.52))})


def test_a_layer_of_another_city_says_how_far() -> None:
    toronto = points((-79.39, 43.66), (-79.40, 43.67))
    with pytest.raises(GeoInputError) as excinfo:
        check_layers_fit("the street network grid.osm", PORTLAND, {"incidents": toronto})
    (problem,) = excinfo.value.problems
    assert problem.source == "incidents"
    assert "lies 3," in problem.message
    assert "km from the street network grid.osm" in problem.message
    assert "another place" in problem.message


def test_a_swapped_layer_is_named_swapped() -> None:
    swapped = points((45.52, -82.68), (45.53, -82.67))  # lat/lon exchanged
    bounds = (-82.70, 45.50, -82.66, 45.54)
    with pytest.raises(GeoInputError, match="look swapped in the whole file"):
        check_layers_fit("the boundary b.geojson", bounds, {"stations": swapped})


def test_distance_to_bounds_is_zero_inside() -> None:
    away = distance_to_bounds_km(np.array([-122.68, -122.68]), np.array([45.52, 45.62]), PORTLAND)
    assert away[0] == 0.0 and 8.0 < away[1] < 10.0


def test_incidents_in_antarctica_are_swapped(tmp_path: Path) -> None:
    path = tmp_path / "swapped.csv"
    path.write_text("lat,lon,date,type\n-79.39,43.66,2024-03-05,theft\n-79.40,43.67,2024-03-05,x\n")
    with pytest.raises(GeoInputError, match=r"look swapped in every row.*\(in Antarctica\)"):
        read_incidents(path)


def test_foot_snapping_is_bounded(tmp_path: Path) -> None:
    foot = load_networks(write_grid(tmp_path), modes=(Mode.FOOT,))[Mode.FOOT]
    snapper = foot_snapper(SimpleNamespace(networks={Mode.FOOT: foot}))  # type: ignore[arg-type]
    assert snapper is not None
    x0, y0 = float(foot.node_x_m[0]), float(foot.node_y_m[0])
    x = np.array([x0 + 5.0, x0 + 50_000.0])  # beyond MAX_FOOT_SNAP_M
    y = np.array([y0, y0])
    sx, sy = snapper(x, y)
    assert (sx[0], sy[0]) != (x[0], y[0])  # near: on a node
    assert (sx[1], sy[1]) == (x[1], y[1])  # far: left in place, reported when routed to
