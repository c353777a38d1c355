"""Tests of :func:`geo.io.read_stations` on the samples and on bad files built in code."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from geo.errors import GeoInputError
from geo.io import read_stations
from geo.sample import data_dir


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stations.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_portland_stations_sample() -> None:
    stations = read_stations(data_dir("portland-central") / "stations.csv")
    assert list(stations.columns) == ["station_id", "name", "illustrative", "note", "geometry"]
    assert stations["station_id"].tolist() == ["central", "lloyd", "hawthorne"]
    assert stations["illustrative"].tolist() == [False, True, True]
    assert stations.geometry.iloc[0].y == pytest.approx(45.5146)
    assert stations.crs.to_epsg() == 4326


def test_minimal_csv_defaults(tmp_path: Path) -> None:
    stations = read_stations(write(tmp_path, "station_id,lat,lon\n7,31.23,121.47\n"))
    assert stations["station_id"].tolist() == ["7"]
    assert stations["name"].tolist() == ["7"]
    assert stations["illustrative"].tolist() == [False]


def test_every_problem_is_reported(tmp_path: Path) -> None:
    text = (
        "station_id,name,lat,lon,illustrative\n"
        "a,A,45.5,-122.6,maybe\n"
        "a,B,45.5,-122.6,true\n"
        ",C,-122.6,45.5,false\n"
    )
    with pytest.raises(GeoInputError) as excinfo:
        read_stations(write(tmp_path, text))
    found = [str(p) for p in excinfo.value.problems]
    assert found[0] == (
        "stations.csv, row 1, column 'illustrative': not a yes/no value; expected true or "
        "false (got 'maybe')"
    )
    assert found[1].startswith("stations.csv, row 2, column 'station_id': duplicate id")
    assert found[2].startswith("stations.csv, row 3, column 'station_id': station_id is missing")
    assert "row 3, column 'lat': latitude and longitude look swapped" in found[3]


def test_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(
        GeoInputError,
        match=r"no station_id column: expected one named station_id, id.*; "
        r"columns are: 'name', 'x'",
    ):
        read_stations(write(tmp_path, "name,x\nA,1\n"))


def test_geojson_stations(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"station_id": ["s1"], "name": ["Base"], "illustrative": [True]},
        geometry=gpd.points_from_xy([116.4], [39.9]),
        crs=4326,
    ).to_crs(32650)
    path = tmp_path / "stations.gpkg"
    frame.to_file(path)
    stations = read_stations(path)
    assert stations["illustrative"].tolist() == [True]
    assert stations.geometry.iloc[0].x == pytest.approx(116.4)
