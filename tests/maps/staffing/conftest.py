"""Staffing results for the output tests: one written by hand (known numbers, no planner run)
and one made by :func:`planner.staffing.propose_staffing` on a small district in code."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.analysis import AnalysisOptions, analyse
from geo.hotspots import resolve_band
from planner.staffing import (
    DISTRICT,
    StaffingResult,
    StaffingRunOptions,
    WorkloadOptions,
    propose_staffing,
)
from tests.districts import CRS, ORIGIN, small_district
from tests.planner.staffing.curves import hand_result


@pytest.fixture
def result() -> StaffingResult:
    return hand_result()


@pytest.fixture
def unknown_population() -> StaffingResult:
    """The same with no population data in any area."""
    return hand_result({"a": None, "b": None})


@pytest.fixture(scope="session")
def proposed() -> StaffingResult:
    """A full run (curves, staggered shifts, roster) on the small district, in about 1 s."""
    x0, y0 = ORIGIN
    areas = gpd.GeoDataFrame(
        {"area_id": ["W", "E"], "name": ["West", "East"], "population": [4000.0, None]},
        geometry=[box(x0, y0, x0 + 1000, y0 + 2000), box(x0 + 1000, y0, x0 + 2000, y0 + 2000)],
        crs=CRS,
    )
    district = dataclasses.replace(small_district(n=120), areas=areas)
    band = resolve_band("16-24")
    assert band is not None
    analysis = analyse(district, AnalysisOptions(cell_size_m=250))
    return propose_staffing(
        analysis,
        StaffingRunOptions(
            fleets=("foot",),
            max_units=2,
            bands=(band,),
            workload=WorkloadOptions(time_limit_s=0.3, max_iterations=200),
            current={(DISTRICT, "16-24"): 0},
        ),
    )
