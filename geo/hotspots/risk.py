"""Risk per cell and time band: category-weighted, time-decayed counts, optionally smoothed.

The score of cell :math:`c` in band :math:`b` at reference time :math:`T` is

.. math:: r_{cb} = \\sum_{i \\in c,\\ i \\in b,\\ t_i \\le T} w_{k(i)}\\, v_i\\, 2^{-(T - t_i)/h}

with :math:`w_k` the category weight, :math:`v_i` the incident's own weight and :math:`h` the
half-life in days. Smoothing spreads each cell's score over neighbouring centroids with a
Gaussian kernel of bandwidth :math:`\\sigma` metres (mass-preserving). :func:`compute_risk`
adds Getis-Ord Gi* per band (:mod:`geo.hotspots.gistar`) and returns a :class:`RiskTable`.

Date-only incidents (``time_known`` False) are never put in an hourly band. ``date_only``
says what happens to them, and the choice is reported in :attr:`RiskTable.notes`:

- ``"day"`` (default): bands count time-known incidents only, and a full-day band ``"day"``
  counting every incident is added whenever there are date-only incidents.
- ``"spread"``: each date-only incident counts in every band by the band's share of the day
  (its day-level risk spread evenly over the hours).
- ``"exclude"``: date-only incidents are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from geo.hotspots.bands import DAY_BAND, DEFAULT_BANDS, TimeBand, band_membership, check_bands
from geo.hotspots.columns import BAND, COUNT, GI_P, GI_Z, RANK, SCORE, SIGNIFICANCE
from geo.hotspots.events import (
    CellLayout,
    Events,
    date_of_day,
    day_number,
    events_from_incidents,
    layout_from_cells,
)
from geo.hotspots.gistar import (
    Neighbours,
    gi_star,
    gi_star_permutation,
    significance_classes,
    spatial_weights,
)
from geo.hotspots.kernel import kernel_matrix, smooth  # noqa: F401 (re-exported)
from geo.hotspots.weights import CategoryWeights
from geo.schema import CELL_ID

if TYPE_CHECKING:
    from geo.hotspots.choice import MethodChoice

DateOnly = Literal["day", "spread", "exclude"]
RiskMethod = Literal["validated", "decayed"]
#: Half-life of the decay in days, shared with the default forecaster (see forecast.py).
DEFAULT_HALF_LIFE_DAYS = 112.0


def decay_weights(age_days: np.ndarray, half_life_days: float | None) -> np.ndarray:
    """Exponential decay ``0.5 ** (age / half_life)``; an incident one half-life old weighs 0.5.

    ``half_life_days=None`` means no decay (every weight 1). Negative ages (incidents after
    the reference time) weigh 0.
    """
    age = np.asarray(age_days, dtype=float)
    if half_life_days is None:
        return np.where(age >= 0, 1.0, 0.0)
    if not (np.isfinite(half_life_days) and half_life_days > 0):
        raise ValueError(
            f"half_life_days must be a positive number of days, got {half_life_days!r}"
        )
    return np.where(age >= 0, np.exp2(-np.maximum(age, 0.0) / half_life_days), 0.0)


def band_scores(
    events: Events,
    n_cells: int,
    bands: Sequence[TimeBand],
    *,
    at_day: float,
    half_life_days: float | None,
    date_only: DateOnly = "day",
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and unweighted counts, each ``(n_cells, n_bands)``, before smoothing.

    Incidents after ``at_day`` (epoch days, local) are ignored.
    """
    if date_only not in ("day", "spread", "exclude"):
        raise ValueError(f"date_only must be 'day', 'spread' or 'exclude', got {date_only!r}")
    member = band_membership(events.wall, events.time_known, bands).astype(float)
    if date_only == "spread":
        share = np.array([b.duration_h / 24.0 for b in bands])
        dated = ~events.time_known
        member[dated] = np.where([b.is_full_day for b in bands], 1.0, share)[None, :]
    past = events.day <= at_day
    w = events.weight * decay_weights(at_day - events.day, half_life_days) * past
    scores = np.zeros((n_cells, len(bands)))
    counts = np.zeros((n_cells, len(bands)))
    for k in range(len(bands)):
        scores[:, k] = np.bincount(events.cell, weights=w * member[:, k], minlength=n_cells)
        counts[:, k] = np.bincount(events.cell, weights=past * member[:, k], minlength=n_cells)
    return scores, counts


@dataclass(frozen=True)
class RiskTable:
    """Risk per cell and band.

    Attributes
    ----------
    frame
        One row per (cell, band): ``cell_id``, ``band``, ``score``, ``rank`` (1 = highest in
        its band; ties share the best rank), ``gi_z``, ``gi_p`` (two-sided),
        ``significance`` and ``count`` (incidents behind the score, unweighted,
        before smoothing; fractional under ``date_only="spread"``).
    bands
        The bands scored, in order (including an added full-day band).
    at
        Reference time of the decay (local wall clock).
    notes
        What the user must be told: date-only handling, dropped incidents, unknown categories.
    params
        The settings used, for reports.
    methods
        Band name -> the forecasting method behind its scores and how it validated
        (``method="validated"``); empty for the fixed decayed counts.
    """

    frame: pd.DataFrame
    bands: tuple[TimeBand, ...]
    at: pd.Timestamp
    notes: tuple[str, ...] = ()
    params: dict[str, object] = field(default_factory=dict)
    methods: Mapping[str, MethodChoice] = field(default_factory=dict)

    @property
    def band_names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.bands)

    def band(self, name: str) -> pd.DataFrame:
        """Rows of band ``name``, ordered by rank."""
        if name not in self.band_names:
            raise ValueError(f"band: unknown band {name!r}; expected one of {self.band_names!r}")
        rows = self.frame[self.frame[BAND] == name]
        return rows.sort_values([RANK, CELL_ID], kind="stable").reset_index(drop=True)

    def wide(self, column: str = SCORE) -> pd.DataFrame:
        """``column`` as a cells x bands table."""
        return self.frame.pivot(index=CELL_ID, columns=BAND, values=column)[list(self.band_names)]


def compute_risk(
    incidents: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    bands: Sequence[TimeBand] = DEFAULT_BANDS,
    at: object = None,
    weights: CategoryWeights | None = None,
    half_life_days: float | None = DEFAULT_HALF_LIFE_DAYS,
    bandwidth_m: float | None = None,
    neighbours: Neighbours = None,
    fdr: bool = False,
    permutations: int = 0,
    date_only: DateOnly = "day",
    seed: int = 0,
    method: RiskMethod = "decayed",
    flag_share: float | None = None,
    validate: Sequence[str] | None = None,
) -> RiskTable:
    """Score every cell in every band and test for Gi* hot and cold spots.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at``, ``cell_id`` (from ``geo.assign``) and optionally
        ``category``, ``time_known``, ``weight``.
    cells
        The grid (``cell_id``, geometry; metric CRS).
    bands
        Time bands (default: the three shifts 08–16, 16–24, 00–08).
    at
        Reference time for the decay (local; date string, Timestamp). Default: the end of the
        day of the latest incident. Incidents after it are ignored.
    weights
        Category weights (default: :class:`~geo.hotspots.weights.CategoryWeights`).
    half_life_days
        Half-life of the decay in days; ``None`` for plain weighted counts.
    bandwidth_m
        Gaussian smoothing bandwidth over cell centroids in metres; ``None`` for none.
    neighbours
        Gi* weights: distance band in metres, ``"queen"``, ``"rook"`` or ``None`` (see
        :func:`~geo.hotspots.gistar.spatial_weights`).
    fdr
        Classify significance with Benjamini–Hochberg false-discovery-rate control.
    permutations
        0 (default) for analytic z-scores; otherwise esda conditional permutations.
    date_only
        ``"day"``, ``"spread"`` or ``"exclude"`` (module docstring).
    seed
        Seed of the permutations.
    method
        ``"decayed"`` (the formula above) or ``"validated"``: each band's scores come from
        the method chosen by validation on the district's own earlier weeks at
        ``flag_share`` of the area (:mod:`geo.hotspots.choice`), scaled to the band's total
        decayed count so scores keep their size; what was chosen is in
        :attr:`RiskTable.methods` and the notes.
    flag_share
        Share of the area the user flags (plans with), for ``"validated"`` (default 5 %).
    validate
        Names of the bands ``"validated"`` applies to (default: every band); the others keep
        the decayed counts (the planner validates only the band it plans on).
    """
    layout = layout_from_cells(cells)
    table = weights if weights is not None else CategoryWeights()
    events = events_from_incidents(incidents, layout, weights=table)
    return risk_from_events(
        events,
        layout,
        cells.geometry,
        bands=bands,
        at=at,
        half_life_days=half_life_days,
        bandwidth_m=bandwidth_m,
        neighbours=neighbours,
        fdr=fdr,
        permutations=permutations,
        date_only=date_only,
        seed=seed,
        method=method,
        flag_share=flag_share,
        validate=validate,
    )


def risk_from_events(
    events: Events,
    layout: CellLayout,
    geometry: gpd.GeoSeries,
    *,
    bands: Sequence[TimeBand] = DEFAULT_BANDS,
    at: object = None,
    half_life_days: float | None = DEFAULT_HALF_LIFE_DAYS,
    bandwidth_m: float | None = None,
    neighbours: Neighbours = None,
    fdr: bool = False,
    permutations: int = 0,
    date_only: DateOnly = "day",
    seed: int = 0,
    w: sparse.spmatrix | None = None,
    method: RiskMethod = "decayed",
    flag_share: float | None = None,
    validate: Sequence[str] | None = None,
) -> RiskTable:
    """:func:`compute_risk` on prepared arrays (``w``: precomputed Gi* weights, optional)."""
    if method not in ("validated", "decayed"):
        raise ValueError(f"method must be 'validated' or 'decayed', got {method!r}")
    used = list(check_bands(bands))
    notes = list(events.notes)
    n_dated = int((~events.time_known).sum())
    if n_dated:
        if date_only == "day":
            if not any(b.is_full_day for b in used):
                used.append(DAY_BAND)
            notes.append(
                f"{n_dated} of {events.n} incident(s) have a date but no time of day: they are "
                "left out of the hourly bands and counted in the full-day band 'day' "
                "(day-level risk)"
            )
        elif date_only == "spread":
            notes.append(
                f"{n_dated} of {events.n} incident(s) have a date but no time of day: each "
                "counts in every band by the band's share of the day (day-level risk spread "
                "evenly over the hours)"
            )
        else:
            notes.append(
                f"{n_dated} of {events.n} incident(s) have a date but no time of day: they are "
                "left out of the hourly bands"
            )
        if n_dated == events.n:
            notes.append("no incident has a time of day: risk is per day, not per hour")
    if at is None:
        at_day = float(np.floor(events.day.max()) + 1.0) if events.n else 0.0
    else:
        at_day = day_number(at)
    n_future = int((events.day > at_day).sum())
    if n_future:
        notes.append(f"{n_future} incident(s) after the reference time are ignored")
    scores, counts = band_scores(
        events,
        layout.n,
        used,
        at_day=at_day,
        half_life_days=half_life_days,
        date_only=date_only,
    )
    methods: dict[str, MethodChoice] = {}
    if method == "validated":
        from geo.hotspots.choice import DEFAULT_FLAG_SHARE, validated_band_risk

        for k, b in enumerate(used):
            if validate is not None and b.name not in validate:
                continue
            chosen, methods[b.name] = validated_band_risk(
                events,
                layout,
                b,
                at_day=at_day,
                share=flag_share if flag_share is not None else DEFAULT_FLAG_SHARE,
                half_life_days=half_life_days,
                date_only=date_only,
            )
            total = float(chosen.sum())
            if total > 0:
                # the chosen method's order at the decayed count's size; cells it cannot tell
                # apart (a naive count's zeros) keep the decayed order
                decayed = scores[:, k]
                scores[:, k] = chosen * (decayed.sum() / total) + 1e-9 * decayed
                notes.append(methods[b.name].note())
    if bandwidth_m is not None:
        scores = smooth(scores, layout.kernel(bandwidth_m))
    weights_matrix = (
        w if w is not None else spatial_weights(geometry, layout.x, layout.y, neighbours)
    )
    if layout.n < 2:
        # Gi* compares a cell with its neighbours: a one-cell district (a small police
        # district planned on its own) is ranked by its score, and nothing is significant
        z = np.zeros_like(scores)
        p = np.ones_like(scores)
        notes.append(
            f"Gi* significance needs at least 2 grid cells and this district has {layout.n}: "
            "cells are ranked by risk score alone, none is marked significant"
        )
    elif permutations > 0:
        pairs = [
            gi_star_permutation(scores[:, k], weights_matrix, permutations, seed)
            for k in range(len(used))
        ]
        z = np.column_stack([pz for pz, _ in pairs])
        p = np.column_stack([pp for _, pp in pairs])
    else:
        z, p = gi_star(scores, weights_matrix)
    frames = []
    for k, b in enumerate(used):
        score = scores[:, k]
        frames.append(
            pd.DataFrame(
                {
                    CELL_ID: layout.cell_ids,
                    BAND: b.name,
                    SCORE: score,
                    RANK: pd.Series(score)
                    .rank(method="min", ascending=False)
                    .astype(int)
                    .to_numpy(),
                    GI_Z: z[:, k],
                    GI_P: p[:, k],
                    SIGNIFICANCE: significance_classes(z[:, k], p[:, k], fdr=fdr),
                    COUNT: counts[:, k],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    params: dict[str, object] = {
        "half_life_days": half_life_days,
        "bandwidth_m": bandwidth_m,
        "neighbours": "1.5 x cell side" if neighbours is None else neighbours,
        "fdr": fdr,
        "permutations": permutations,
        "date_only": date_only,
        "method": method,
    }
    if methods:
        params["methods"] = {name: c.method for name, c in methods.items()}
    return RiskTable(
        frame=frame,
        bands=tuple(used),
        at=date_of_day(at_day),
        notes=tuple(notes),
        params=params,
        methods=methods,
    )
