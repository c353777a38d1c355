"""Small districts built in code for unit tests: no files, no street network (straight-line
travel), seeded incidents with or without a time of day."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from shapely.geometry import Point, box

from geo.district import District, district_from_layers
from geo.schema import (
    CATEGORY,
    ILLUSTRATIVE,
    INCIDENT_ID,
    OCCURRED_AT,
    SOURCE_ROW,
    STATION_ID,
    STATION_NAME,
    TIME_KNOWN,
    WEIGHT,
)

#: A 2 km x 2 km square in Toronto's UTM zone (EPSG:32617), south-west corner here.
ORIGIN = (630_000.0, 4_833_000.0)
CRS = "EPSG:32617"


def small_district(
    *,
    timezone: str = "America/Toronto",
    times_known: bool = True,
    n: int = 300,
    seed: int = 7,
    last_day: str = "2024-03-09",
    hours: tuple[int, ...] = (17, 18, 19, 20, 21, 22, 23, 0, 1),
) -> District:
    """A 2 km square district with two stations and ``n`` incidents over 8 weeks.

    Incidents cluster around three places; their local hours are drawn from ``hours``
    (all at local midnight and ``time_known`` False when ``times_known`` is False).
    """
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    outline = box(x0, y0, x0 + 2000, y0 + 2000)
    centres = np.array([[x0 + 500, y0 + 600], [x0 + 1400, y0 + 1500], [x0 + 1500, y0 + 400]])
    which = rng.integers(0, len(centres), n)
    xy = centres[which] + rng.normal(0, 120, (n, 2))
    xy = np.clip(xy, [x0 + 5, y0 + 5], [x0 + 1995, y0 + 1995])
    end = pd.Timestamp(last_day)
    days = end - pd.to_timedelta(rng.integers(0, 56, n), unit="D")
    if times_known:
        hour = rng.choice(np.array(hours), n)
        minute = rng.integers(0, 60, n)
        wall = days + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(minute, unit="min")
    else:
        wall = days
    occurred = pd.DatetimeIndex(wall).tz_localize(
        timezone, ambiguous="NaT", nonexistent="shift_forward"
    )
    keep = ~pd.isna(occurred)
    incidents = gpd.GeoDataFrame(
        {
            INCIDENT_ID: [f"i{k}" for k in range(n)],
            OCCURRED_AT: occurred,
            TIME_KNOWN: times_known,
            CATEGORY: rng.choice(["robbery", "theft", "burglary"], n),
            WEIGHT: 1.0,
            SOURCE_ROW: np.arange(1, n + 1),
        },
        geometry=[Point(p) for p in xy],
        crs=CRS,
    )[keep]
    stations = gpd.GeoDataFrame(
        {
            STATION_ID: ["north", "south"],
            STATION_NAME: ["North base", "South base"],
            ILLUSTRATIVE: [True, True],
        },
        geometry=[Point(x0 + 1000, y0 + 1800), Point(x0 + 1000, y0 + 200)],
        crs=CRS,
    )
    boundary = gpd.GeoDataFrame(geometry=[outline], crs=CRS)
    return district_from_layers(
        "Test district",
        boundary=boundary,
        incidents=incidents,
        stations=stations,
        timezone=timezone,
        crs=pyproj.CRS(CRS),
    )
