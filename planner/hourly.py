"""Risk per grid cell and wall-clock hour of a shift: where *and when* presence is worth most.

The band score of a cell (:mod:`geo.hotspots.risk`) says how much risk the cell carries over
the whole shift. The shift's hours share it by when incidents happen: hour ``h`` of cell ``c``
gets ``score(c) * share(c, h)`` with

.. math:: share(c, h) = \\frac{n_{ch} + k\\,P_h}{n_c + k}

where :math:`n_{ch}` counts the cell's time-known incidents (category-weighted) in clock hour
:math:`h`, :math:`n_c` their sum over the shift's hours, :math:`P_h` the district's share of
hour :math:`h` among those hours and :math:`k` a pseudo-count (a cell with few incidents follows
the district's hours). On dates-only data (the plan uses the day-level band) every hour of the
shift gets the same share. Shares sum to one over the shift, so the hourly risks of a cell sum
to its band score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.analysis import Analysis
from geo.hotspots import TimeBand
from geo.hotspots.bands import DAY_BAND_NAME, local_wall_time
from geo.hotspots.columns import SCORE
from geo.schema import CELL_ID, TIME_KNOWN, WEIGHT
from planner.presence import HOUR_S

#: Columns of :func:`hourly_risk`'s table.
HOURLY_COLUMNS = (CELL_ID, "hour_start_s", "hour", "risk")

#: Pseudo-count pulling a cell's hour shares towards the district's.
DEFAULT_PSEUDO_COUNT = 5.0


def shift_hours(start_s: int, end_s: int) -> list[int]:
    """Wall-clock hour starts (seconds) touched by ``[start_s, end_s)``."""
    first = (start_s // HOUR_S) * HOUR_S
    return list(range(first, end_s, HOUR_S))


def hourly_risk(
    analysis: Analysis,
    band_name: str,
    shift: TimeBand,
    *,
    pseudo_count: float = DEFAULT_PSEUDO_COUNT,
) -> pd.DataFrame:
    """Risk per cell and hour of ``shift``, from the band ``band_name``'s scores.

    Parameters
    ----------
    analysis
        The analysed district (risk table and located incidents).
    band_name
        The band the plan uses (the shift's own, or ``"day"`` on dates-only data).
    shift
        The shift whose hours are shared out.
    pseudo_count
        Weight of the district's hour profile in each cell's shares.

    Returns
    -------
    pandas.DataFrame
        :data:`HOURLY_COLUMNS`: one row per cell and hour of the shift (``hour_start_s`` wall
        seconds from midnight of the plan date, ``hour`` the clock hour 0–23, ``risk`` >= 0).
    """
    start_s = shift.start_min * 60
    end_s = start_s + int(round(shift.duration_h * 3600))
    hours = shift_hours(start_s, end_s)
    # Seconds of each hour inside the shift: a 07:30 start holds half of hour 7.
    inside = np.array([min(end_s, h + HOUR_S) - max(start_s, h) for h in hours], dtype=float)
    clock = [(h // HOUR_S) % 24 for h in hours]
    scores = analysis.risk.band(band_name).set_index(CELL_ID)[SCORE].astype(float)
    cells = [str(c) for c in scores.index]
    n_h = len(hours)
    uniform = inside / inside.sum()
    shares = np.tile(uniform, (len(cells), 1))
    if band_name != DAY_BAND_NAME:
        incidents = analysis.located_incidents()
        known = (
            incidents[TIME_KNOWN].fillna(False).astype(bool).to_numpy()
            if TIME_KNOWN in incidents.columns
            else np.ones(len(incidents), dtype=bool)
        )
        incidents = incidents[known]
        wall_hour = local_wall_time(incidents["occurred_at"]).dt.hour.to_numpy()
        weight = (
            incidents[WEIGHT].fillna(1.0).astype(float).to_numpy()
            if WEIGHT in incidents.columns
            else np.ones(len(incidents))
        )
        row_of = {c: i for i, c in enumerate(cells)}
        counts = np.zeros((len(cells), n_h))
        col_of: dict[int, list[int]] = {}
        for j, h in enumerate(clock):
            col_of.setdefault(h, []).append(j)
        for cell, hour, w in zip(
            incidents[CELL_ID].astype(str).to_numpy(), wall_hour, weight, strict=True
        ):
            i = row_of.get(cell)
            cols = col_of.get(int(hour))
            if i is None or not cols:
                continue
            # An hour of the clock seen twice in a 24-hour shift shares its count.
            for j in cols:
                counts[i, j] += w * inside[j] / HOUR_S / len(cols)
        district = counts.sum(axis=0)
        profile = district / district.sum() if district.sum() > 0 else uniform
        total = counts.sum(axis=1, keepdims=True)
        shares = (counts + pseudo_count * profile[None, :]) / (total + pseudo_count)
    risk = scores.to_numpy()[:, None] * shares
    rows = pd.DataFrame(
        {
            CELL_ID: np.repeat(cells, n_h),
            "hour_start_s": np.tile(np.asarray(hours, dtype=np.int64), len(cells)),
            "hour": np.tile(np.asarray(clock, dtype=np.int64), len(cells)),
            "risk": risk.ravel(),
        }
    )
    return rows.sort_values(["hour_start_s", CELL_ID], ignore_index=True)
