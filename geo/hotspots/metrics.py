"""Forecast quality: hit rate, PAI and PEI* when a share of the area is flagged.

Cells are ranked by predicted score (highest first) and flagged until their cumulative
**area** reaches ``share`` of the grid's area. Two rules make this exact and deterministic:

- **Partial cell**: the cell that crosses the threshold is counted by the fraction of its
  area needed, so the flagged area is exactly ``share`` of the total, and its incidents count
  by the same fraction.
- **Ties**: cells with equal scores form one group. A group that straddles the threshold is
  flagged fractionally as a whole (every cell in it by the same fraction), which is the
  expected result of breaking the tie at random. Cell order therefore never matters.

Then, for incidents ``N`` in the test period, ``hits`` of them in flagged cells:

- hit rate = hits / N
- PAI = hit rate / share of area flagged (Chainey et al. 2008)
- PEI* = PAI / best possible PAI for the same area = hits / best hits, where the best flags
  cells by their actual incident density (count / area), greedily, with the same partial rule
  (Hunt 2016's PEI*; the fractional greedy is optimal for the relaxed problem).

Across several test periods, hits and incidents are pooled (sums) before dividing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_SHARES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)


def flag_fractions(scores: np.ndarray, area: np.ndarray, share: float) -> np.ndarray:
    """Fraction (0–1) of each cell flagged when the top ``share`` of the area is flagged.

    Parameters
    ----------
    scores
        Predicted score per cell (higher = flagged first).
    area
        Cell areas (any unit; only shares matter).
    share
        Share of the total area to flag, in (0, 1].
    """
    s = np.asarray(scores, dtype=float)
    a = np.asarray(area, dtype=float)
    if s.shape != a.shape:
        raise ValueError(f"scores and area must have the same shape, got {s.shape} and {a.shape}")
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    if np.any(~np.isfinite(s)):
        raise ValueError("scores must be finite numbers")
    budget = share * a.sum()
    uniq, group = np.unique(-s, return_inverse=True)  # groups ordered from highest score
    group_area = np.bincount(group, weights=a, minlength=len(uniq))
    before = np.concatenate([[0.0], np.cumsum(group_area)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        frac_group = np.clip((budget - before) / group_area, 0.0, 1.0)
    frac_group = np.where(group_area > 0, frac_group, (before < budget).astype(float))
    return frac_group[group]


def best_hits(counts: np.ndarray, area: np.ndarray, share: float) -> float:
    """The most incidents any flagging of ``share`` of the area could capture."""
    c = np.asarray(counts, dtype=float)
    a = np.asarray(area, dtype=float)
    density = np.where(a > 0, c / np.where(a > 0, a, 1.0), np.inf)
    return float((flag_fractions(density, a, share) * c).sum())


def hits(scores: np.ndarray, counts: np.ndarray, area: np.ndarray, share: float) -> float:
    """Incidents captured by flagging the top ``share`` of the area by ``scores``."""
    return float((flag_fractions(scores, area, share) * np.asarray(counts, dtype=float)).sum())


def hit_rate(scores: np.ndarray, counts: np.ndarray, area: np.ndarray, share: float) -> float:
    """Share of incidents in flagged cells (``nan`` when there are no incidents)."""
    total = float(np.sum(counts))
    return hits(scores, counts, area, share) / total if total > 0 else float("nan")


def pai(scores: np.ndarray, counts: np.ndarray, area: np.ndarray, share: float) -> float:
    """Predictive accuracy index: hit rate divided by the share of area flagged."""
    return hit_rate(scores, counts, area, share) / share


def pei(scores: np.ndarray, counts: np.ndarray, area: np.ndarray, share: float) -> float:
    """PEI*: PAI divided by the best possible PAI for the same flagged area."""
    best = best_hits(counts, area, share)
    return hits(scores, counts, area, share) / best if best > 0 else float("nan")


def pooled_metrics(
    predictions: Sequence[np.ndarray],
    outcomes: Sequence[np.ndarray],
    area: np.ndarray,
    shares: Sequence[float] = DEFAULT_SHARES,
) -> dict[str, dict[float, float]]:
    """Hit rate, PAI and PEI* pooled over several test periods.

    Parameters
    ----------
    predictions, outcomes
        Per period: predicted scores per cell and actual incident counts per cell.

    Returns
    -------
    ``{"hit_rate": {share: x}, "pai": {...}, "pei": {...}}``
    """
    if len(predictions) != len(outcomes):
        raise ValueError(
            f"predictions and outcomes must have one entry per period, got {len(predictions)} "
            f"and {len(outcomes)}"
        )
    total = float(sum(np.sum(o) for o in outcomes))
    out: dict[str, dict[float, float]] = {"hit_rate": {}, "pai": {}, "pei": {}}
    for share in shares:
        got = sum(hits(p, o, area, share) for p, o in zip(predictions, outcomes, strict=True))
        best = sum(best_hits(o, area, share) for o in outcomes)
        rate = got / total if total > 0 else float("nan")
        out["hit_rate"][share] = rate
        out["pai"][share] = rate / share
        out["pei"][share] = got / best if best > 0 else float("nan")
    return out


def bootstrap_ratio(
    hits_method: np.ndarray,
    hits_baseline: np.ndarray,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Pooled ratio ``sum(hits_method) / sum(hits_baseline)`` and its bootstrap interval.

    Test periods (weeks) are resampled with replacement, the same periods for both methods
    (a paired bootstrap), and the percentile interval of the ratio is returned. For PAI and
    PEI* at one share this ratio is the method's metric over the baseline's: both metrics
    divide the same hits by the same incidents (or best hits) and share.

    Returns
    -------
    ``(ratio, low, high)``; ``nan`` where the baseline captured nothing.
    """
    a = np.asarray(hits_method, dtype=float)
    b = np.asarray(hits_baseline, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(
            f"hits_method and hits_baseline must be equal-length 1-d arrays with one value per "
            f"period, got shapes {a.shape} and {b.shape}"
        )
    low_q, high_q = _quantiles(level)
    ratio = a.sum() / b.sum() if b.sum() > 0 else float("nan")
    index = np.random.default_rng(seed).integers(0, len(a), size=(n_boot, len(a)))
    num, den = a[index].sum(axis=1), b[index].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0:
        return float(ratio), float("nan"), float("nan")
    return float(ratio), float(np.quantile(boot, low_q)), float(np.quantile(boot, high_q))


def bootstrap_metric(
    hits_per_period: np.ndarray,
    denominator_per_period: np.ndarray,
    *,
    scale: float = 1.0,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Pooled ``scale * sum(hits) / sum(denominator)`` and its bootstrap interval over periods.

    PAI is ``hits / incidents`` with ``scale = 1 / share``; PEI* is ``hits / best hits``.
    """
    value, low, high = bootstrap_ratio(
        hits_per_period, denominator_per_period, n_boot=n_boot, level=level, seed=seed
    )
    return value * scale, low * scale, high * scale


def _quantiles(level: float) -> tuple[float, float]:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return (1 - level) / 2, 1 - (1 - level) / 2
