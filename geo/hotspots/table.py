"""The hotspot table a planner works from: one row per top cell and band.

Each row has the cell's score, rank and Gi* significance from a :class:`RiskTable`, its
incident counts by category, its peak hours (from time-known incidents only; ``None`` when
there are none) and a representative point where a patrol should stop: the weighted medoid
of the cell's incidents in the band (the incident with the least weighted distance to the
others), or the cell centroid when it has none. An optional ``snap`` callable (for example
to the foot street network) moves the points; it takes and returns ``x, y`` arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots.bands import band_membership, hour_profile, peak_hours
from geo.hotspots.columns import (
    BAND,
    COUNT_PREFIX,
    PATROL_SHARE,
    PEAK_HOURS,
    RANK,
    REP_X,
    REP_Y,
    SCORE,
    SNAPPED,
)
from geo.hotspots.events import day_number, events_from_incidents, layout_from_cells
from geo.hotspots.risk import RiskTable
from geo.hotspots.sources import patrol_share
from geo.hotspots.weights import CategoryWeights
from geo.schema import CELL_ID, REPORTED_BY

Snap = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: Above this many incidents in one cell, the medoid is approximated by the incident
#: nearest the weighted mean (the exact medoid costs O(m^2)).
MEDOID_EXACT_MAX = 1500


def weighted_medoid(xy: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The point of ``xy`` minimising the weighted sum of distances to all the others."""
    pts = np.asarray(xy, dtype=float)
    w = np.asarray(weight, dtype=float)
    if len(pts) == 0:
        raise ValueError("weighted_medoid needs at least one point, got none")
    if len(pts) > MEDOID_EXACT_MAX:
        mean = (pts * w[:, None]).sum(axis=0) / max(w.sum(), 1e-12)
        return pts[np.argmin(((pts - mean) ** 2).sum(axis=1))]
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2))
    return pts[np.argmin(dist @ w)]


def hotspot_table(
    risk: RiskTable,
    incidents: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    band: str | None = None,
    top: int | None = 20,
    snap: Snap | None = None,
    weights: CategoryWeights | None = None,
) -> gpd.GeoDataFrame:
    """Top cells per band with what a patrol planner needs.

    Parameters
    ----------
    risk
        From :func:`geo.hotspots.risk.compute_risk` on the same incidents and cells.
    incidents, cells
        As given to :func:`~geo.hotspots.risk.compute_risk`.
    band
        One band name; ``None`` for every band of ``risk``.
    top
        Rows per band (by rank); ``None`` for every cell with a positive score.
    snap
        ``snap(x, y) -> (x, y)`` applied to the representative points.
    weights
        Category weights for the medoid (default table).

    Returns
    -------
    GeoDataFrame (point geometry = representative point, CRS of ``cells``) with ``cell_id``,
    ``band``, ``score``, ``rank``, ``gi_z``, ``gi_p``, ``significance``, ``count``, one
    ``n_<category>`` column per category present, ``peak_hours`` (tuple of up to 3 local
    hours, busiest first, or ``None``), ``rep_x``, ``rep_y`` and ``snapped``; with a
    ``reported_by`` column in ``incidents`` also ``patrol_share``, the share of the cell's
    incidents that patrols found (:mod:`geo.hotspots.sources`).
    """
    if top is not None and top < 1:
        raise ValueError(f"top must be >= 1 or None, got {top!r}")
    names = risk.band_names if band is None else (band,)
    for name in names:
        if name not in risk.band_names:
            raise ValueError(f"band: unknown band {name!r}; expected one of {risk.band_names!r}")
    layout = layout_from_cells(cells)
    events = events_from_incidents(
        incidents, layout, weights=weights if weights is not None else CategoryWeights()
    )
    events = events.subset(events.day <= day_number(risk.at))
    bands = [b for b in risk.bands if b.name in names]
    member = band_membership(events.wall, events.time_known, bands)
    categories = sorted(set(events.category))
    by_cell = np.argsort(events.cell, kind="stable")
    bounds = np.searchsorted(events.cell[by_cell], np.arange(layout.n + 1))
    parts = []
    for k, b in enumerate(bands):
        rows = risk.band(b.name)
        rows = rows[rows[SCORE] > 0] if top is None else rows.head(top)
        rows = rows.copy()
        pos = layout.positions(rows[CELL_ID])
        in_band = member[:, k]
        counts = {c: np.zeros(len(rows), dtype=int) for c in categories}
        peaks: list[tuple[int, ...] | None] = []
        rep = np.column_stack([layout.x[pos], layout.y[pos]])
        for i, p in enumerate(pos):
            idx = by_cell[bounds[p] : bounds[p + 1]]
            mine = idx[in_band[idx]]
            for c in categories:
                counts[c][i] = int((events.category[mine] == c).sum())
            known = mine[events.time_known[mine]]
            profile = hour_profile(events.wall.iloc[known], np.ones(len(known), dtype=bool))
            if b.is_full_day:
                allowed = profile
            else:
                allowed = np.zeros(24)
                allowed[list(b.hours())] = profile[list(b.hours())]
            found = peak_hours(allowed)
            peaks.append(found if found else None)
            if events.xy is not None and len(mine):
                rep[i] = weighted_medoid(events.xy[mine], events.weight[mine])
        for c in categories:
            rows[f"{COUNT_PREFIX}{c}"] = counts[c]
        if REPORTED_BY in incidents.columns:
            rows[PATROL_SHARE] = patrol_share(incidents, rows[CELL_ID]).to_numpy()
        rows[PEAK_HOURS] = pd.Series(peaks, index=rows.index, dtype=object)
        x, y = rep[:, 0], rep[:, 1]
        snapped = False
        if snap is not None and len(rows):
            sx, sy = snap(x.copy(), y.copy())
            x, y = np.asarray(sx, dtype=float), np.asarray(sy, dtype=float)
            if x.shape != (len(rows),) or y.shape != (len(rows),):
                raise ValueError(
                    f"snap must return two arrays of {len(rows)} coordinates, got shapes "
                    f"{x.shape} and {y.shape}"
                )
            snapped = True
        rows[REP_X] = x
        rows[REP_Y] = y
        rows[SNAPPED] = snapped
        parts.append(rows)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    frame = frame.sort_values([BAND, RANK], kind="stable", key=_band_order(names))
    frame = frame.reset_index(drop=True)
    geometry = gpd.points_from_xy(frame[REP_X], frame[REP_Y], crs=cells.crs)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=cells.crs)


def _band_order(names: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    order = {n: i for i, n in enumerate(names)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == BAND else column

    return key
