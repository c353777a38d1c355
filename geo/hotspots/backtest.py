"""Rolling-origin backtest: fit up to week t, score week t + 1, for the last N weeks.

For each test week every method predicts from the incidents **before** the week starts and is
scored on the incidents inside it with hit rate, PAI and PEI* at several shares of the area
(:mod:`geo.hotspots.metrics`; hits and incidents are pooled over the weeks). The naive
last-4-weeks method is always in the table as the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots.bands import (
    DEFAULT_BANDS,
    MINUTES_PER_DAY,
    TimeBand,
    band_membership,
    bands_from_spec,
)
from geo.hotspots.blend import (
    DEFAULT_METHOD,
    ValidatedForecaster,
    cached_predict,
    default_methods,
)
from geo.hotspots.events import (
    CellLayout,
    Events,
    date_of_day,
    day_number,
    events_from_incidents,
    layout_from_cells,
)
from geo.hotspots.forecast import Forecaster, History, NaiveForecaster
from geo.hotspots.metrics import (
    DEFAULT_SHARES,
    best_hits,
    bootstrap_metric,
    bootstrap_ratio,
    hits,
    pooled_metrics,
)

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
class Comparison:
    """One method against the baseline on one metric and share, with bootstrap intervals.

    Intervals are percentile intervals from resampling the test weeks with replacement (the
    same weeks for the method and the baseline). ``verdict`` is ``"better than naive"`` when
    the ratio's interval lies above 1, ``"worse than naive"`` when it lies below 1 and
    ``"not better than naive"`` when it includes 1.
    """

    method: str
    metric: str
    share: float
    value: float
    low: float
    high: float
    ratio: float
    ratio_low: float
    ratio_high: float
    level: float

    @property
    def verdict(self) -> str:
        if not np.isfinite(self.ratio_low) or not np.isfinite(self.ratio_high):
            return "not better than naive"
        if self.ratio_low > 1:
            return "better than naive"
        if self.ratio_high < 1:
            return "worse than naive"
        return "not better than naive"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "value": _json_float(self.value),
            "interval": [_json_float(self.low), _json_float(self.high)],
            "ratio_to_baseline": _json_float(self.ratio),
            "ratio_interval": [_json_float(self.ratio_low), _json_float(self.ratio_high)],
            "verdict": self.verdict,
        }


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
    choices
        For each method that chooses by validation (:class:`ValidatedForecaster`), the method
        it used in each test week and, last, the one it picks for the week after ``until``.
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
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
            "band": self.band,
            "notes": list(self.notes),
            "choices": {
                name: {"test_weeks": list(picks[:-1]), "next_week": picks[-1]}
                for name, picks in self.choices.items()
            },
        }

    def compare(
        self,
        *,
        metric: str = "pai",
        share: float = 0.05,
        n_boot: int = 2000,
        level: float = 0.95,
        seed: int = 0,
    ) -> dict[str, Comparison]:
        """Each method's ``metric`` at ``share`` with its bootstrap interval over test weeks,
        and its ratio to the baseline with the interval of the ratio (paired bootstrap).

        Raises
        ------
        ValueError
            If ``metric`` is not ``"pai"`` or ``"pei"`` or ``share`` was not scored.
        """
        if metric not in ("pai", "pei"):
            raise ValueError(f"metric must be 'pai' or 'pei', got {metric!r}")
        if share not in self.shares:
            raise ValueError(f"share: {share!r} was not scored; expected one of {self.shares!r}")
        at = self.per_week[self.per_week["share"] == share]
        by_method = {
            name: rows.sort_values("week_start") for name, rows in at.groupby("method", sort=False)
        }
        base = by_method[self.baseline]["hits"].to_numpy(dtype=float)
        denominator_column = "incidents" if metric == "pai" else "best_hits"
        scale = 1.0 / share if metric == "pai" else 1.0
        out = {}
        for name in self.methods:
            rows = by_method[name]
            got = rows["hits"].to_numpy(dtype=float)
            value, low, high = bootstrap_metric(
                got,
                rows[denominator_column].to_numpy(dtype=float),
                scale=scale,
                n_boot=n_boot,
                level=level,
                seed=seed,
            )
            ratio, r_low, r_high = bootstrap_ratio(got, base, n_boot=n_boot, level=level, seed=seed)
            out[name] = Comparison(
                name, metric, share, value, low, high, ratio, r_low, r_high, level
            )
        return out

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


def shift_time(events: Events, band: TimeBand) -> Events:
    """Events with time counted from the start of their shift's day.

    ``day`` becomes the time since ``band.start_min`` on the incident's *shift date*, so the
    floor of it is the date the shift started: with a band crossing midnight (18-02), an
    incident at 01:00 on Tuesday belongs to Monday's shift. Test weeks, histories and
    ``until`` are then counted in shift dates, and a forecast made at an origin uses only
    incidents of shifts that started before the first shift it scores.
    """
    if band.is_full_day or band.start_min == 0:
        return events
    return replace(events, day=events.day - band.start_min / MINUTES_PER_DAY)


WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekday_of(day: np.ndarray) -> np.ndarray:
    """Day of the week (0 = Monday) of epoch-day numbers (1970-01-01 was a Thursday)."""
    return ((np.floor(np.asarray(day)) + 3) % 7).astype(np.int64)


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
    weighted: bool = False,
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
        Forecasters to compare; default :func:`geo.hotspots.blend.default_methods`. The
        naive last-4-weeks baseline is added if missing.
    shares
        Shares of area at which hit rate, PAI and PEI* are reported.
    horizon_days
        Length of a test period in days (7: weekly; 1: daily).
    weighted
        Count each incident by its ``weight`` column (forecasts and scored outcomes alike),
        e.g. after :func:`geo.hotspots.sources.apply_source_policy`; default: every incident
        counts 1.

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
        weighted=weighted,
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
    weighted: bool = False,
    weekday: int | None = None,
) -> BacktestResult:
    """:func:`run_backtest` on prepared arrays (reuse them across runs).

    ``weekday`` (0 = Monday) keeps only the shifts that start on that day of the week: each
    method then forecasts, say, Monday's 18-02 shift from earlier Mondays' 18-02 shifts, and
    each test week scores one such shift.
    """
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
        events = shift_time(events, resolved)
    label = resolved.name if resolved is not None else "day"
    if weekday is not None:
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        events = events.subset(weekday_of(events.day) == weekday)
        label = f"{label} {WEEKDAY_NAMES[weekday]}"
        if events.n == 0:
            raise ValueError(f"weekday: no incident in {label}")
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
    history = History.from_events(events, layout, weighted=weighted)
    rows = []
    predictions: dict[str, list[np.ndarray]] = {n: [] for n in names}
    outcomes = []
    for origin in origins:
        actual = history.counts(origin, origin + horizon_days)
        outcomes.append(actual)
        if actual.sum() == 0:
            notes.append(f"no incident in the test period from {date_of_day(origin).date()}")
        for method in chosen:
            predicted = cached_predict(method, history, origin, horizon_days)
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
    choices = {
        method.name: tuple(
            method.choose(history, origin_day=o, horizon_days=horizon_days).method
            for o in [*origins, end]
        )
        for method in chosen
        if isinstance(method, ValidatedForecaster)
    }
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
        band=label,
        week_starts=tuple(date_of_day(o) for o in origins),
        per_week=per_week,
        notes=tuple(notes),
        choices=choices,
    )


@dataclass(frozen=True)
class BandBacktests:
    """Backtests of the whole day and of each shift band.

    Attributes
    ----------
    results
        Band name -> :class:`BacktestResult`; ``"day"`` (every incident) first, then each band
        in the order given.
    skipped
        Band name -> why it was not backtested (no time-stamped incident in it, too short a
        history, ...).
    """

    results: Mapping[str, BacktestResult]
    skipped: Mapping[str, str] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "bands": {name: result.to_json_dict() for name, result in self.results.items()},
            "skipped": dict(self.skipped),
        }


def backtest_bands(
    events: Events,
    layout: CellLayout,
    *,
    bands: Sequence[TimeBand] = DEFAULT_BANDS,
    weekdays: bool = False,
    min_weekday_incidents: int = 100,
    **options: Any,
) -> BandBacktests:
    """:func:`backtest_events` for the whole day and, on hour-stamped data, for each band.

    Each band is forecast from its own incidents only and scored in shift dates (see
    :func:`shift_time`), so a band crossing midnight (18-02) is scored shift by shift. On
    date-only data only the day is backtested and every band is reported in ``skipped``.
    ``options`` are passed to :func:`backtest_events` (``weeks``, ``until``, ``methods``,
    ``shares``, ``horizon_days``, ``weighted``).

    With ``weekdays``, the day and each band are also backtested per day of the week
    (results named ``"16-24 Mon"``, ...) where the data support it: a weekday with fewer
    than ``min_weekday_incidents`` incidents in the band is reported in ``skipped``.
    """
    if options.get("until") is None and events.n:
        # one calendar for every band: test weeks end on the day of the latest incident
        options = {**options, "until": date_of_day(float(np.floor(events.day.max())))}
    results = {"day": backtest_events(events, layout, band=None, **options)}
    skipped: dict[str, str] = {}
    timed = bool(np.asarray(events.time_known).any())
    for b in bands:
        if b.is_full_day:
            continue
        if not timed:
            skipped[b.name] = "incidents carry dates only"
            continue
        try:
            results[b.name] = backtest_events(events, layout, band=b, **options)
        except ValueError as exc:
            skipped[b.name] = str(exc)
    if weekdays:
        for name in list(results):
            chosen = None if name == "day" else next(b for b in bands if b.name == name)
            in_band = (
                events
                if chosen is None
                else shift_time(
                    events.subset(band_membership(events.wall, events.time_known, [chosen])[:, 0]),
                    chosen,
                )
            )
            per_day = np.bincount(weekday_of(in_band.day), minlength=7)
            for k, label in enumerate(WEEKDAY_NAMES):
                key = f"{name} {label}"
                if per_day[k] < min_weekday_incidents:
                    skipped[key] = (
                        f"{int(per_day[k])} incident(s): fewer than {min_weekday_incidents} for "
                        "a per-weekday backtest"
                    )
                    continue
                try:
                    results[key] = backtest_events(
                        events, layout, band=chosen, weekday=k, **options
                    )
                except ValueError as exc:
                    skipped[key] = str(exc)
    return BandBacktests(results, skipped)


def _share_key(share: float) -> str:
    return repr(float(share))


def _pct(share: float) -> str:
    return f"{share * 100:g}%"


def _json_float(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)
