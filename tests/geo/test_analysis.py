"""``geo.analysis``: the grid, bands and risk every job starts from."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.analysis import AnalysisOptions, analyse, risk_band_for
from geo.grid import make_grid
from geo.hotspots import DEFAULT_BANDS
from geo.hotspots.bands import band
from tests.districts import CRS, ORIGIN, small_district


def test_with_bands_adds_only_missing_bands() -> None:
    opts = AnalysisOptions()
    assert opts.with_bands(DEFAULT_BANDS[1]) is opts
    more = opts.with_bands(band(18, 2), band(18, 2))
    assert [b.name for b in more.bands] == ["08-16", "16-24", "00-08", "18-02"]


def test_risk_is_scored_for_an_added_band() -> None:
    analysis = analyse(small_district(), AnalysisOptions().with_bands(band(22, 6)))
    assert "22-06" in analysis.risk.band_names
    assert risk_band_for(analysis, band(22, 6)) == ("22-06", ())


def test_a_band_that_was_not_scored_is_named() -> None:
    analysis = analyse(small_district(), AnalysisOptions())
    with pytest.raises(ValueError, match="no risk for 18-02"):
        risk_band_for(analysis, band(18, 2))


def test_dates_only_data_fall_back_to_the_day_band() -> None:
    analysis = analyse(small_district(times_known=False), AnalysisOptions())
    name, notes = risk_band_for(analysis, band(18, 2))
    assert name == "day" and "day-level risk" in notes[0]


def test_every_incident_lands_in_one_cell_of_the_grid() -> None:
    analysis = analyse(small_district(), AnalysisOptions(cell_size_m=200))
    assert analysis.cell_of_incident.notna().all()
    assert len(analysis.located_incidents()) == len(analysis.district.incidents)
    assert analysis.incidents_per_cell.sum() == len(analysis.district.incidents)


@pytest.mark.parametrize(("kind", "cells"), [("square", 100), ("hex", None)])
def test_make_grid_builds_generated_cells(kind: str, cells: int | None) -> None:
    x0, y0 = ORIGIN
    grid = make_grid(box(x0, y0, x0 + 2000, y0 + 2000), crs=CRS, kind=kind, cell_size_m=200)
    if cells is not None:
        assert len(grid) == cells
    assert grid.cells.union_all().area == pytest.approx(4e6)


def test_make_grid_uses_the_official_areas_as_cells() -> None:
    x0, y0 = ORIGIN
    areas = gpd.GeoDataFrame(
        {"area_id": ["w", "e"], "name": ["West", "East"], "population": [1000.0, 2000.0]},
        geometry=[box(x0, y0, x0 + 1000, y0 + 2000), box(x0 + 1000, y0, x0 + 2000, y0 + 2000)],
        crs=CRS,
    )
    grid = make_grid(areas.union_all(), crs=CRS, kind="areas", areas=areas)
    assert sorted(grid.cells["cell_id"]) == ["e", "w"]
    square = make_grid(areas.union_all(), crs=CRS, kind="square", cell_size_m=1000, areas=areas)
    assert square.cells["population"].sum() == pytest.approx(3000.0)


def test_make_grid_areas_without_polygons_says_what_to_do() -> None:
    x0, y0 = ORIGIN
    with pytest.raises(ValueError, match="--grid square"):
        make_grid(box(x0, y0, x0 + 10, y0 + 10), crs=CRS, kind="areas")
    with pytest.raises(ValueError, match="expected one of square, hex, areas"):
        make_grid(box(x0, y0, x0 + 10, y0 + 10), crs=CRS, kind="triangle")


@pytest.mark.slow
def test_points_far_from_any_footway_are_reported_not_snapped_silently() -> None:
    import numpy as np

    from geo import sample
    from geo.analysis import FAR_SNAP_M, far_snap_note, foot_snapper

    analysis = analyse(sample.load("toronto-uoft"), AnalysisOptions())
    far: list[float] = []
    snapper = foot_snapper(analysis, far)
    assert snapper is not None
    foot = analysis.networks[next(m for m in analysis.networks if m.value == "foot")]
    on_street = (float(foot.node_x_m[0]), float(foot.node_y_m[0]))
    away = (on_street[0] + 3000.0, on_street[1])  # 3 km east of the beat's streets
    x, y = snapper(np.array([on_street[0], away[0]]), np.array([on_street[1], away[1]]))
    assert (float(x[0]), float(y[0])) == on_street
    assert len(far) == 1 and far[0] > FAR_SNAP_M
    note = far_snap_note(far)
    assert note is not None and note.startswith("1 hotspot or sector point(s) lie more than 500 m")
    assert far_snap_note([]) is None


def test_risk_comes_from_the_validated_method_unless_decay_is_asked_for() -> None:
    district = small_district(n=900)
    planned = AnalysisOptions().with_bands(band(18, 2)).for_plan("18-02", 20)
    assert planned.flagged_cells == 20 and planned.validated_bands == ("18-02", "day")
    assert planned.for_plan("16-24", 5) == planned  # numbers already set are kept
    analysis = analyse(district, planned, networks={})
    assert analysis.flag_share == pytest.approx(20 / len(analysis.grid.cells))
    choice = analysis.risk_methods["18-02"]
    assert set(analysis.risk_methods) == {"18-02"}  # only the planned band is validated
    assert choice.share == pytest.approx(analysis.flag_share)
    assert choice.note() in analysis.risk.notes
    assert choice.method in analysis.risk.notes[-1]
    fixed = analyse(district, replace(planned, risk_method="decayed"), networks={})
    assert not fixed.risk_methods and fixed.risk.params["half_life_days"] == 112.0
    assert not any(n.startswith("Risk in") for n in fixed.risk.notes)
    with pytest.raises(ValueError, match="risk_method: expected one of validated, decayed"):
        AnalysisOptions(risk_method="magic")
    with pytest.raises(ValueError, match="flagged_cells: expected at least 1"):
        AnalysisOptions(flagged_cells=0)
