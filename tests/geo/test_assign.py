"""Point-to-cell assignment: every point inside the boundary lands in exactly one cell."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo.assign import assign_incidents, assign_points
from geo.errors import CRSMismatchError
from geo.grid import Grid, build_grid, grid_from_polygons, hex_grid, square_grid
from geo.schema import CELL_ID
from tests.geo.test_grid import boundaries, cell_sizes

UTM = 32610
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)


def _cell_ids(grid: Grid, x: list[float], y: list[float]) -> list[str | None]:
    pos = assign_points(grid, np.array(x, dtype=float), np.array(y, dtype=float))
    ids = grid.cells[CELL_ID].tolist()
    return [ids[p] if p >= 0 else None for p in pos.tolist()]


# --------------------------------------------------------------------------- hand-made cases


def test_square_cells_are_half_open_inside_and_closed_on_the_outline() -> None:
    grid = square_grid(box(0, 0, 2000, 2000), 1000, crs=UTM)
    points = {
        (500, 500): "S-r000-c000",
        (1000, 500): "S-r000-c001",  # inner vertical edge -> the cell east of it
        (500, 1000): "S-r001-c000",  # inner horizontal edge -> the cell north of it
        (1000, 1000): "S-r001-c001",  # inner corner -> north-east
        (0, 0): "S-r000-c000",
        (2000, 500): "S-r000-c001",  # on the outline's east edge: inside
        (500, 2000): "S-r001-c000",  # on the outline's north edge: inside
        (2000, 2000): "S-r001-c001",
        (2000.001, 500): None,
        (-0.001, 500): None,
        (500, 2500): None,
    }
    xs, ys = zip(*points, strict=True)
    assert _cell_ids(grid, list(xs), list(ys)) == list(points.values())


def test_points_in_clipped_cells_are_checked_against_the_boundary() -> None:
    triangle = Polygon([(0, 0), (2000, 0), (0, 2000)])
    grid = square_grid(triangle, 1000, crs=UTM)
    assert grid.clipped.tolist() == [False, True, True]
    assert _cell_ids(grid, [1200, 1800, 1000, 200], [200, 600, 1000, 1700]) == [
        "S-r000-c001",
        None,
        "S-r000-c000",  # on the outline at a corner whose north-east cell is missing
        "S-r001-c000",
    ]


def test_points_on_the_outline_between_a_cut_cell_and_a_missing_cell() -> None:
    # Lattice cell (1, 1) is missing: points on its edges go to the lowest touching cell.
    l_shape = shapely.union_all([box(0, 0, 2000, 1000), box(0, 1000, 1000, 2000)])
    grid = square_grid(l_shape, 1000, crs=UTM)
    assert _cell_ids(grid, [1000, 1500, 1000], [1500, 1000, 1000]) == [
        "S-r001-c000",
        "S-r000-c001",
        "S-r000-c000",  # the inner corner of the L, touched by all three cells
    ]


def test_nan_coordinates_get_no_cell_and_shapes_must_match() -> None:
    grid = square_grid(box(0, 0, 10, 10), 5, crs=UTM)
    assert assign_points(grid, np.array([np.nan, 1.0]), np.array([1.0, np.nan])).tolist() == [
        -1,
        -1,
    ]
    with pytest.raises(ValueError, match="same length, got 2 and 1"):
        assign_points(grid, np.array([1.0, 2.0]), np.array([1.0]))


def test_hex_centres_and_vertices() -> None:
    grid = hex_grid(box(0, 0, 3000, 2000), 500, crs=UTM)
    whole = grid.cells[~grid.clipped]
    centres = whole.geometry.centroid
    assert _cell_ids(grid, centres.x.tolist(), centres.y.tolist()) == whole[CELL_ID].tolist()
    # A vertex shared by three hexagons lands in exactly one of them.
    vertex = np.array(whole.geometry.iloc[len(whole) // 2].exterior.coords[0])
    pos = assign_points(grid, vertex[:1], vertex[1:])
    assert pos[0] >= 0
    assert grid.cells.geometry.iloc[pos[0]].distance(Point(vertex)) < 1e-6


def test_polygon_grid_edges_and_overlaps_go_to_the_lowest_position() -> None:
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B", "C"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(15, 0, 25, 10)],
        crs=UTM,
    )
    grid = grid_from_polygons(areas)
    assert _cell_ids(grid, [5, 10, 17, 22, 30, 10], [5, 5, 5, 5, 5, 10]) == [
        "A",
        "A",  # shared edge of A and B
        "B",  # overlap of B and C
        "C",
        None,
        "A",  # corner shared by A and B
    ]


def test_assign_incidents_returns_cell_ids_with_na_outside() -> None:
    grid = square_grid(box(0, 0, 2000, 2000), 1000, crs=UTM)
    incidents = gpd.GeoDataFrame(
        {"incident_id": ["a", "b", "c", "d", "e"]},
        geometry=[Point(1500, 500), Point(5000, 5000), None, Point(), Point(10, 1999)],
        crs=UTM,
        index=[10, 11, 12, 13, 14],
    )
    cells = assign_incidents(grid, incidents)
    assert cells.name == CELL_ID
    assert cells.dtype == "string"
    assert cells.index.tolist() == [10, 11, 12, 13, 14]
    assert cells.tolist()[0] == "S-r000-c001"
    assert cells.tolist()[4] == "S-r001-c000"
    assert cells.isna().tolist() == [False, True, True, True, False]
    assert cells.iloc[1] is pd.NA


def test_assign_incidents_requires_the_grid_crs_and_points() -> None:
    grid = square_grid(box(0, 0, 2000, 2000), 1000, crs=UTM)
    lonlat = gpd.GeoDataFrame(geometry=[Point(-122.6, 45.5)], crs=4326)
    with pytest.raises(CRSMismatchError, match=r"EPSG:4326 .*EPSG:32610.*to_crs\(grid\.crs\)"):
        assign_incidents(grid, lonlat)
    with pytest.raises(ValueError, match=r"no CRS .*set_crs"):
        assign_incidents(grid, gpd.GeoDataFrame(geometry=[Point(1, 1)]))
    lines = gpd.GeoDataFrame(geometry=[Point(1, 1), LineString([(0, 0), (1, 1)])], crs=UTM)
    with pytest.raises(ValueError, match="position 1 is a LineString"):
        assign_incidents(grid, lines)
    multi = gpd.GeoDataFrame(geometry=[MultiPoint([(1, 1)])], crs=UTM)
    with pytest.raises(ValueError, match="position 0 is a MultiPoint"):
        assign_incidents(grid, multi)


# --------------------------------------------------------------------------- properties


def _brute_force(grid: Grid, x: np.ndarray, y: np.ndarray) -> list[set[int]]:
    """Cells whose closed geometry holds each point, by a plain spatial join."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=grid.crs)
    joined = gpd.sjoin(points, grid.cells, predicate="intersects", how="left")
    found: list[set[int]] = [set() for _ in range(len(x))]
    for i, j in zip(joined.index.tolist(), joined["index_right"].tolist(), strict=True):
        if not pd.isna(j):
            found[i].add(int(j))
    return found


def _check_against_brute_force(
    grid: Grid, boundary: BaseGeometry, x: np.ndarray, y: np.ndarray
) -> None:
    pos = assign_points(grid, x, y)
    candidates = _brute_force(grid, x, y)
    covered = np.asarray(shapely.covers(boundary, shapely.points(x, y)))
    for i, (p, found) in enumerate(zip(pos.tolist(), candidates, strict=True)):
        point = (float(x[i]), float(y[i]))
        if len(found) == 1:  # strictly inside one cell: the same cell
            assert p == next(iter(found)), point
        elif found:  # on an edge: one of the cells that touch it
            assert p in found, point
        else:
            assert p == -1, point
        assert (p >= 0) == bool(covered[i]) or found, point


def _random_points(boundary: BaseGeometry, seed: int, n: int = 300) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    pad = 0.05 * max(maxx - minx, maxy - miny)
    return rng.uniform(minx - pad, maxx + pad, n), rng.uniform(miny - pad, maxy + pad, n)


def _edge_points(grid: Grid, boundary: BaseGeometry, seed: int, n: int = 200) -> np.ndarray:
    """Cell vertices and points along cell edges and along the outline."""
    rng = np.random.default_rng(seed)
    vertices = shapely.get_coordinates(grid.cells.boundary.to_numpy())
    lines = [*grid.cells.boundary, boundary.boundary]
    picks = rng.integers(0, len(lines), n)
    along = [lines[k].interpolate(rng.uniform(), normalized=True) for k in picks.tolist()]
    points = np.vstack(
        [vertices[rng.integers(0, len(vertices), n)], shapely.get_coordinates(along)]
    )
    return points


@PROPERTY_SETTINGS
@given(data=st.data(), kind=st.sampled_from(["square", "hex"]), seed=st.integers(0, 2**32 - 1))
def test_each_point_lands_in_exactly_one_generated_cell(
    data: st.DataObject, kind: str, seed: int
) -> None:
    boundary = data.draw(boundaries())
    size = data.draw(cell_sizes(boundary))
    grid = build_grid(boundary, kind=kind, cell_size_m=size, crs=UTM)  # type: ignore[arg-type]
    x, y = _random_points(boundary, seed)
    _check_against_brute_force(grid, boundary, x, y)

    # Points on cell edges, at vertices and on the outline: inside the boundary -> a cell that
    # touches the point (up to floating-point noise of the clipped vertices).
    edges = _edge_points(grid, boundary, seed)
    pos = assign_points(grid, edges[:, 0], edges[:, 1])
    points = np.asarray(shapely.points(edges), dtype=object)
    tolerance = 1e-6 * size
    assert (pos[~shapely.dwithin(boundary, points, tolerance)] == -1).all()
    well_inside = shapely.contains_properly(boundary, points) & ~shapely.dwithin(
        boundary.boundary, points, tolerance
    )
    assert (pos[well_inside] >= 0).all()
    hit = np.flatnonzero(pos >= 0)
    gap = shapely.distance(grid.geometries[pos[hit]], points[hit])
    assert (gap < tolerance).all()


@PROPERTY_SETTINGS
@given(boundary=boundaries(), seed=st.integers(0, 2**32 - 1), n_seeds=st.integers(1, 30))
def test_each_point_lands_in_exactly_one_polygon_cell(
    boundary: BaseGeometry, seed: int, n_seeds: int
) -> None:
    # Official-like cells: Voronoi polygons of random seeds clipped to the boundary.
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    seeds = shapely.multipoints(
        np.column_stack([rng.uniform(minx, maxx, n_seeds), rng.uniform(miny, maxy, n_seeds)])
    )
    regions = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=boundary.envelope))
    clipped = [shapely.intersection(r, boundary) for r in regions]
    cells = [c for c in clipped if c.area > 0 and c.geom_type in ("Polygon", "MultiPolygon")]
    areas = gpd.GeoDataFrame({"area_id": range(len(cells))}, geometry=cells, crs=UTM)
    grid = grid_from_polygons(areas, boundary=boundary)
    x, y = _random_points(boundary, seed)
    _check_against_brute_force(grid, boundary, x, y)
    # Shared vertices and edges: the lowest of the touching cells.
    edges = _edge_points(grid, boundary, seed)
    pos = assign_points(grid, edges[:, 0], edges[:, 1])
    touching = _brute_force(grid, edges[:, 0], edges[:, 1])
    assert pos.tolist() == [min(found) if found else -1 for found in touching]
