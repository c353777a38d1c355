"""The risk a plan uses, from the method chosen by validation on the district's own weeks.

For each band, :func:`validated_band_risk` takes the band's incidents before the reference
day (counted in shift dates, :func:`geo.hotspots.backtest.shift_time`), lets
:class:`~geo.hotspots.blend.ValidatedForecaster` score its candidates on the 4 weeks before
the reference day at the share of the area the user plans with, and forecasts the coming week
with the best. The weeks being planned are never seen: they come after the reference day.
With too little history (or too few incidents in the validation weeks) the best simple method,
decayed counts, is used, and :class:`MethodChoice` says so. The validation PAI of the chosen
method comes with a bootstrap interval over the validation weeks and its ratio to the naive
4-week count.

Work is bounded: on grids or histories beyond :data:`HEAVY_MAX_CELLS` /
:data:`HEAVY_MAX_INCIDENTS` the learners (ETAS, the blend) are left out of the candidates (a
rule on sizes, so the choice stays deterministic), and a result is kept per (incidents,
grid, band, options) in memory and on disk (:mod:`geo.hotspots.riskcache`, keyed by content
and code version) so planning the same district again, in this process or the next, does not
validate again.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from geo.hotspots.backtest import shift_time
from geo.hotspots.bands import TimeBand, band_membership
from geo.hotspots.blend import (
    BlendForecaster,
    ValidatedForecaster,
    _default_candidates,
    cached_predict,
)
from geo.hotspots.events import CellLayout, Events, date_of_day
from geo.hotspots.forecast import (
    DecayForecaster,
    ETASForecaster,
    Forecaster,
    History,
    NaiveForecaster,
)
from geo.hotspots.metrics import bootstrap_metric, bootstrap_ratio
from geo.hotspots.riskcache import RiskCacheWarning, default_risk_cache

#: How the planner's risk is made: chosen by validation, or the fixed decayed counts.
RISK_METHODS = ("validated", "decayed")
#: Share of the area validated at when the caller does not say what it plans with.
DEFAULT_FLAG_SHARE = 0.05
#: Beyond this many cells the learners (ETAS, the blend) are not validated (bounded work).
HEAVY_MAX_CELLS = 20_000
#: Beyond this many incidents in a band the learners are not validated (bounded work).
HEAVY_MAX_INCIDENTS = 300_000
#: The forecast horizon validated and planned with, in days (the coming week).
HORIZON_DAYS = 7
_BASELINE = NaiveForecaster(4)
_CACHE: OrderedDict[str, tuple[np.ndarray, MethodChoice]] = OrderedDict()
_CACHE_SIZE = 32


@dataclass(frozen=True)
class MethodChoice:
    """The method behind one band's risk and how it did on the weeks before the data's end.

    Attributes
    ----------
    band
        The band's name.
    method
        Name of the method used (e.g. ``decay-28d``, ``blend``).
    reason
        ``"validation"``, ``"validation (no blend)"``, ``"validation (simple methods only)"``
        or why validation was not possible (the fallback was used then).
    share
        Share of the area flagged in validation.
    validation_start, validation_end
        First and last local date of the validation weeks (``None`` without validation).
    pai, low, high
        The method's PAI over the validation weeks with its 95 % bootstrap interval
        (``nan`` without validation).
    naive_pai
        The naive last-4-weeks count's PAI over the same weeks.
    ratio_low, ratio_high
        Bootstrap interval of ``pai / naive_pai``.
    incidents
        Incidents in the validation weeks.
    scores
        Every candidate's validation PAI.
    """

    band: str
    method: str
    reason: str
    share: float
    validation_start: pd.Timestamp | None = None
    validation_end: pd.Timestamp | None = None
    pai: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    naive_pai: float = float("nan")
    ratio_low: float = float("nan")
    ratio_high: float = float("nan")
    incidents: float = 0.0
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def validated(self) -> bool:
        return self.reason.startswith("validation")

    @property
    def ratio(self) -> float:
        return self.pai / self.naive_pai if self.naive_pai > 0 else float("nan")

    def note(self) -> str:
        """One sentence for the user (plan notes, reports)."""
        if not self.validated:
            return (
                f"Risk in {self.band} uses {self.method} (the best simple method): {self.reason}."
            )
        assert self.validation_start is not None and self.validation_end is not None
        weeks = f"{self.validation_start.date()} to {self.validation_end.date()}"
        return (
            f"Risk in {self.band} uses {self.method}, chosen by PAI at {self.share:.1%} of the "
            f"area on the weeks {weeks} (before the weeks planned, never including them): PAI "
            f"{self.pai:.2f} [95% {self.low:.2f}-{self.high:.2f}], naive 4-week count "
            f"{self.naive_pai:.2f} ({self.ratio:.2f}x)."
        )

    def to_json_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | None:
            return round(float(v), 6) if np.isfinite(v) else None

        return {
            "band": self.band,
            "method": self.method,
            "reason": self.reason,
            "share": num(self.share),
            "validation_weeks": None
            if self.validation_start is None or self.validation_end is None
            else [str(self.validation_start.date()), str(self.validation_end.date())],
            "pai": num(self.pai),
            "interval": [num(self.low), num(self.high)],
            "naive_pai": num(self.naive_pai),
            "ratio_interval": [num(self.ratio_low), num(self.ratio_high)],
            "incidents": num(self.incidents),
            "scores": {k: num(v) for k, v in self.scores.items()},
        }


def band_member(events: Events, band: TimeBand, date_only: str) -> np.ndarray:
    """How much each incident counts in ``band`` (0 to 1), as in
    :func:`geo.hotspots.risk.band_scores`."""
    member = band_membership(events.wall, events.time_known, [band])[:, 0].astype(float)
    if date_only == "spread" and not band.is_full_day:
        member[~np.asarray(events.time_known, dtype=bool)] = band.duration_h / 24.0
    return member


def picker_for(
    layout: CellLayout, n_incidents: int, share: float, fallback: Forecaster
) -> ValidatedForecaster:
    """The validated forecaster used for the risk: every default candidate, or the simple ones
    only on grids or histories too large for the learners."""
    candidates = _default_candidates()
    if layout.n > HEAVY_MAX_CELLS or n_incidents > HEAVY_MAX_INCIDENTS:
        candidates = tuple(
            m for m in candidates if not isinstance(m, ETASForecaster | BlendForecaster)
        )
    return ValidatedForecaster(candidates=candidates, share=share, fallback=fallback)


def validated_band_risk(
    events: Events,
    layout: CellLayout,
    band: TimeBand,
    *,
    at_day: float,
    share: float = DEFAULT_FLAG_SHARE,
    half_life_days: float | None = None,
    date_only: str = "day",
) -> tuple[np.ndarray, MethodChoice]:
    """The risk score per cell of one band from the method chosen by validation.

    Parameters
    ----------
    events
        Every incident (weights are the category weights times the incidents' own).
    layout
        The grid.
    band
        The band (a full-day band counts every incident).
    at_day
        Reference time (local epoch days): the forecast is for the week from it; only
        incidents before it are used.
    share
        Share of the area the user flags (plans with).
    half_life_days
        Half-life of the fallback decayed counts (``None``: 112 days).
    date_only
        As :func:`geo.hotspots.risk.compute_risk`.

    Returns
    -------
    scores, choice
        ``scores`` is the chosen method's forecast for the category-weighted incidents (a
        relative score); ``choice`` says which method and how it validated.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    member = band_member(events, band, date_only)
    keep = (member > 0) & (events.day <= at_day)
    key = _cache_key(events, layout, member, keep, band, at_day, share, half_life_days)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        scores, choice = _CACHE[key]
        return scores.copy(), choice
    store = default_risk_cache()
    stored = store.get(key, _entry_decoder(layout.n)) if store is not None else None
    if stored is not None:
        scores, choice = stored
        _remember(key, scores, choice)
        return scores.copy(), choice
    fallback: Forecaster = (
        DecayForecaster(half_life_days) if half_life_days is not None else DecayForecaster()
    )
    inside = shift_time(events.subset(keep), band)
    weight = member[keep]
    counting = History(
        inside.cell, inside.day, weight, layout, np.asarray(inside.category), inside.time_known
    )
    picker = picker_for(layout, inside.n, share, fallback)
    if inside.n == 0:
        choice = MethodChoice(band.name, fallback.name, "no incident in the band", share)
        return np.zeros(layout.n), choice
    chosen = picker.choose(counting, origin_day=at_day, horizon_days=HORIZON_DAYS)
    method = next((m for m in picker.candidates if m.name == chosen.method), fallback)
    choice = _describe(band.name, chosen, picker, share)
    # Counting methods count category-weighted incidents, as the fixed decay does; the
    # learners (ETAS, the blend) forecast incidents (the blend's per-category features carry
    # the categories), so their validated forecast is used as it is: no second fit.
    weighted = replace(counting, weight=weight * inside.weight)
    if np.allclose(inside.weight, 1.0) or isinstance(method, ETASForecaster | BlendForecaster):
        weighted = counting
    scores = np.asarray(cached_predict(method, weighted, at_day, HORIZON_DAYS), dtype=float)
    scores = np.maximum(scores, 0.0)
    _remember(key, scores, choice)
    if store is not None:
        try:
            store.put(key, scores, _choice_to_json(choice))
        except OSError as exc:  # a read-only or full cache folder costs time, not the result
            warnings.warn(
                f"risk cache {store.directory}: could not store an entry ({exc})",
                RiskCacheWarning,
                stacklevel=2,
            )
    return scores, choice


def _remember(key: str, scores: np.ndarray, choice: MethodChoice) -> None:
    _CACHE[key] = (scores.copy(), choice)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


_TIMES = ("validation_start", "validation_end")


def _choice_to_json(choice: MethodChoice) -> dict[str, Any]:
    """Every field of ``choice``, exactly (floats as JSON numbers, NaN included; times as ISO
    text), for :mod:`geo.hotspots.riskcache`."""
    out: dict[str, Any] = {}
    for f in fields(MethodChoice):
        value = getattr(choice, f.name)
        if f.name in _TIMES:
            value = None if value is None else value.isoformat()
        elif f.name == "scores":
            value = {str(k): float(v) for k, v in value.items()}
        elif isinstance(value, float | np.floating):
            value = float(value)
        out[f.name] = value
    return out


def _entry_decoder(
    n_cells: int,
) -> Callable[[np.ndarray, dict[str, Any]], tuple[np.ndarray, MethodChoice]]:
    """Turns a risk cache entry into ``(scores, choice)``, refusing one of another grid size."""

    def decode(scores: np.ndarray, data: dict[str, Any]) -> tuple[np.ndarray, MethodChoice]:
        if len(scores) != n_cells:
            raise ValueError(f"the entry holds {len(scores)} scores for {n_cells} cells")
        return scores, _choice_from_json(data)

    return decode


def _choice_from_json(data: dict[str, Any]) -> MethodChoice:
    """The :class:`MethodChoice` :func:`_choice_to_json` wrote."""
    values = dict(data)
    for name in _TIMES:
        values[name] = None if values[name] is None else pd.Timestamp(values[name])
    values["scores"] = {str(k): float(v) for k, v in values["scores"].items()}
    return MethodChoice(**values)


def _describe(band: str, chosen: Any, picker: ValidatedForecaster, share: float) -> MethodChoice:
    """:class:`MethodChoice` from a :class:`~geo.hotspots.blend.Choice`, with intervals."""
    if not chosen.scores:
        return MethodChoice(band, chosen.method, chosen.reason, share)
    reason = chosen.reason
    if not any(isinstance(m, ETASForecaster | BlendForecaster) for m in picker.candidates):
        reason = "validation (simple methods only: the data are too large for the learners)"
    got = np.asarray(chosen.hits[chosen.method], dtype=float)
    base = np.asarray(chosen.hits.get(_BASELINE.name, got), dtype=float)
    incidents = np.asarray(chosen.incidents, dtype=float)
    value, low, high = bootstrap_metric(got, incidents, scale=1.0 / share)
    naive = base.sum() / incidents.sum() / share if incidents.sum() > 0 else float("nan")
    _, r_low, r_high = bootstrap_ratio(got, base)
    starts = chosen.validation_starts
    return MethodChoice(
        band=band,
        method=chosen.method,
        reason=reason,
        share=share,
        validation_start=date_of_day(min(starts)),
        validation_end=date_of_day(max(starts) + HORIZON_DAYS - 1),
        pai=value,
        low=low,
        high=high,
        naive_pai=float(naive),
        ratio_low=r_low,
        ratio_high=r_high,
        incidents=float(incidents.sum()),
        scores=dict(chosen.scores),
    )


def _cache_key(
    events: Events,
    layout: CellLayout,
    member: np.ndarray,
    keep: np.ndarray,
    band: TimeBand,
    at_day: float,
    share: float,
    half_life_days: float | None,
) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for array in (
        events.cell[keep],
        events.day[keep],
        events.weight[keep],
        member[keep],
        np.asarray(events.time_known, dtype=bool)[keep],
        np.asarray(events.category).astype(str)[keep],
        layout.x,
        layout.y,
        layout.area_m2,
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    digest.update(
        repr(
            (
                band.name,
                band.start_min,
                band.end_min,
                at_day,
                share,
                half_life_days,
                HEAVY_MAX_CELLS,
                HEAVY_MAX_INCIDENTS,
            )
        ).encode()
    )
    return digest.hexdigest()


def clear_cache(disk: bool = True) -> None:
    """Forget every cached validation: in memory and, with ``disk``, in the on-disk cache
    (tests)."""
    _CACHE.clear()
    store = default_risk_cache() if disk else None
    if store is not None:
        store.clear()
