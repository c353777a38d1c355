"""Forecast next-period incidents per cell, with several methods behind one interface.

Every method implements :class:`Forecaster`: ``predict(history, origin_day=, horizon_days=)``
returns the expected (weighted) incident count per cell over ``[origin, origin + horizon)``,
using only incidents **before** ``origin`` (each method filters, so a caller cannot leak the
future). Time is in local epoch days (:func:`geo.hotspots.events.day_number`).

Methods
-------
``naive``
    Incidents in the last ``weeks`` weeks (the baseline).
``decay``
    Exponentially time-decayed counts (half-life in days), optionally smoothed.
``kde``
    Kernel density: counts over a window, smoothed with a Gaussian over cell centroids.
``etas``
    A self-exciting point process (Mohler et al. 2011), discretised to cells and days:

    .. math::

        \\lambda_c(d) = \\mu_c + \\theta \\sum_{\\ell=1}^{L} k_q(\\ell)
                         \\sum_{c'} g_{cc'} N_{c'}(d - \\ell)

    with background rate :math:`\\mu_c` (optionally smoothed), offspring ratio
    :math:`\\theta`, geometric lag kernel :math:`k_q(\\ell) \\propto (1-q) q^{\\ell-1}`
    (exponential in time), Gaussian spatial kernel :math:`g` over cell centroids and
    :math:`N_c(d)` the counts. :math:`\\mu`, :math:`\\theta`, :math:`q` are fitted by EM
    over the last ``window_days`` only, lags up to ``max_lag_days``; EM evaluates the
    intensity only at the (cell, day) pairs with incidents, so an iteration costs
    O(pairs x lags) after one O(cells x days) spatial spreading per fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from geo.hotspots.events import CellLayout, Events
from geo.hotspots.risk import DEFAULT_HALF_LIFE_DAYS


@dataclass(frozen=True)
class History:
    """Past incidents on a fixed grid: the input of every forecaster.

    Attributes
    ----------
    cell
        Cell position of each incident in ``layout``.
    day
        Local time in epoch days.
    weight
        Weight of each incident (1 for plain counts).
    layout
        The grid.
    category
        Canonical category of each incident, or ``None`` when unknown (for the blend).
    time_known
        False where an incident has a date but no time of day, or ``None`` when every time
        is known (for the blend's hour-of-week profiles).
    """

    cell: np.ndarray
    day: np.ndarray
    weight: np.ndarray
    layout: CellLayout
    category: np.ndarray | None = None
    time_known: np.ndarray | None = None
    _cache: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_events(cls, events: Events, layout: CellLayout, *, weighted: bool = False) -> History:
        """History from :class:`Events`; ``weighted=False`` counts every incident as 1."""
        weight = events.weight if weighted else np.ones(events.n)
        return cls(
            events.cell,
            events.day,
            weight,
            layout,
            np.asarray(events.category),
            np.asarray(events.time_known, dtype=bool),
        )

    def mask(self, start_day: float, end_day: float) -> np.ndarray:
        """Which incidents lie in ``[start_day, end_day)``: every read of the history goes
        through here, so a test can check that nothing after an origin is read."""
        return np.asarray((self.day >= start_day) & (self.day < end_day))

    def window(self, start_day: float, end_day: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cells, days and weights of incidents in ``[start_day, end_day)``."""
        mask = self.mask(start_day, end_day)
        return self.cell[mask], self.day[mask], self.weight[mask]

    def counts(self, start_day: float, end_day: float) -> np.ndarray:
        """Weighted incident count per cell in ``[start_day, end_day)``."""
        cell, _, weight = self.window(start_day, end_day)
        return np.bincount(cell, weights=weight, minlength=self.layout.n).astype(float)


@runtime_checkable
class Forecaster(Protocol):
    """A forecasting method: a name and a pure ``predict``."""

    @property
    def name(self) -> str: ...

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        """Expected count per cell over ``[origin_day, origin_day + horizon_days)``."""
        ...


@dataclass(frozen=True)
class NaiveForecaster:
    """Incidents of the last ``weeks`` weeks, scaled to the horizon."""

    weeks: int = 4

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ValueError(f"weeks must be >= 1, got {self.weeks!r}")

    @property
    def name(self) -> str:
        return f"naive-{self.weeks}w"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        span = 7.0 * self.weeks
        return history.counts(origin_day - span, origin_day) * (horizon_days / span)


@dataclass(frozen=True)
class DecayForecaster:
    """Time-decayed counts: an incident ``half_life_days`` old weighs 0.5.

    The result is a relative score (a decayed count), not a calibrated expectation.
    """

    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    bandwidth_m: float | None = None

    def __post_init__(self) -> None:
        if not self.half_life_days > 0:
            raise ValueError(f"half_life_days must be > 0, got {self.half_life_days!r}")

    @property
    def name(self) -> str:
        suffix = f"-bw{self.bandwidth_m:g}m" if self.bandwidth_m else ""
        return f"decay-{self.half_life_days:g}d{suffix}"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        # ignore incidents older than 20 half-lives (weight < 1e-6): bounded work
        cell, day, weight = history.window(origin_day - 20 * self.half_life_days, origin_day)
        decayed = weight * np.exp2(-(origin_day - day) / self.half_life_days)
        scores = np.bincount(cell, weights=decayed, minlength=history.layout.n).astype(float)
        if self.bandwidth_m:
            scores = np.asarray(history.layout.kernel(self.bandwidth_m) @ scores)
        return scores


@dataclass(frozen=True)
class KDEForecaster:
    """Kernel density: counts over the last ``window_days`` smoothed over ``bandwidth_m``."""

    bandwidth_m: float = 250.0
    window_days: float = 365.0

    def __post_init__(self) -> None:
        if not self.bandwidth_m > 0:
            raise ValueError(f"bandwidth_m must be > 0, got {self.bandwidth_m!r}")
        if not self.window_days > 0:
            raise ValueError(f"window_days must be > 0, got {self.window_days!r}")

    @property
    def name(self) -> str:
        return f"kde-{self.bandwidth_m:g}m-{self.window_days:g}d"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        counts = history.counts(origin_day - self.window_days, origin_day)
        smoothed = np.asarray(history.layout.kernel(self.bandwidth_m) @ counts)
        return smoothed * (horizon_days / self.window_days)


@dataclass(frozen=True)
class ETASFit:
    """Fitted parameters of :class:`ETASForecaster` (for reports and tests)."""

    mu: np.ndarray
    theta: float
    q: float
    iterations: int
    days: int

    @property
    def mean_lag_days(self) -> float:
        return 1.0 / (1.0 - self.q)


@dataclass(frozen=True)
class ETASForecaster:
    """Self-exciting point process on cells and days (see the module docstring).

    Parameters
    ----------
    bandwidth_m
        Standard deviation of the Gaussian triggering kernel in space.
    background_bandwidth_m
        Smoothing of the background rate (``None``: per-cell background).
    window_days
        Days of history the fit uses (bounded work).
    max_lag_days
        Longest lag a trigger can act over.
    n_iter, tol
        EM iterations at most, and the relative change of the parameters to stop at.
    """

    bandwidth_m: float = 200.0
    background_bandwidth_m: float | None = None
    window_days: int = 365
    max_lag_days: int = 56
    n_iter: int = 40
    tol: float = 1e-4

    def __post_init__(self) -> None:
        if not self.bandwidth_m > 0:
            raise ValueError(f"bandwidth_m must be > 0, got {self.bandwidth_m!r}")
        if self.window_days < 14:
            raise ValueError(f"window_days must be >= 14, got {self.window_days!r}")
        if not 1 <= self.max_lag_days < self.window_days:
            raise ValueError(f"max_lag_days must be in 1..window_days-1, got {self.max_lag_days!r}")

    @property
    def name(self) -> str:
        suffix = f"-bg{self.background_bandwidth_m:g}m" if self.background_bandwidth_m else ""
        return f"etas-{self.bandwidth_m:g}m{suffix}"

    def _counts(self, history: History, origin_day: float) -> np.ndarray:
        """Counts per (cell, day) from the first incident (at most ``window_days`` back)."""
        end = float(np.floor(origin_day))
        start = end - self.window_days
        earlier = history.day[history.mask(start, end)]
        if len(earlier):
            start = max(start, float(np.floor(earlier.min())))
        days = max(int(end - start), self.max_lag_days + 1)
        start = end - days
        cell, day, weight = history.window(start, end)
        index = np.floor(day - start).astype(np.int64)
        flat = np.bincount(cell * days + index, weights=weight, minlength=history.layout.n * days)
        return flat.reshape(history.layout.n, days)

    def fit(self, history: History, *, origin_day: float) -> tuple[ETASFit, np.ndarray]:
        """Fit by EM on the ``window_days`` before ``origin_day``.

        Returns the fit and ``S``, the spatially spread counts ``(cells, days)``.
        """
        from threadpoolctl import threadpool_limits

        # the EM's matrix-vector products are small: on a shared machine more BLAS threads
        # than free cores make them several times slower
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(history, origin_day)

    def _fit(self, history: History, origin_day: float) -> tuple[ETASFit, np.ndarray]:
        counts = self._counts(history, origin_day)
        n_cells, days = counts.shape
        spread = np.asarray(history.layout.kernel(self.bandwidth_m) @ counts)
        bg_kernel = (
            history.layout.kernel(self.background_bandwidth_m)
            if self.background_bandwidth_m
            else None
        )
        lags = np.arange(1, self.max_lag_days + 1)
        # The likelihood only needs the intensity where incidents happened, so EM works on
        # the (cell, day) pairs with counts: ``lagged[i, l-1]`` is the spread count l days
        # before pair i (0 before the window). Each iteration is then O(pairs x lags).
        cc, dd = np.nonzero(counts)
        cnt = counts[cc, dd]
        # one flat gather: pair i, lag l reads spread[cc[i], dd[i] - l] (0 before the window)
        flat_index = (cc * days + dd)[:, None] - lags[None, :]
        inside = dd[:, None] >= lags[None, :]
        lagged = np.where(inside, spread.ravel().take(np.where(inside, flat_index, 0)), 0.0)
        per_day = counts.sum(axis=0)
        total = per_day.sum()
        mu = np.full(n_cells, max(total, 1.0) / (n_cells * days))
        mu = np.maximum(counts.sum(axis=1) / days, 1e-9) * 0.5 + mu * 0.5
        theta, q = 0.2, 0.8
        iterations = 0
        for iterations in range(1, self.n_iter + 1):  # noqa: B007 (reported)
            kern = _lag_kernel(q, self.max_lag_days)
            lam = mu[cc] + theta * (lagged @ kern)
            ratio = cnt / lam
            background = np.bincount(cc, weights=ratio * mu[cc], minlength=n_cells)
            # C(l) = sum over pairs of ratio * spread l days before
            corr = lagged.T @ ratio
            triggered_by_lag = theta * kern * corr
            triggered = triggered_by_lag.sum()
            new_mu = np.maximum(background / days, 1e-9)
            if bg_kernel is not None:
                new_mu = np.asarray(bg_kernel @ new_mu)
            # censoring: a parent on day d can only have children up to the window end
            remaining = days - 1 - np.arange(days)
            cdf = np.concatenate([[0.0], np.cumsum(kern)])
            exposure = (per_day * cdf[np.minimum(remaining, self.max_lag_days)]).sum()
            new_theta = float(np.clip(triggered / exposure, 0.0, 0.95)) if exposure > 0 else 0.0
            if triggered > 0:
                mean_lag = float((lags * triggered_by_lag).sum() / triggered)
                new_q = float(np.clip(1.0 - 1.0 / max(mean_lag, 1.0 + 1e-6), 0.01, 0.99))
            else:
                new_q = q
            change = max(
                abs(new_theta - theta) / max(theta, 1e-9),
                abs(new_q - q) / q,
                float(np.abs(new_mu - mu).sum() / max(mu.sum(), 1e-12)),
            )
            mu, theta, q = new_mu, new_theta, new_q
            if change < self.tol:
                break
        return ETASFit(mu=mu, theta=theta, q=q, iterations=iterations, days=days), spread

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        fit, spread = self.fit(history, origin_day=origin_day)
        return horizon_days * fit.mu + self.triggering(fit, spread, horizon_days)

    def triggering(self, fit: ETASFit, spread: np.ndarray, horizon_days: float) -> np.ndarray:
        """The expected triggered (offspring) count per cell over the horizon."""
        days = fit.days
        horizon = max(1, round(horizon_days))
        kern = _lag_kernel(fit.q, self.max_lag_days)
        # weight of past day d for the forecast days D..D+H-1: sum_h k(D + h - d)
        past = np.arange(days)
        weight = np.zeros(days)
        for h in range(horizon):
            lag = days + h - past
            ok = (lag >= 1) & (lag <= self.max_lag_days)
            weight[ok] += kern[lag[ok] - 1]
        return np.asarray(fit.theta * (spread @ weight), dtype=float)


def _lag_kernel(q: float, max_lag: int) -> np.ndarray:
    """Geometric lag kernel ``(1-q) q^(l-1)`` for l = 1..max_lag, renormalised to sum 1."""
    kern = (1.0 - q) * q ** np.arange(max_lag)
    return kern / kern.sum()


DEFAULT_KDE_BANDWIDTH_M = 100.0
#: The best simple method: decayed counts with a 112-day half-life. Chosen on Portland 2012
#: *validation* weeks (the 8 weeks before the final 8 test weeks) at 100, 150 and 250 m cells,
#: where half-lives of 112–180 days were best or within 1 % of the best and smoothing, KDE and
#: ETAS did not beat it (see ``benchmarks/backtest.py``). gridpatrol's default method
#: (:data:`geo.hotspots.blend.DEFAULT_METHOD`) falls back to it when history is too short to
#: validate.
SIMPLE_DEFAULT: Forecaster = DecayForecaster(half_life_days=DEFAULT_HALF_LIFE_DAYS)


def forecaster_from_name(name: str) -> Forecaster:
    """Build a method from its table name: ``naive-4w``, ``decay-112d``, ``decay-56d-bw150m``,
    ``kde-100m``, ``kde-100m-365d``, ``etas-200m``, ``etas-200m-bg300m``, ``blend``,
    ``blend-etas``, ``validated-pai@5%``.

    Raises
    ------
    ValueError
        Naming ``name`` and the accepted patterns.
    """
    text = name.strip().lower()
    if m := re.fullmatch(r"naive-(\d+)w", text):
        return NaiveForecaster(int(m.group(1)))
    if m := re.fullmatch(r"decay-([\d.]+)d(?:-bw([\d.]+)m)?", text):
        bw = float(m.group(2)) if m.group(2) else None
        return DecayForecaster(float(m.group(1)), bw)
    if m := re.fullmatch(r"kde-([\d.]+)m(?:-([\d.]+)d)?", text):
        return KDEForecaster(float(m.group(1)), float(m.group(2) or 365.0))
    if m := re.fullmatch(r"etas-([\d.]+)m(?:-bg([\d.]+)m)?", text):
        bg = float(m.group(2)) if m.group(2) else None
        return ETASForecaster(float(m.group(1)), bg)
    from geo.hotspots import blend  # the blend builds on this module

    if text == "blend":
        return blend.BlendForecaster()
    if text == "blend-etas":
        return blend.BlendForecaster(spec=blend.FeatureSpec(etas=ETASForecaster()))
    if m := re.fullmatch(r"validated-(pai|pei)@([\d.]+)%", text):
        return blend.ValidatedForecaster(metric=m.group(1), share=float(m.group(2)) / 100)
    raise ValueError(
        f"method: unknown method name {name!r}; expected naive-<weeks>w, decay-<days>d"
        "[-bw<metres>m], kde-<metres>m[-<days>d], etas-<metres>m[-bg<metres>m], blend, "
        "blend-etas or validated-<pai|pei>@<percent>%"
    )
