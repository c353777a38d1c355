"""A blend of forecasts fitted per district, and a default method chosen by validation.

:class:`BlendForecaster` computes candidate features per cell at an origin (decayed counts at
several half-lives, neighbour-smoothed counts at several radii, a KDE, per-category decayed
counts, the cell's share of its incidents in each block of the week (an hour-of-week profile,
smoothed), optionally the ETAS background and triggering terms) and combines them with a
gradient-boosted Poisson regression (scikit-learn's ``HistGradientBoostingRegressor``)
fitted on the district's **own earlier weeks**: for an origin ``t`` it learns features at
``t - k * horizon`` -> incidents in ``[t - k * horizon, t - (k - 1) * horizon)`` for
``k = 1..training_periods``, so every target ends at or before ``t`` and the period being
forecast is never seen.

:class:`ValidatedForecaster` is the default method: at each origin it backtests its
candidates (naive, decayed counts, ETAS, the blend) on the ``validation_periods`` periods before
the origin, at the share of area the user flags, and forecasts with the best. With too short
a history for the blend it compares the simple methods only; with too short a history for any
validation it uses decayed counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo.hotspots.forecast import (
    DEFAULT_KDE_BANDWIDTH_M,
    SIMPLE_DEFAULT,
    DecayForecaster,
    ETASForecaster,
    Forecaster,
    History,
    KDEForecaster,
    NaiveForecaster,
)
from geo.hotspots.metrics import best_hits, hits

#: Oldest incident the blend's features look at, in days (bounded work).
FEATURE_WINDOW_DAYS = 3 * 365.0


@dataclass(frozen=True)
class FeatureSpec:
    """Which features the blend computes (see the module docstring)."""

    half_lives_days: tuple[float, ...] = (7.0, 28.0, 112.0, 365.0)
    radii_m: tuple[float, ...] = (150.0, 300.0)
    kde_bandwidth_m: float = 100.0
    kde_window_days: float = 365.0
    categories: int = 4
    etas: ETASForecaster | None = None
    #: Blocks per day of the hour-of-week profile (0: no profile); 4 gives 6-hour blocks.
    profile_blocks_per_day: int = 4
    #: Incidents' worth of the district's own profile each cell's profile is shrunk towards.
    profile_prior: float = 5.0
    profile_window_days: float = 365.0

    def __post_init__(self) -> None:
        if self.profile_blocks_per_day not in (0, 1, 2, 3, 4, 6, 8, 12, 24):
            raise ValueError(
                "profile_blocks_per_day must divide 24 hours (0, 1, 2, 3, 4, 6, 8, 12 or 24), "
                f"got {self.profile_blocks_per_day!r}"
            )
        if not self.profile_prior > 0:
            raise ValueError(f"profile_prior must be > 0, got {self.profile_prior!r}")

    def names(self, categories: Sequence[str]) -> tuple[str, ...]:
        out = [f"decay-{h:g}d" for h in self.half_lives_days]
        out += [f"smooth-{r:g}m" for r in self.radii_m]
        out.append(f"kde-{self.kde_bandwidth_m:g}m-{self.kde_window_days:g}d")
        out += [f"category:{c}" for c in categories]
        if self.etas is not None:
            out += ["etas-background", "etas-triggering"]
        if self.profile_blocks_per_day:
            hours = 24 // self.profile_blocks_per_day
            out += [f"week-share:{d}" for d in WEEKDAYS]
            out += [f"day-share:{b * hours:02d}h" for b in range(self.profile_blocks_per_day)]
        return tuple(out)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hour_of_week_shares(
    history: History,
    origin_day: float,
    *,
    window_days: float = 365.0,
    blocks_per_day: int = 4,
    prior: float = 5.0,
) -> np.ndarray:
    """Each cell's share of its incidents per block of the week, ``(cells, 7 * blocks)``.

    From the incidents of the ``window_days`` before ``origin_day`` only. Column
    ``d * blocks_per_day + b`` is weekday ``d`` (0 = Monday) and block ``b`` of the day (in
    the history's clock: shift time for a band, see :func:`geo.hotspots.backtest.shift_time`).
    An incident with a date but no time of day counts evenly in every block of its day.
    The counts are smoothed over neighbouring blocks (0.2, 0.6, 0.2, round the week), then
    shrunk towards the district's profile by ``prior`` incidents' worth, so a cell with few
    incidents gets about the district's shares and each row sums to 1.
    """
    n, k = history.layout.n, 7 * blocks_per_day
    mask = history.mask(origin_day - window_days, origin_day)
    cell, day, weight = history.cell[mask], history.day[mask], history.weight[mask]
    known = (
        np.ones(len(cell), dtype=bool)
        if history.time_known is None
        else np.asarray(history.time_known, dtype=bool)[mask]
    )
    whole = np.floor(day)
    weekday = ((whole + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    block = np.minimum((day - whole) * blocks_per_day, blocks_per_day - 1).astype(np.int64)
    base = cell * k + weekday * blocks_per_day
    counts = np.bincount(base[known] + block[known], weights=weight[known], minlength=n * k)
    dated = ~known
    if dated.any():
        for b in range(blocks_per_day):
            counts = counts + np.bincount(
                base[dated] + b, weights=weight[dated] / blocks_per_day, minlength=n * k
            )
    grid = counts.reshape(n, k).astype(float)
    smoothed = 0.6 * grid + 0.2 * np.roll(grid, 1, axis=1) + 0.2 * np.roll(grid, -1, axis=1)
    district = smoothed.sum(axis=0)
    district = district / district.sum() if district.sum() > 0 else np.full(k, 1.0 / k)
    total = smoothed.sum(axis=1, keepdims=True)
    return np.asarray((smoothed + prior * district[None, :]) / (total + prior))


def blend_features(
    history: History,
    origin_day: float,
    *,
    horizon_days: float,
    spec: FeatureSpec,
    categories: Sequence[str] = (),
) -> np.ndarray:
    """Feature matrix ``(cells, features)`` at ``origin_day`` from incidents before it only.

    Columns follow :meth:`FeatureSpec.names`. Values are cached on ``history`` per origin.
    """
    key = ("blend-features", spec, tuple(categories), float(origin_day), float(horizon_days))
    cached = history._cache.get(key)
    if isinstance(cached, np.ndarray):
        return cached
    n = history.layout.n
    cell, day, weight = history.window(origin_day - FEATURE_WINDOW_DAYS, origin_day)
    age = origin_day - day
    columns = []
    decayed = {}
    for half_life in spec.half_lives_days:
        values = np.bincount(cell, weights=weight * np.exp2(-age / half_life), minlength=n)
        decayed[half_life] = values.astype(float)
        columns.append(decayed[half_life])
    middle = spec.half_lives_days[len(spec.half_lives_days) // 2]
    for radius in spec.radii_m:
        columns.append(np.asarray(history.layout.kernel(radius) @ decayed[middle]))
    recent = age < spec.kde_window_days
    kde_counts = np.bincount(cell[recent], weights=weight[recent], minlength=n).astype(float)
    columns.append(np.asarray(history.layout.kernel(spec.kde_bandwidth_m) @ kde_counts))
    if categories:
        if history.category is None:
            raise ValueError("history has no categories; build it with History.from_events")
        mask = history.mask(origin_day - FEATURE_WINDOW_DAYS, origin_day)
        cats = history.category[mask]
        w = weight * np.exp2(-age / middle)
        for name in categories:
            is_cat = cats == name
            columns.append(np.bincount(cell[is_cat], weights=w[is_cat], minlength=n).astype(float))
    if spec.etas is not None:
        fit, spread = spec.etas.fit(history, origin_day=origin_day)
        columns += [horizon_days * fit.mu, spec.etas.triggering(fit, spread, horizon_days)]
    if spec.profile_blocks_per_day:
        shares = hour_of_week_shares(
            history,
            origin_day,
            window_days=spec.profile_window_days,
            blocks_per_day=spec.profile_blocks_per_day,
            prior=spec.profile_prior,
        )
        # the profile's margins (7 weekdays, then the blocks of the day) as features: the
        # full week of blocks would add 28 columns for little the margins do not say
        by_block = shares.reshape(len(shares), 7, spec.profile_blocks_per_day)
        columns += list(by_block.sum(axis=2).T) + list(by_block.sum(axis=1).T)
    matrix = np.log1p(np.column_stack(columns))
    history._cache[key] = matrix
    return matrix


@dataclass(frozen=True)
class BlendForecaster:
    """Gradient-boosted Poisson blend of candidate features, fitted per origin on the weeks
    before it (see the module docstring).

    Parameters
    ----------
    training_periods
        Earlier periods of ``horizon_days`` the model learns from.
    min_training_incidents
        Below this many incidents in the training targets the blend forecasts with decayed
        counts instead (too little to learn from).
    spec
        The features.
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to ``HistGradientBoostingRegressor(loss="poisson")``.
    max_training_rows
        Cell-periods the model is fitted on at most (a seeded random sample beyond it), to
        bound the work on large grids.
    """

    training_periods: int = 16
    min_training_incidents: int = 50
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    max_iter: int = 20
    learning_rate: float = 0.15
    max_leaf_nodes: int = 8
    min_samples_leaf: int = 100
    l2_regularization: float = 1.0
    max_training_rows: int = 20_000

    def __post_init__(self) -> None:
        if self.training_periods < 1:
            raise ValueError(f"training_periods must be >= 1, got {self.training_periods!r}")

    @property
    def name(self) -> str:
        return "blend" if self.spec.etas is None else "blend-etas"

    def training_origins(self, origin_day: float, horizon_days: float) -> list[float]:
        """Origins of the periods the model at ``origin_day`` is fitted on, oldest first.

        Each target period ``[o, o + horizon_days)`` ends at or before ``origin_day``.
        """
        return [origin_day - horizon_days * k for k in range(self.training_periods, 0, -1)]

    def categories(self, history: History, origin_day: float) -> tuple[str, ...]:
        """The most frequent categories before ``origin_day`` (features need a fixed set)."""
        if not self.spec.categories or history.category is None:
            return ()
        mask = history.mask(origin_day - FEATURE_WINDOW_DAYS, origin_day)
        names, counts = np.unique(history.category[mask].astype(str), return_counts=True)
        if len(names) < 2:
            return ()
        order = np.lexsort((names, -counts))
        return tuple(str(names[i]) for i in order[: self.spec.categories])

    def fit(self, history: History, *, origin_day: float, horizon_days: float) -> Any | None:
        """The fitted regressor at ``origin_day``, or ``None`` when history is too short."""
        from sklearn.ensemble import HistGradientBoostingRegressor

        cats = self.categories(history, origin_day)
        xs, ys = [], []
        first = float(history.day.min()) if len(history.day) else origin_day
        for start in self.training_origins(origin_day, horizon_days):
            if start - first < horizon_days:  # no history before this period to learn from
                continue
            xs.append(
                blend_features(
                    history, start, horizon_days=horizon_days, spec=self.spec, categories=cats
                )
            )
            ys.append(history.counts(start, start + horizon_days))
        if not ys or sum(float(y.sum()) for y in ys) < self.min_training_incidents:
            return None
        model = HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=0,
        )
        x, y = np.vstack(xs), np.concatenate(ys)
        if len(y) > self.max_training_rows:
            keep = np.random.default_rng(0).choice(len(y), self.max_training_rows, replace=False)
            x, y = x[keep], y[keep]
        with _one_thread():
            model.fit(x, y)
        return model

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        model = self.fit(history, origin_day=origin_day, horizon_days=horizon_days)
        if model is None:
            return SIMPLE_DEFAULT.predict(history, origin_day=origin_day, horizon_days=horizon_days)
        features = blend_features(
            history,
            origin_day,
            horizon_days=horizon_days,
            spec=self.spec,
            categories=self.categories(history, origin_day),
        )
        # ties broken by the decayed count, so cells the model cannot tell apart keep an order
        tiebreak = 1e-9 * features[:, len(self.spec.half_lives_days) // 2]
        with _one_thread():
            predicted = model.predict(features)
        return np.asarray(predicted, dtype=float) + tiebreak


def _one_thread() -> Any:
    """Run scikit-learn's OpenMP code on one thread: these fits are small, and on a shared
    machine more threads than free cores make them several times slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


@dataclass(frozen=True)
class Choice:
    """What :meth:`ValidatedForecaster.choose` picked at one origin, and why.

    ``hits`` holds, per candidate scored, its hits in each validation period (in the order
    of ``validation_starts``); ``incidents`` and ``best_hits`` the incidents and the best
    possible hits of each period. They are empty when no validation was possible.
    """

    method: str
    scores: dict[str, float]
    metric: str
    share: float
    validation_starts: tuple[float, ...]
    reason: str
    hits: dict[str, tuple[float, ...]] = field(default_factory=dict)
    incidents: tuple[float, ...] = ()
    best_hits: tuple[float, ...] = ()


def _default_candidates() -> tuple[Forecaster, ...]:
    return (
        SIMPLE_DEFAULT,
        NaiveForecaster(4),
        DecayForecaster(28.0),
        ETASForecaster(),
        BlendForecaster(),
    )


@dataclass(frozen=True)
class ValidatedForecaster:
    """The method that did best on the periods just before each origin.

    Parameters
    ----------
    candidates
        Methods to choose from (default: decayed counts at 112 days, naive 4 weeks, decayed
        counts at 28 days, ETAS, the blend). Of equal scores the earlier candidate wins.
    metric, share
        ``"pai"`` or ``"pei"`` at the share of area flagged (the share the user plans with).
    validation_periods
        Periods before the origin the candidates are scored on.
    min_history_days
        Below this much history before the first validation period a candidate that learns
        (the blend) is not considered; below ``horizon`` no validation is possible and
        ``fallback`` is used.
    min_validation_incidents
        With fewer incidents in the validation periods the scores are noise and ``fallback``
        is used.
    fallback
        The best simple method, used when the history is too short to validate.
    margin
        A candidate other than the first is chosen only when its score beats the first's by
        more than this share (default 3 %): four weeks of validation are noisy, and a small
        gain there is often none on the weeks after (on Portland at 250 m cells, picking the
        blend on gains below 3 % gave 1.005x naive on the test weeks, decayed counts 1.019x).
    """

    candidates: tuple[Forecaster, ...] = field(default_factory=_default_candidates)
    metric: str = "pai"
    share: float = 0.05
    validation_periods: int = 4
    min_history_days: float = 12 * 7.0
    min_validation_incidents: int = 30
    fallback: Forecaster = SIMPLE_DEFAULT
    margin: float = 0.03

    def __post_init__(self) -> None:
        if not 0 <= self.margin < 1:
            raise ValueError(f"margin must be in [0, 1), got {self.margin!r}")
        if self.metric not in ("pai", "pei"):
            raise ValueError(f"metric must be 'pai' or 'pei', got {self.metric!r}")
        if not 0 < self.share <= 1:
            raise ValueError(f"share must be in (0, 1], got {self.share!r}")
        if self.validation_periods < 1:
            raise ValueError(f"validation_periods must be >= 1, got {self.validation_periods!r}")

    @property
    def name(self) -> str:
        return f"validated-{self.metric}@{self.share * 100:g}%"

    def choose(self, history: History, *, origin_day: float, horizon_days: float) -> Choice:
        """Score every candidate on the periods before ``origin_day`` and pick the best."""
        starts = tuple(origin_day - horizon_days * k for k in range(self.validation_periods, 0, -1))
        first = float(history.day.min()) if len(history.day) else origin_day
        if starts[0] - first < horizon_days:
            return Choice(
                self.fallback.name, {}, self.metric, self.share, starts, "history too short"
            )
        usable = [
            m
            for m in self.candidates
            if not isinstance(m, BlendForecaster) or starts[0] - first >= self.min_history_days
        ]
        area = history.layout.area_m2
        observed = sum(float(history.counts(t, t + horizon_days).sum()) for t in starts)
        if observed < self.min_validation_incidents:
            return Choice(
                self.fallback.name,
                {},
                self.metric,
                self.share,
                starts,
                f"{observed:g} incident(s) in the validation weeks: too few to choose",
            )
        actuals = [history.counts(t, t + horizon_days) for t in starts]
        incidents = tuple(float(a.sum()) for a in actuals)
        best = tuple(best_hits(a, area, self.share) for a in actuals)
        scores, per_period = {}, {}
        for method in usable:
            got = tuple(
                hits(cached_predict(method, history, t, horizon_days), a, area, self.share)
                for t, a in zip(starts, actuals, strict=True)
            )
            denominator = sum(incidents) * self.share if self.metric == "pai" else sum(best)
            scores[method.name] = sum(got) / denominator if denominator > 0 else 0.0
            per_period[method.name] = got
        # the first (simplest) of equal scores wins: a learner must beat counting to be used,
        # by the margin
        leader = next(iter(scores))
        pick = max(scores, key=lambda name: (scores[name], -list(scores).index(name)))
        if scores[pick] <= scores[leader] * (1.0 + self.margin):
            pick = leader
        reason = "validation" if len(usable) == len(self.candidates) else "validation (no blend)"
        return Choice(
            pick, scores, self.metric, self.share, starts, reason, per_period, incidents, best
        )

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        choice = self.choose(history, origin_day=origin_day, horizon_days=horizon_days)
        method = next((m for m in self.candidates if m.name == choice.method), self.fallback)
        return cached_predict(method, history, origin_day, horizon_days)


def cached_predict(
    method: Forecaster, history: History, origin_day: float, horizon_days: float
) -> np.ndarray:
    """``method.predict`` memoised on ``history``: a forecast depends only on the incidents
    before its origin, so validation periods shared by successive origins are computed once."""
    try:
        key: object = ("predict", method, float(origin_day), float(horizon_days))
        hash(key)
    except TypeError:  # a method that is not a frozen dataclass: no memo
        return method.predict(history, origin_day=origin_day, horizon_days=horizon_days)
    cached = history._cache.get(key)
    if not isinstance(cached, np.ndarray):
        cached = np.asarray(
            method.predict(history, origin_day=origin_day, horizon_days=horizon_days), dtype=float
        )
        history._cache[key] = cached
    return cached


#: The method gridpatrol uses by default: at each origin, the candidate (naive, decayed counts,
#: ETAS, the blend) with the best PAI at 5 % of the area on the 4 weeks before it.
DEFAULT_METHOD: Forecaster = ValidatedForecaster()


def default_methods() -> tuple[Forecaster, ...]:
    """The methods compared by default: naive 4 weeks (baseline), decayed counts, KDE, ETAS,
    the blend and the validated default."""
    return (
        NaiveForecaster(4),
        SIMPLE_DEFAULT,
        KDEForecaster(bandwidth_m=DEFAULT_KDE_BANDWIDTH_M),
        ETASForecaster(),
        BlendForecaster(),
        DEFAULT_METHOD,
    )
