"""Time-of-day risk on the hour-stamped Toronto beat (real sample data)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.hotspots import band, compute_risk, hotspot_table, hour_profile, peak_hours
from geo.schema import CELL_ID, OCCURRED_AT, TIME_KNOWN


@pytest.fixture(scope="module")
def toronto() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    from geo.assign import assign_incidents
    from geo.grid import square_grid
    from geo.sample import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        district = load("toronto-uoft")
    grid = square_grid(district.boundary, 100.0, crs=district.crs)
    incidents = district.incidents.copy()
    incidents[CELL_ID] = assign_incidents(grid, incidents)
    return incidents, grid.cells


def test_band_risk_differs_by_band(toronto: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    incidents, cells = toronto
    assert incidents[TIME_KNOWN].all()
    risk = compute_risk(incidents, cells, half_life_days=None)
    assert risk.band_names == ("08-16", "16-24", "00-08")  # hour-stamped: no day band
    assert not any("no time of day" in n for n in risk.notes)
    wide = risk.wide()
    totals = wide.sum()
    assert len(set(totals.round(6))) == 3  # three different band totals
    # the riskiest cell at night is not the riskiest cell by day
    assert wide["00-08"].idxmax() != wide["08-16"].idxmax()
    assert (risk.frame["significance"] == "hot 99%").any()


def test_peak_hours_are_computed(toronto: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    incidents, cells = toronto
    profile = hour_profile(incidents[OCCURRED_AT], incidents[TIME_KNOWN])
    assert profile.sum() == len(incidents) and profile.shape == (24,)
    peaks = peak_hours(profile)
    assert len(peaks) == 3
    assert profile[list(peaks)].min() >= np.delete(profile, list(peaks)).max()
    night = band("22:00", "06:00")
    risk = compute_risk(incidents, cells, bands=[night], half_life_days=None)
    table = hotspot_table(risk, incidents, cells, top=5)
    hours = {h for p in table["peak_hours"] if p is not None for h in p}
    assert hours and hours <= set(night.hours())
