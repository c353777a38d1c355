"""Incidents and grid cells turned into the flat arrays every hotspot stage computes on.

:func:`layout_from_cells` reads the grid (ids, centroids, areas, official area ids) and
:func:`events_from_incidents` checks incidents that already carry a ``cell_id`` (from
``geo.assign``) and keeps their cell position, local time, category and weight. Both collect
every problem and raise one :class:`geo.errors.GeoInputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from geo.errors import Problem, raise_if_problems
from geo.hotspots.bands import local_wall_time
from geo.hotspots.kernel import kernel_matrix
from geo.hotspots.weights import UNKNOWN, CategoryWeights
from geo.schema import AREA_ID, CATEGORY, CELL_ID, OCCURRED_AT, TIME_KNOWN, WEIGHT

_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class CellLayout:
    """The grid as arrays, in the order of the input cells.

    Attributes
    ----------
    cell_ids
        The ``cell_id`` of each position.
    x, y
        Cell centroids in the working (metric) CRS.
    area_m2
        Cell areas in square metres.
    area_ids
        The official ``area_id`` of each cell (object array, ``None`` where missing), or
        ``None`` when the grid has no such column.
    """

    cell_ids: pd.Index
    x: np.ndarray
    y: np.ndarray
    area_m2: np.ndarray
    area_ids: np.ndarray | None
    _kernels: dict[float, sparse.csr_matrix] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def n(self) -> int:
        return len(self.cell_ids)

    def kernel(self, bandwidth_m: float) -> sparse.csr_matrix:
        """The smoothing kernel of :func:`geo.hotspots.kernel.kernel_matrix`, cached."""
        key = float(bandwidth_m)
        if key not in self._kernels:
            self._kernels[key] = kernel_matrix(self.x, self.y, key)
        return self._kernels[key]

    def positions(self, cell_ids: pd.Series) -> np.ndarray:
        """Position of each cell id in the layout, ``-1`` where it is not a cell."""
        return np.asarray(self.cell_ids.get_indexer(pd.Index(cell_ids)), dtype=np.int64)


def layout_from_cells(cells: gpd.GeoDataFrame, *, name: str = "cells") -> CellLayout:
    """Check ``cells`` and return its :class:`CellLayout`.

    Raises
    ------
    geo.errors.GeoInputError
        Listing every problem: missing ``cell_id``, duplicate ids, empty geometries, a
        geographic (degree) CRS.
    """
    problems: list[Problem] = []
    if not isinstance(cells, gpd.GeoDataFrame):
        raise TypeError(f"{name}: expected a GeoDataFrame, got {type(cells).__name__}")
    if CELL_ID not in cells.columns:
        problems.append(Problem(name, f"missing column {CELL_ID!r}", column=CELL_ID))
    elif cells[CELL_ID].duplicated().any():
        dupes = cells.loc[cells[CELL_ID].duplicated(), CELL_ID].head(5).tolist()
        problems.append(Problem(name, "cell ids must be unique", column=CELL_ID, value=str(dupes)))
    if len(cells) == 0:
        problems.append(Problem(name, "the grid has no cells"))
    if cells.crs is not None and cells.crs.is_geographic:
        problems.append(
            Problem(
                name,
                "cells are in a geographic CRS (degrees); project them to the working metric "
                "CRS first (to_crs)",
                value=cells.crs.to_string(),
            )
        )
    empty = cells.geometry.is_empty | cells.geometry.isna()
    if empty.any():
        first = int(np.flatnonzero(empty.to_numpy())[0]) + 1
        problems.append(
            Problem(
                name, f"{int(empty.sum())} cell(s) have no geometry", row=first, column="geometry"
            )
        )
    raise_if_problems(problems, f"{name} cannot be used for hotspots")
    centroids = cells.geometry.centroid
    area_ids = cells[AREA_ID].astype(object).to_numpy() if AREA_ID in cells.columns else None
    return CellLayout(
        cell_ids=pd.Index(cells[CELL_ID].to_numpy()),
        x=centroids.x.to_numpy(dtype=float),
        y=centroids.y.to_numpy(dtype=float),
        area_m2=cells.geometry.area.to_numpy(dtype=float),
        area_ids=area_ids,
    )


@dataclass(frozen=True)
class Events:
    """Incidents inside the grid as arrays (one entry per incident).

    Attributes
    ----------
    cell
        Position of the incident's cell in the :class:`CellLayout`.
    day
        Local wall-clock time in days since 1970-01-01 (fractional; date-only incidents sit
        at midnight).
    time_known
        False where the source gave a date without a time of day.
    wall
        Local wall-clock timestamps (tz dropped), for bands and calendars.
    category
        Canonical category (see :mod:`geo.hotspots.weights`).
    weight
        Category weight times the incident's own ``weight`` column (1 when absent).
    xy
        Incident coordinates ``(n, 2)`` in the working CRS, or ``None`` without geometry.
    notes
        What was dropped or assumed, for the user.
    unknown_categories
        Source category names that got the default weight.
    """

    cell: np.ndarray
    day: np.ndarray
    time_known: np.ndarray
    wall: pd.Series
    category: np.ndarray
    weight: np.ndarray
    xy: np.ndarray | None
    notes: tuple[str, ...]
    unknown_categories: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.cell)

    def subset(self, mask: np.ndarray) -> Events:
        """The events where ``mask`` is True."""
        return Events(
            cell=self.cell[mask],
            day=self.day[mask],
            time_known=self.time_known[mask],
            wall=self.wall[mask].reset_index(drop=True),
            category=self.category[mask],
            weight=self.weight[mask],
            xy=None if self.xy is None else self.xy[mask],
            notes=self.notes,
            unknown_categories=self.unknown_categories,
        )


def events_from_incidents(
    incidents: pd.DataFrame,
    layout: CellLayout,
    *,
    weights: CategoryWeights | None = None,
    cell_column: str = CELL_ID,
    name: str = "incidents",
) -> Events:
    """Check incidents carrying a cell id and return them as :class:`Events`.

    Parameters
    ----------
    incidents
        A (Geo)DataFrame with ``occurred_at`` (tz-aware local time, or naive local time),
        ``cell_column``, and optionally ``category``, ``time_known`` and ``weight``.
    layout
        The grid, from :func:`layout_from_cells`.
    weights
        Category weights; ``None`` gives every incident weight 1 (times its ``weight``).
    cell_column
        The column holding each incident's cell id (``geo.assign.assign_incidents``).

    Notes
    -----
    Incidents with no cell id, or a cell id not in the grid, are dropped and counted in
    :attr:`Events.notes`. Without a ``time_known`` column, times are taken as known unless
    every timestamp is exactly midnight (then the data are taken as date-only).
    """
    problems: list[Problem] = []
    for column in (OCCURRED_AT, cell_column):
        if column not in incidents.columns:
            problems.append(Problem(name, f"missing column {column!r}", column=column))
    raise_if_problems(problems, f"{name} cannot be used for hotspots")
    occurred = incidents[OCCURRED_AT]
    if not pd.api.types.is_datetime64_any_dtype(occurred.dtype):
        problems.append(
            Problem(
                name,
                "expected datetimes (local time); parse them first (geo.io.read_incidents)",
                column=OCCURRED_AT,
                value=str(occurred.dtype),
            )
        )
    elif occurred.isna().any():
        row = int(np.flatnonzero(occurred.isna().to_numpy())[0]) + 1
        problems.append(
            Problem(
                name, f"{int(occurred.isna().sum())} missing time(s)", row=row, column=OCCURRED_AT
            )
        )
    if WEIGHT in incidents.columns:
        w_in = pd.to_numeric(incidents[WEIGHT], errors="coerce")
        bad = ~np.isfinite(w_in.to_numpy(dtype=float)) | (w_in.to_numpy(dtype=float) < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            problems.append(
                Problem(
                    name,
                    "weights must be finite numbers >= 0",
                    row=row,
                    column=WEIGHT,
                    value=str(incidents[WEIGHT].iloc[row - 1]),
                )
            )
    raise_if_problems(problems, f"{name} cannot be used for hotspots")

    notes: list[str] = []
    wall = local_wall_time(occurred).reset_index(drop=True)
    if TIME_KNOWN in incidents.columns:
        known = incidents[TIME_KNOWN].fillna(False).to_numpy(dtype=bool)
    else:
        midnight = (wall.dt.hour == 0) & (wall.dt.minute == 0) & (wall.dt.second == 0)
        all_midnight = bool(midnight.all())
        known = np.full(len(wall), not all_midnight)
        notes.append(
            f"no {TIME_KNOWN!r} column: "
            + (
                "every time is midnight, taken as date-only"
                if all_midnight
                else "times taken as known"
            )
        )
    cell = layout.positions(incidents[cell_column])
    outside = cell < 0
    if outside.any():
        notes.append(
            f"{int(outside.sum())} of {len(cell)} incident(s) have no cell in the grid and are "
            "left out"
        )
    if CATEGORY in incidents.columns:
        cats = incidents[CATEGORY].reset_index(drop=True)
    else:
        cats = pd.Series([None] * len(incidents), dtype=object)
        notes.append(f"no {CATEGORY!r} column: every incident is of an unknown category")
    if weights is None:
        canon = CategoryWeights().canonical(cats).to_numpy()
        w = np.ones(len(cats))
        unknown: tuple[str, ...] = ()
    else:
        canon = weights.canonical(cats).to_numpy()
        w, unknown = weights.weigh(cats)
        if unknown:
            count = int((canon == UNKNOWN).sum())
            notes.append(
                f"{count} incident(s) of unrecognised categories {list(unknown)!r} get the "
                f"default weight {weights.default_weight:g}"
            )
    if WEIGHT in incidents.columns:
        w = w * pd.to_numeric(incidents[WEIGHT]).to_numpy(dtype=float)
    xy = None
    if isinstance(incidents, gpd.GeoDataFrame) and incidents.geometry.name in incidents.columns:
        geom = incidents.geometry
        if not (geom.geom_type == "Point").all():
            geom = geom.representative_point()
        xy = np.column_stack([geom.x.to_numpy(dtype=float), geom.y.to_numpy(dtype=float)])
    day = ((wall - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    keep = ~outside
    events = Events(
        cell=cell,
        day=day,
        time_known=known,
        wall=wall,
        category=canon,
        weight=np.asarray(w, dtype=float),
        xy=xy,
        notes=tuple(notes),
        unknown_categories=unknown,
    )
    return events.subset(keep) if outside.any() else events


def day_number(when: object) -> float:
    """Local wall-clock time ``when`` (date string, date, naive or tz-aware) in epoch days."""
    ts = pd.Timestamp(when)  # type: ignore[arg-type]
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return float((ts - _EPOCH) / pd.Timedelta(days=1))


def date_of_day(day: float) -> pd.Timestamp:
    """The local wall-clock timestamp of an epoch-day number."""
    return _EPOCH + pd.Timedelta(days=day)
