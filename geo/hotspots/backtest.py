"""Rolling-origin backtest: fit up to week t, score week t + 1, for the last N weeks.

For each test week every method predicts from the incidents **before** the week starts and is
scored on the incidents inside it with hit rate, PAI and PEI* at several shares of the area
(:mod:`geo.hotspots.metrics`; hits and incidents are pooled over the weeks). The naive
last-4-weeks method is always in the table as the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots.bands import DEFAULT_BANDS, TimeBand, band_membership, bands_from_spec
from geo.hotspots.events import (
    CellLayout,
    Events,
    date_of_day,
    day_number,
    events_from_incidents,
    layout_from_cells,
)
from geo.hotspots.forecast import (
    DEFAULT_METHOD,
    Forecaster,
    History,
    NaiveForecaster,
    default_methods,
)
from geo.hotspots.metrics import DEFAULT_SHARES, best_hits, hits, pooled_metrics

BASELINE = NaiveForecaster(4)
METRICS = ("hit_rate", "pai", "pei")


@dataclass(frozen=True)
class MethodScores:
    """Pooled metrics of one method, each keyed by share of area flagged."""

    hit_rate: Mapping[float, float]
    pai: Mapping[float, float]
    pei: Mapping[float, float]

    def metric(self, name: str) -> Mapping[float, float]:
        if name not in METRICS:
            raise ValueError(f"metric must be one of {METRICS!r}, got {name!r}")
        value: Mapping[float, float] = getattr(self, name)
        return value


@dataclass(frozen=True)
class BacktestResult:
    """Scores of every method over the test weeks.

    Attributes
    ----------
    methods
        Method name -> pooled :class:`MethodScores`, in the order run.
    baseline
        Name of the baseline method (naive last 4 weeks).
    default
        Name of the method gridpatrol uses by default.
    weeks
        Number of test weeks.
    shares
        Shares of area the metrics are given at.
    band
        Name of the time band evaluated (``"day"`` for all incidents).
    week_starts
        Local start of each test week.
    per_week
        Long table: ``method``, ``week_start``, ``share``, ``hits``, ``best_hits``,
        ``incidents``.
    notes
        What the user must be told (left-out incidents, empty weeks, ...).
    """

    methods: Mapping[str, MethodScores]
    baseline: str
    default: str
    weeks: int
    shares: tuple[float, ...]
    band: str
    week_starts: tuple[pd.Timestamp, ...]
    per_week: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    def to_json_dict(self) -> dict[str, Any]:
        """``{"methods": {name: {"hit_rate": {"0.01": x, ...}, "pai": ..., "pei": ...}},
        "baseline": name, "default": name, "weeks": n}``."""
        return {
            "methods": {
                name: {
                    metric: {
                        _share_key(s): _json_float(v) for s, v in scores.metric(metric).items()
                    }
                    for metric in METRICS
                }
                for name, scores in self.methods.items()
            },
            "baseline": self.baseline,
            "default": self.default,
            "weeks": self.weeks,
        }

    def ratio(
        self, method: str | None = None, *, metric: str = "pai", share: float = 0.05
    ) -> float:
        """``method``'s (default: the default method's) metric over the baseline's."""
        name = method or self.default
        if name not in self.methods:
            raise ValueError(
                f"method: unknown method {name!r}; expected one of {list(self.methods)!r}"
            )
        base = self.methods[self.baseline].metric(metric)[share]
        return self.methods[name].metric(metric)[share] / base if base > 0 else float("nan")

    def table_columns(self) -> tuple[str, ...]:
        """Header of :meth:`table_rows`: method, then each metric at each share."""
        cols = ["method"]
        for metric in METRICS:
            label = {"hit_rate": "hit", "pai": "PAI", "pei": "PEI*"}[metric]
            cols += [f"{label}@{_pct(s)}" for s in self.shares]
        return tuple(cols)

    def table_rows(self) -> list[tuple[str, ...]]:
        """One row of formatted strings per method; the baseline and default are marked."""
        rows = []
        for name, scores in self.methods.items():
            tags = [
                t for t, n in (("baseline", self.baseline), ("default", self.default)) if n == name
            ]
            label = f"{name} ({', '.join(tags)})" if tags else name
            row = [label]
            for metric in METRICS:
                fmt = "{:.1%}" if metric == "hit_rate" else "{:.2f}"
                row += [fmt.format(scores.metric(metric)[s]) for s in self.shares]
            rows.append(tuple(row))
        return rows

    def format_table(self) -> str:
        """The table as aligned plain text."""
        rows = [self.table_columns(), *self.table_rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            )
            for r in rows
        )


def resolve_band(band: TimeBand | str | None) -> TimeBand | None:
    """``None`` (all incidents), a :class:`TimeBand`, a default band name or ``"HH-HH"``."""
    if band is None or isinstance(band, TimeBand):
        return band
    if band in ("day", "all"):
        return None
    for b in DEFAULT_BANDS:
        if b.name == band:
            return b
    parsed = bands_from_spec(band)
    if len(parsed) != 1:
        raise ValueError(f"band: expected one band such as '16-24', got {band!r}")
    return parsed[0]


def run_backtest(
    incidents: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    weeks: int = 8,
    until: object = None,
    band: TimeBand | str | None = None,
    methods: Sequence[Forecaster] | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    horizon_days: int = 7,
) -> BacktestResult:
    """Rolling-origin backtest of forecasting methods on any incidents and grid.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and ``cell_id`` (``geo.assign``); ``time_known`` is
        needed for hourly bands.
    cells
        The grid (``cell_id``, polygons in a metric CRS). Areas come from the polygons.
    weeks
        Number of test periods, the last ones ending with ``until``.
    until
        Last day (local) of the last test period, inclusive; incidents after it are not
        used. Default: the day of the latest incident.
    band
        Time band evaluated (:func:`resolve_band`); ``None`` uses every incident.
        Date-only incidents are left out of hourly bands.
    methods
        Forecasters to compare; default :func:`geo.hotspots.forecast.default_methods`. The
        naive last-4-weeks baseline is added if missing.
    shares
        Shares of area at which hit rate, PAI and PEI* are reported.
    horizon_days
        Length of a test period in days (7: weekly; 1: daily).

    Raises
    ------
    ValueError
        If ``weeks`` or ``horizon_days`` is not positive, method names repeat, or there are no
        incidents before the first test period.
    """
    layout = layout_from_cells(cells)
    events = events_from_incidents(incidents, layout, weights=None)
    return backtest_events(
        events,
        layout,
        weeks=weeks,
        until=until,
        band=band,
        methods=methods,
        shares=shares,
        horizon_days=horizon_days,
    )


def backtest_events(
    events: Events,
    layout: CellLayout,
    *,
    weeks: int = 8,
    until: object = None,
    band: TimeBand | str | None = None,
    methods: Sequence[Forecaster] | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    horizon_days: int = 7,
) -> BacktestResult:
    """:func:`run_backtest` on prepared arrays (reuse them across runs)."""
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks!r}")
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be >= 1, got {horizon_days!r}")
    chosen = list(methods) if methods is not None else list(default_methods())
    names = [m.name for m in chosen]
    if len(set(names)) != len(names):
        raise ValueError(f"methods: names must be unique, got {names!r}")
    if BASELINE.name not in names:
        chosen.insert(0, BASELINE)
        names.insert(0, BASELINE.name)
    default = DEFAULT_METHOD.name if DEFAULT_METHOD.name in names else names[-1]
    notes = list(events.notes)
    resolved = resolve_band(band)
    if resolved is not None:
        member = band_membership(events.wall, events.time_known, [resolved])[:, 0]
        dated = int((~events.time_known).sum())
        if dated:
            notes.append(f"{dated} date-only incident(s) are left out of band {resolved.name!r}")
        events = events.subset(member)
        if events.n == 0:
            raise ValueError(
                f"band: no incident with a known time falls in band {resolved.name!r}; "
                "use band=None for date-only data"
            )
    if events.n == 0:
        raise ValueError("incidents: no incident falls in the grid")
    end = np.floor(day_number(until)) + 1.0 if until is not None else np.floor(events.day.max()) + 1
    later = int((events.day >= end).sum())
    if later:
        notes.append(f"{later} incident(s) after the last test day are not used")
    events = events.subset(events.day < end)
    origins = [end - horizon_days * (weeks - k) for k in range(weeks)]
    if not (events.day < origins[0]).any():
        raise ValueError(
            f"until/weeks: no incident before the first test period starting "
            f"{date_of_day(origins[0]).date()}; use fewer weeks or a later until"
        )
    history = History.from_events(events, layout)
    rows = []
    predictions: dict[str, list[np.ndarray]] = {n: [] for n in names}
    outcomes = []
    for origin in origins:
        actual = history.counts(origin, origin + horizon_days)
        outcomes.append(actual)
        if actual.sum() == 0:
            notes.append(f"no incident in the test period from {date_of_day(origin).date()}")
        for method in chosen:
            predicted = np.asarray(
                method.predict(history, origin_day=origin, horizon_days=horizon_days), dtype=float
            )
            if predicted.shape != (layout.n,):
                raise ValueError(
                    f"method {method.name!r} returned shape {predicted.shape}, expected "
                    f"({layout.n},)"
                )
            predictions[method.name].append(predicted)
            for share in shares:
                rows.append(
                    {
                        "method": method.name,
                        "week_start": date_of_day(origin),
                        "share": share,
                        "hits": hits(predicted, actual, layout.area_m2, share),
                        "best_hits": best_hits(actual, layout.area_m2, share),
                        "incidents": float(actual.sum()),
                    }
                )
    per_week = pd.DataFrame(rows)
    scores = {}
    for name in names:
        pooled = pooled_metrics(predictions[name], outcomes, layout.area_m2, shares)
        scores[name] = MethodScores(pooled["hit_rate"], pooled["pai"], pooled["pei"])
    return BacktestResult(
        methods=scores,
        baseline=BASELINE.name,
        default=default,
        weeks=weeks,
        shares=tuple(shares),
        band=resolved.name if resolved is not None else "day",
        week_starts=tuple(date_of_day(o) for o in origins),
        per_week=per_week,
        notes=tuple(notes),
    )


def _share_key(share: float) -> str:
    return repr(float(share))


def _pct(share: float) -> str:
    return f"{share * 100:g}%"


def _json_float(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)
