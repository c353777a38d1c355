"""Grids: generated square and hexagonal cells, official polygons, coverage and population."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoInputError
from geo.grid import (
    Grid,
    build_grid,
    cell_size_for_count,
    coverage_problems,
    grid_from_polygons,
    hex_edge_m,
    hex_grid,
    spread_population,
    square_grid,
)
from geo.schema import AREA_ID, CELL_ID, CELL_NAME, GRID_COLUMNS, POPULATION

UTM = 32610
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)


# --------------------------------------------------------------------------- strategies


def _mm(low: float, high: float) -> st.SearchStrategy[float]:
    """Coordinates in metres to the millimetre, as surveyed data are (GEOS overlay can fail on
    denormal-like values such as 1e-99 that hypothesis would otherwise draw)."""
    return st.integers(round(low * 1000), round(high * 1000)).map(lambda v: v / 1000)


@st.composite
def boundaries(draw: st.DrawFn) -> BaseGeometry:
    """A random convex polygon or a union of rectangles, up to 5 km across, off the origin."""
    x0 = draw(_mm(-1e5, 1e5))
    y0 = draw(_mm(4e6, 5e6))
    if draw(st.booleans()):
        n = draw(st.integers(3, 12))
        xs = draw(st.lists(_mm(0, 5000), min_size=n, max_size=n))
        ys = draw(st.lists(_mm(0, 5000), min_size=n, max_size=n))
        shape: BaseGeometry = MultiPoint(list(zip(xs, ys, strict=True))).convex_hull
    else:
        n = draw(st.integers(1, 4))
        rects = []
        for _ in range(n):
            ax, ay = draw(_mm(0, 4000)), draw(_mm(0, 4000))
            w, h = draw(_mm(200, 3000)), draw(_mm(200, 3000))
            rects.append(box(ax, ay, ax + w, ay + h))
        shape = shapely.union_all(rects)
    shape = shapely.affinity.translate(shape, x0, y0)
    if not isinstance(shape, Polygon | MultiPolygon) or shape.area < 1e4:
        shape = box(x0, y0, x0 + 1000, y0 + 700)
    return shape


def cell_sizes(boundary: BaseGeometry) -> st.SearchStrategy[float]:
    """Cell sizes giving between about 1 and 1,500 cells."""
    minx, miny, maxx, maxy = boundary.bounds
    extent = max(maxx - minx, maxy - miny)
    return _mm(extent / 40.0, extent * 1.5)


# --------------------------------------------------------------------------- square grids


def test_square_grid_of_a_2_km_square_with_1_km_cells() -> None:
    grid = square_grid(box(0, 0, 2000, 2000), 1000, crs=UTM)
    cells = grid.cells
    assert list(cells.columns) == list(GRID_COLUMNS)
    assert cells[CELL_ID].tolist() == ["S-r000-c000", "S-r000-c001", "S-r001-c000", "S-r001-c001"]
    assert cells[CELL_NAME].tolist() == ["R0 C0", "R0 C1", "R1 C0", "R1 C1"]
    assert cells.geometry.iloc[1].equals(box(1000, 0, 2000, 1000))
    assert cells.area.tolist() == [1e6] * 4
    assert cells[POPULATION].isna().all()
    assert cells[AREA_ID].isna().all()
    assert grid.kind == "square"
    assert grid.cell_size_m == 1000
    assert grid.crs.to_epsg() == UTM
    assert not grid.clipped.any()
    assert grid.lattice is not None
    assert grid.lattice.lookup.tolist() == [[0, 1], [2, 3]]


def test_square_grid_keeps_slivers_and_flags_them_clipped() -> None:
    boundary = box(0, 0, 2050, 1000)
    grid = square_grid(boundary, 1000, crs=UTM)
    assert grid.cells[CELL_ID].tolist() == ["S-r000-c000", "S-r000-c001", "S-r000-c002"]
    assert grid.cells.area.tolist() == pytest.approx([1e6, 1e6, 5e4])
    assert grid.clipped.tolist() == [False, False, True]
    assert grid.cells.union_all().equals(boundary)


def test_square_grid_drops_cells_that_only_touch_the_boundary() -> None:
    # An L shape: lattice cell (1, 1) touches it only along two edges.
    l_shape = shapely.union_all([box(0, 0, 2000, 1000), box(0, 1000, 1000, 2000)])
    grid = square_grid(l_shape, 1000, crs=UTM)
    assert grid.cells[CELL_ID].tolist() == ["S-r000-c000", "S-r000-c001", "S-r001-c000"]
    assert grid.clipped.tolist() == [False, False, False]
    assert grid.lattice is not None
    assert grid.lattice.lookup.tolist() == [[0, 1], [2, -1]]


def test_square_grid_origin_keeps_ids_stable_when_the_boundary_moves() -> None:
    grid = square_grid(box(1500, 1000, 3000, 2000), 1000, crs=UTM, origin=(0.0, 0.0))
    assert grid.cells[CELL_ID].tolist() == ["S-r001-c001", "S-r001-c002"]
    assert grid.cells.area.tolist() == pytest.approx([5e5, 1e6])
    assert grid.clipped.tolist() == [True, False]


@pytest.mark.parametrize("crs", [4326, "EPSG:4326"])
def test_generated_grids_reject_a_geographic_crs_naming_it(crs: object) -> None:
    with pytest.raises(ValueError, match=r"EPSG:4326"):
        square_grid(box(0, 0, 1, 1), 0.1, crs=crs)
    with pytest.raises(ValueError, match=r"EPSG:4326"):
        hex_grid(box(0, 0, 1, 1), 0.1, crs=crs)


@pytest.mark.parametrize("size", [0, -5, float("nan"), float("inf"), "big"])
def test_cell_size_must_be_a_positive_number(size: object) -> None:
    with pytest.raises(ValueError, match=r"cell_size_m .*got"):
        square_grid(box(0, 0, 10, 10), size, crs=UTM)  # type: ignore[arg-type]


def test_a_tiny_cell_size_is_refused_before_using_all_memory() -> None:
    with pytest.raises(ValueError, match="in metres"):
        square_grid(box(0, 0, 100_000, 100_000), 1, crs=UTM)


def test_boundary_must_be_a_valid_shapely_polygon() -> None:
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    with pytest.raises(ValueError, match="make_valid"):
        square_grid(bowtie, 1, crs=UTM)
    frame = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=UTM)
    with pytest.raises(TypeError, match="union_all"):
        square_grid(frame, 1, crs=UTM)
    with pytest.raises(TypeError, match="Point"):
        square_grid(Point(0, 0), 1, crs=UTM)


# --------------------------------------------------------------------------- hex grids


def test_hex_cells_have_the_area_of_a_square_of_cell_size() -> None:
    grid = hex_grid(Point(0, 0).buffer(3000), 400, crs=UTM)
    whole = grid.cells.area[~grid.clipped]
    assert len(whole) > 20
    assert whole.to_numpy() == pytest.approx(400.0**2)
    assert hex_edge_m(400) == pytest.approx(400 * math.sqrt(2 / (3 * math.sqrt(3))))
    # About as many hexagons as squares of the same size.
    squares = square_grid(Point(0, 0).buffer(3000), 400, crs=UTM)
    assert abs(len(grid) - len(squares)) / len(squares) < 0.1


def test_hex_ids_are_axial_coordinates_of_the_centres() -> None:
    grid = hex_grid(box(0, 0, 3000, 2000), 500, crs=UTM)
    lattice = grid.lattice
    assert lattice is not None
    edge = hex_edge_m(500)
    assert lattice.step_m == pytest.approx(edge)
    ids = grid.cells[CELL_ID]
    assert ids.is_unique
    assert ids.str.fullmatch(r"H-q\d{3}-r\d{3}").all()
    parsed = ids.str.extract(r"H-q(\d+)-r(\d+)").astype(int)
    q, r = parsed[0].to_numpy(), parsed[1].to_numpy()
    assert q.min() == 0 and r.min() == 0
    assert grid.cells[CELL_NAME].tolist() == [f"Q{a} R{b}" for a, b in zip(q, r, strict=True)]
    whole = ~grid.clipped
    centres = grid.cells.geometry[whole].centroid
    expected_x = lattice.origin_x + math.sqrt(3) * edge * (q[whole] + r[whole] / 2)
    expected_y = lattice.origin_y + 1.5 * edge * r[whole]
    assert centres.x.to_numpy() == pytest.approx(expected_x)
    assert centres.y.to_numpy() == pytest.approx(expected_y)
    assert lattice.lookup[r, q].tolist() == list(range(len(grid)))


def test_build_grid_dispatches_on_kind() -> None:
    boundary = box(0, 0, 1000, 1000)
    assert build_grid(boundary, kind="square", cell_size_m=500, crs=UTM).kind == "square"
    assert build_grid(boundary, kind="hex", cell_size_m=500, crs=UTM).kind == "hex"
    with pytest.raises(ValueError, match="'triangle'"):
        build_grid(boundary, kind="triangle", cell_size_m=500, crs=UTM)  # type: ignore[arg-type]


def test_cell_size_for_count() -> None:
    assert cell_size_for_count(box(0, 0, 1000, 1000), 100) == pytest.approx(100)
    with pytest.raises(ValueError, match="n_cells"):
        cell_size_for_count(box(0, 0, 1, 1), 0)


@PROPERTY_SETTINGS
@given(data=st.data(), kind=st.sampled_from(["square", "hex"]))
def test_generated_cells_tile_the_boundary(data: st.DataObject, kind: str) -> None:
    boundary = data.draw(boundaries())
    size = data.draw(cell_sizes(boundary))
    grid = build_grid(boundary, kind=kind, cell_size_m=size, crs=UTM)  # type: ignore[arg-type]
    areas = grid.cells.area.to_numpy()
    assert (areas > 0).all()
    assert areas.sum() == pytest.approx(boundary.area, rel=1e-6)
    # No overlaps. (Pairwise, not union_all().area: GEOS's cascaded union can drop thin
    # slivers of a valid tiling, e.g. hexagons clipped to a 10 m wide triangle.)
    left, right = grid.tree.query(grid.geometries, predicate="intersects")
    pairs = left < right
    overlaps = shapely.area(
        shapely.intersection(grid.geometries[left[pairs]], grid.geometries[right[pairs]])
    )
    assert overlaps.sum() <= 1e-6 * boundary.area
    assert grid.cells[CELL_ID].is_unique
    assert coverage_problems(grid) == []
    # Unclipped cells are whole lattice cells.
    whole = areas[~grid.clipped]
    assert whole == pytest.approx(np.full(len(whole), size**2), rel=1e-9)


# --------------------------------------------------------------------------- official polygons


def _areas(geoms: list[BaseGeometry], **columns: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=UTM)


def test_grid_from_polygons_reports_overlaps_gaps_and_outside_parts() -> None:
    areas = _areas(
        [box(0, 0, 10, 10), box(9, 0, 20, 10), box(0, 12, 20, 20), box(20, 0, 25, 20)],
        area_id=["A", "B", "C", "D"],
        name=["Alpha", None, "Gamma", "Delta"],
        population=[100, 200, np.nan, 5],
    )
    grid = grid_from_polygons(areas, boundary=box(0, 0, 20, 20))
    assert grid.kind == "polygons"
    assert grid.lattice is None
    assert grid.cells[CELL_ID].tolist() == ["A", "B", "C", "D"]
    assert grid.cells[AREA_ID].tolist() == ["A", "B", "C", "D"]
    assert grid.cells[CELL_NAME].tolist() == ["Alpha", "B", "Gamma", "Delta"]
    assert grid.cells[POPULATION].tolist()[:2] == [100, 200]
    assert math.isnan(grid.cells[POPULATION].iloc[2])
    messages = [p.message for p in grid.problems]
    assert messages == [
        "cells 'A' and 'B' overlap by 10.0 m²",
        "gap of 40.0 m² inside the boundary not covered by any cell (around x=10.0, y=11.0)",
        "cell 'D' reaches 100.0 m² outside the boundary",
    ]
    assert [p.row for p in grid.problems] == [1, None, 4]
    assert coverage_problems(grid, box(0, 0, 25, 20)) == [grid.problems[0], grid.problems[1]]


def test_grid_from_polygons_default_boundary_fills_holes() -> None:
    ring = box(0, 0, 30, 30).difference(box(10, 10, 20, 20))
    grid = grid_from_polygons(_areas([ring], area_id=[7]))
    assert grid.cells[CELL_ID].tolist() == ["7"]
    assert grid.boundary.equals(box(0, 0, 30, 30))
    assert [p.message.split(" inside")[0] for p in grid.problems] == ["gap of 100.0 m²"]
    assert grid.cell_size_m == pytest.approx(math.sqrt(800))


def test_grid_from_polygons_repairs_invalid_polygons() -> None:
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    grid = grid_from_polygons(_areas([bowtie], area_id=["X"]))
    assert grid.cells.geometry.iloc[0].is_valid
    assert grid.cells.area.iloc[0] == pytest.approx(50)


def test_grid_from_polygons_lists_every_bad_row() -> None:
    areas = _areas(
        [box(0, 0, 1, 1), Point(5, 5), box(2, 2, 3, 3), None],  # type: ignore[list-item]
        area_id=["A", "B", "A", None],
        population=[1, "many", -3, 2],
    )
    with pytest.raises(GeoInputError) as info:
        grid_from_polygons(areas)
    text = [str(p) for p in info.value.problems]
    assert text == [
        "areas, row 2, column 'geometry': expected a Polygon or MultiPolygon (got 'Point')",
        "areas, row 4, column 'area_id': missing cell id",
        "areas, row 4, column 'geometry': missing or empty geometry",
        "areas, row 3, column 'area_id': duplicate cell id (first in row 1) (got 'A')",
        "areas, row 2, column 'population': population must be a non-negative number (got 'many')",
        "areas, row 3, column 'population': population must be a non-negative number (got '-3')",
    ]


def test_grid_from_polygons_needs_the_id_column_and_a_metric_crs() -> None:
    with pytest.raises(GeoInputError, match="no id column 'code'"):
        grid_from_polygons(_areas([box(0, 0, 1, 1)], area_id=["A"]), id_field="code")
    lonlat = gpd.GeoDataFrame({"area_id": ["A"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(ValueError, match="EPSG:4326"):
        grid_from_polygons(lonlat)


# --------------------------------------------------------------------------- population


def test_spread_population_by_area_share() -> None:
    grid = square_grid(box(0, 0, 2000, 2000), 1000, crs=UTM)
    areas = _areas(
        [box(0, 0, 1000, 2000), box(500, 0, 2000, 1000), box(1000, 1000, 2000, 2000)],
        area_id=["west", "south", "unknown"],
        population=[1000, 300, np.nan],
    )
    filled = spread_population(grid, areas)
    # west: 1000 people over 2 km² -> 500 per whole cell; south: 300 over 1.5 km² -> 200/km².
    assert filled.cells[POPULATION].tolist()[:3] == pytest.approx([600.0, 200.0, 500.0])
    assert math.isnan(filled.cells[POPULATION].iloc[3])  # only an area of unknown population
    assert filled.cells[AREA_ID].tolist() == ["west", "south", "west", "unknown"]
    assert filled.lattice is grid.lattice
    assert grid.cells[POPULATION].isna().all()  # the input grid is unchanged


def test_spread_population_requires_the_grid_crs_and_columns() -> None:
    grid = square_grid(box(0, 0, 1000, 1000), 1000, crs=UTM)
    other = gpd.GeoDataFrame(
        {"area_id": ["a"], "population": [1]}, geometry=[box(0, 0, 1, 1)], crs=32611
    )
    with pytest.raises(ValueError, match=r"EPSG:32611 .*EPSG:32610.*to_crs"):
        spread_population(grid, other)
    with pytest.raises(ValueError, match=r"\['residents'\]"):
        spread_population(grid, other.set_crs(UTM, allow_override=True), "residents")


def test_grid_checks_its_invariants() -> None:
    grid = square_grid(box(0, 0, 1000, 1000), 1000, crs=UTM)
    with pytest.raises(ValueError, match="one flag per cell"):
        Grid(grid.cells, "square", 1000.0, grid.boundary, grid.lattice, np.zeros(2, dtype=bool))
