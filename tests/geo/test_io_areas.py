"""Tests of :func:`geo.io.read_areas`, :func:`read_boundary`, :func:`check_coverage` and
:func:`check_same_crs` on polygons built in code and on the real samples."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Polygon, box

from geo.errors import CRSMismatchError, GeoInputError, GeoInputWarning
from geo.io import check_coverage, check_same_crs, read_areas, read_boundary
from geo.sample import data_dir

# Squares of 1 km in UTM zone 10N (Portland), so areas in m² are exact.
X0, Y0 = 525_000.0, 5_040_000.0


def squares(n: int = 3, size: float = 1000.0, step: float = 1000.0) -> list[Polygon]:
    return [box(X0 + i * step, Y0, X0 + i * step + size, Y0 + size) for i in range(n)]


def grid_frame(geometries: list, **columns: list) -> gpd.GeoDataFrame:
    data = {"grid_id": [f"g{i + 1}" for i in range(len(geometries))], **columns}
    return gpd.GeoDataFrame(data, geometry=geometries, crs=32610)


def test_toronto_neighbourhoods_with_where() -> None:
    areas = read_areas(
        data_dir("toronto-uoft") / "areas_neighbourhoods_4326.geojson",
        id_field="AREA_SHORT_CODE",
        name_field="AREA_NAME",
        where=lambda frame: frame["AREA_NAME"].notna(),
    )
    assert list(areas.columns) == ["area_id", "name", "population", "geometry"]
    assert areas["area_id"].tolist() == ["170", "169", "079"]
    assert "University" in set(areas["name"])
    assert areas["population"].isna().all()
    assert areas.crs.to_epsg() == 4326


def test_toronto_bounds_box_without_where_is_a_problem() -> None:
    with pytest.raises(GeoInputError, match=r"row 4, column 'AREA_SHORT_CODE': id is missing"):
        read_areas(
            data_dir("toronto-uoft") / "areas_neighbourhoods_4326.geojson",
            id_field="AREA_SHORT_CODE",
        )


def test_portland_districts_repaired_with_a_warning() -> None:
    with pytest.warns(GeoInputWarning, match=r"repaired 2 invalid polygon\(s\).*features 27 .*35 "):
        areas = read_areas(
            data_dir("portland-central") / "portland_police_districts.zip",
            id_field="DISTRICT",
            name_field="DISTRICT",
        )
    assert len(areas) == 60 and areas["area_id"].is_unique
    assert areas.is_valid.all()
    assert areas.crs.to_epsg() == 2913


def test_round_trip_with_detected_fields(tmp_path: Path) -> None:
    frame = grid_frame(squares(), name=["A", "B", "C"], population=[1200.0, None, 30.0])
    path = tmp_path / "grid.gpkg"
    frame.to_file(path)
    areas = read_areas(path)
    assert areas["area_id"].tolist() == ["g1", "g2", "g3"]
    assert areas["name"].tolist() == ["A", "B", "C"]
    np.testing.assert_array_equal(areas["population"], [1200.0, np.nan, 30.0])
    assert areas.crs.to_epsg() == 32610
    assert check_coverage(areas) == []


def test_self_intersecting_polygon_is_repaired_and_named(tmp_path: Path) -> None:
    bowtie = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    path = tmp_path / "bad.geojson"
    grid_frame([*squares(2), bowtie]).to_crs(4326).to_file(path, driver="GeoJSON")
    with pytest.warns(GeoInputWarning, match=r"bad.geojson: repaired 1 invalid .*features 3 \("):
        areas = read_areas(path)
    assert areas.is_valid.all() and areas.geometry.iloc[2].area > 0


def test_geometry_problems_are_collected(tmp_path: Path) -> None:
    geometries = [*squares(2), LineString([(X0, Y0), (X0 + 5, Y0)]), None]
    frame = grid_frame(geometries)
    frame.loc[1, "grid_id"] = "g1"
    path = tmp_path / "mixed.gpkg"
    frame.to_file(path)
    with pytest.raises(GeoInputError) as excinfo:
        read_areas(path)
    assert [str(p) for p in excinfo.value.problems] == [
        "mixed.gpkg, row 2, column 'grid_id': duplicate id; expected unique ids "
        "(first used in row 1) (got 'g1')",
        "mixed.gpkg, row 3, column 'geometry': geometry is a Linestring; expected a Polygon "
        "or MultiPolygon",
        "mixed.gpkg, row 4, column 'geometry': geometry is missing; expected a polygon",
    ]


def test_missing_field_lists_the_fields(tmp_path: Path) -> None:
    path = tmp_path / "grid.gpkg"
    grid_frame(squares(), name=["A", "B", "C"]).to_file(path)
    with pytest.raises(GeoInputError, match=r"'pop' given as population_field.*'grid_id', 'name'"):
        read_areas(path, population_field="pop")


def test_negative_population(tmp_path: Path) -> None:
    path = tmp_path / "grid.gpkg"
    grid_frame(squares(), population=[10.0, -5.0, 3.0]).to_file(path)
    with pytest.raises(GeoInputError, match=r"row 2, column 'population': negative population"):
        read_areas(path)


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_file_without_crs_is_a_problem_but_geojson_is_4326(tmp_path: Path) -> None:
    no_crs = grid_frame(squares()).set_crs(None, allow_override=True)
    shp = tmp_path / "grid.shp"
    no_crs.to_file(shp)
    with pytest.raises(GeoInputError, match=r"grid\.shp: the file has no CRS"):
        read_areas(shp)
    lonlat = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(-122.7, 45.5, -122.6, 45.6)], crs=None)
    path = tmp_path / "plain.geojson"
    lonlat.to_file(path, driver="GeoJSON")
    assert read_areas(path).crs.to_epsg() == 4326


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(GeoInputError, match=r"empty\.geojson: the file holds no features"):
        read_areas(path)


def test_coverage_finds_overlaps_and_gaps() -> None:
    # Squares 0..1000, 900..1900 (100 m overlap) and 2000..3000 (100 m gap).
    geometries = [box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 900, Y0, X0 + 1900, Y0 + 1000)]
    geometries.append(box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000))
    areas = grid_frame(geometries).rename(columns={"grid_id": "area_id"})
    areas.attrs["source"] = "grid.gpkg"
    problems = check_coverage(areas)
    assert len(problems) == 2
    assert problems[0].message.startswith("areas 'g1' and 'g2' overlap by 100,000 m²")
    assert problems[1].message.startswith("gap of 100,000 m² not covered by any area")
    boundary = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 3000, Y0 + 2000)], crs=32610)
    gaps = [p for p in check_coverage(areas, boundary) if "gap" in p.message]
    # The 100 m strip between squares 2 and 3 joins the uncovered top half: one gap.
    assert [p.message.split(" m²")[0] for p in gaps] == ["gap of 3,100,000"]


def test_coverage_of_a_tiling_is_empty() -> None:
    areas = grid_frame(squares(4)).rename(columns={"grid_id": "area_id"})
    assert check_coverage(areas.to_crs(4326)) == []


def test_read_boundary_sample_is_valid_as_shipped() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", GeoInputWarning)
        boundary = read_boundary(data_dir("portland-central") / "boundary.geojson")
    assert len(boundary) == 1 and boundary.crs.to_epsg() == 4326
    assert boundary.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert boundary.is_valid.all()


def test_read_boundary_repairs_a_degenerate_ring(tmp_path: Path) -> None:
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    path = tmp_path / "outline.geojson"
    gpd.GeoDataFrame(geometry=[bow_tie], crs=4326).to_file(path)
    with pytest.warns(GeoInputWarning, match=r"outline.geojson: repaired 1 .*features 1 "):
        boundary = read_boundary(path)
    assert boundary.is_valid.all()
    # Repaired into its two triangles: half the unit square (areas in degrees², by shapely).
    assert sum(g.area for g in boundary.geometry) == pytest.approx(0.5)
    assert boundary.geom_type.iloc[0] in ("Polygon", "MultiPolygon")


def test_read_boundary_rejects_points(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([1.0], [2.0]), crs=4326).to_file(path)
    with pytest.raises(GeoInputError, match="row 1, column 'geometry': geometry is a Point"):
        read_boundary(path)


def test_check_same_crs_names_layers_and_fix() -> None:
    a = grid_frame(squares())
    b = a.to_crs(4326)
    check_same_crs({"areas": a, "cells": a.copy()})
    with pytest.raises(
        CRSMismatchError, match=r"areas: EPSG:32610, incidents: EPSG:4326"
    ) as excinfo:
        check_same_crs({"areas": a, "incidents": b})
    assert "reproject with .to_crs('EPSG:32610')" in str(excinfo.value.problems[1])
    with pytest.raises(CRSMismatchError, match="layer has no CRS"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_same_crs({"areas": a, "stations": a.set_crs(None, allow_override=True)})
