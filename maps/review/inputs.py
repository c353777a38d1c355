"""What the command line and the service both do before a plan review: put the fixes of several
track files into one table, and record the matching options used."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.review import ReviewOptions


def no_fixes() -> gpd.GeoDataFrame:
    """An empty table of fixes with the columns :func:`geo.io.tracks.read_tracks` returns."""
    return gpd.GeoDataFrame(
        {
            "unit_id": pd.Series([], dtype=object),
            "time": pd.to_datetime(pd.Series([], dtype="datetime64[ns, UTC]")),
            "source": pd.Series([], dtype=object),
            "source_row": pd.Series([], dtype="int64"),
        },
        geometry=gpd.points_from_xy([], []),
        crs="EPSG:4326",
    )


def combine_fixes(frames: Sequence[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The fixes of every track file read (:func:`geo.io.tracks.read_tracks`) as one table
    (:func:`no_fixes` when there are none)."""
    if not frames:
        return no_fixes()
    return gpd.GeoDataFrame(pd.concat(list(frames), ignore_index=True), crs=frames[0].crs)


def options_record(options: ReviewOptions) -> dict[str, Any]:
    """The matching options a review document records."""
    return {
        "visit_radius_m": options.visit_radius_m,
        "window_slack_s": options.window_slack_s,
        "min_visit_s": options.min_visit_s,
        "max_gap_s": options.max_gap_s,
        "walk_radius_m": options.walk_radius_m,
        "walk_done_share": options.walk_done_share,
    }
