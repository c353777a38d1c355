"""Getis-Ord Gi* hot and cold spots, vectorised on a sparse weights matrix.

For values :math:`x` on :math:`n` cells and weights :math:`w_{ij}` that include the cell
itself (:math:`w_{ii} > 0`), the analytic (normal-approximation) z-score is

.. math::

    z_i = \\frac{\\sum_j w_{ij} x_j - \\bar x W_i}
               {S \\sqrt{(n S_{1i} - W_i^2) / (n - 1)}},\\quad
    W_i = \\sum_j w_{ij},\\ S_{1i} = \\sum_j w_{ij}^2,\\
    S^2 = \\tfrac{1}{n}\\sum_j x_j^2 - \\bar x^2 .

With binary weights this equals esda's ``G_Local(y, w, star=True, transform="B").Zs``
(checked in the tests). esda's default ``transform="R"`` applies the binary variance formula
to row-standardised weights and so gives different z-scores; we keep the textbook formula.
p-values here are **two-sided** (esda's ``p_norm`` is one-sided: ours is twice it).
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
from scipy import sparse, special
from scipy.spatial import cKDTree

NOT_SIGNIFICANT = "not significant"
LEVELS = (0.99, 0.95, 0.90)
#: Significance labels, from hottest to coldest.
CLASSES = (
    "hot 99%",
    "hot 95%",
    "hot 90%",
    NOT_SIGNIFICANT,
    "cold 90%",
    "cold 95%",
    "cold 99%",
)

Neighbours = float | Literal["queen", "rook"] | None


def distance_band_weights(x: np.ndarray, y: np.ndarray, threshold_m: float) -> sparse.csr_matrix:
    """Binary weights: 1 between cells whose centroids are at most ``threshold_m`` apart.

    The diagonal is 1 (Gi* counts the cell itself).
    """
    if not (np.isfinite(threshold_m) and threshold_m > 0):
        raise ValueError(f"threshold_m must be a positive distance in metres, got {threshold_m!r}")
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(threshold_m, output_type="ndarray")
    n = len(x)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))


def contiguity_weights(
    geometry: gpd.GeoSeries, kind: Literal["queen", "rook"] = "queen"
) -> sparse.csr_matrix:
    """Binary queen (shared edge or corner) or rook (shared edge) weights, diagonal 1."""
    from libpysal import weights as lpw

    if kind not in ("queen", "rook"):
        raise ValueError(f"kind must be 'queen' or 'rook', got {kind!r}")
    frame = gpd.GeoDataFrame(geometry=geometry.reset_index(drop=True))
    builder = lpw.Queen if kind == "queen" else lpw.Rook
    w = builder.from_dataframe(frame, use_index=False, silence_warnings=True)
    matrix = sparse.csr_matrix(w.sparse, dtype=float)
    matrix.data[:] = 1.0
    return (matrix + sparse.identity(len(frame), format="csr")).tocsr()


def spatial_weights(
    geometry: gpd.GeoSeries, x: np.ndarray, y: np.ndarray, neighbours: Neighbours = None
) -> sparse.csr_matrix:
    """Weights for Gi* from a ``neighbours`` choice.

    Parameters
    ----------
    neighbours
        A distance band in metres (float); ``"queen"`` or ``"rook"`` contiguity; or ``None``
        for a distance band of 1.5 times the median cell side (``sqrt(area)``), which on a
        square grid is exactly the queen neighbourhood (the 8 surrounding cells).
    """
    if neighbours is None:
        side = float(np.median(np.sqrt(geometry.area.to_numpy(dtype=float))))
        return distance_band_weights(x, y, 1.5 * side)
    if isinstance(neighbours, str):
        if neighbours not in ("queen", "rook"):
            raise ValueError(
                f"neighbours must be a distance in metres, 'queen' or 'rook', got {neighbours!r}"
            )
        return contiguity_weights(geometry, neighbours)
    return distance_band_weights(x, y, float(neighbours))


def gi_star(values: np.ndarray, w: sparse.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Analytic Gi* z-scores and two-sided p-values for one or more columns of values.

    Parameters
    ----------
    values
        ``(n,)`` or ``(n, k)`` values per cell (one column per band).
    w
        ``(n, n)`` sparse weights including the diagonal.

    Returns
    -------
    z, p
        Arrays shaped like ``values``. Where a column is constant (no variation, e.g. no
        incidents), z is 0 and p is 1.
    """
    x = np.asarray(values, dtype=float)
    flat = x.ndim == 1
    x2 = x[:, None] if flat else x
    n = x2.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"w must be {n}x{n} to match values, got {w.shape}")
    if n < 2:
        raise ValueError(f"Gi* needs at least 2 cells, got {n}")
    wc = sparse.csr_matrix(w)
    w_sum = np.asarray(wc.sum(axis=1)).ravel()
    s1 = np.asarray(wc.multiply(wc).sum(axis=1)).ravel()
    mean = x2.mean(axis=0)
    s = np.sqrt(np.maximum((x2**2).mean(axis=0) - mean**2, 0.0))
    lag = wc @ x2
    numerator = lag - np.outer(w_sum, mean)
    spread = np.sqrt(np.maximum((n * s1 - w_sum**2) / (n - 1), 0.0))
    denominator = np.outer(spread, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    # the normal tail, as scipy.stats.norm.sf computes it, without importing scipy.stats
    p = 2.0 * special.ndtr(-np.abs(z))
    return (z[:, 0], p[:, 0]) if flat else (z, p)


def gi_star_permutation(
    values: np.ndarray, w: sparse.spmatrix, permutations: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* with conditional-permutation inference (esda ``G_Local``), for one column.

    Returns esda's permutation z-scores (``z_sim``) and two-sided pseudo p-values
    (``min(1, 2 * p_sim)``). Slow on large grids: 999 permutations of 10,000 cells take
    many seconds.
    """
    from esda.getisord import G_Local
    from libpysal.weights import WSP

    if permutations < 1:
        raise ValueError(f"permutations must be >= 1, got {permutations!r}")
    wsp = WSP(sparse.csr_matrix(w)).to_W(silence_warnings=True)
    result = G_Local(
        np.asarray(values, dtype=float),
        wsp,
        transform="B",
        star=True,
        permutations=permutations,
        seed=seed,
        n_jobs=1,
    )
    z = np.nan_to_num(np.asarray(result.z_sim, dtype=float))
    p = np.minimum(1.0, 2.0 * np.asarray(result.p_sim, dtype=float))
    return z, p


def benjamini_hochberg(p: np.ndarray, alpha: float) -> np.ndarray:
    """Cells significant at false-discovery rate ``alpha`` (Benjamini–Hochberg step-up)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    pv = np.asarray(p, dtype=float)
    m = len(pv)
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(pv, kind="stable")
    passed = pv[order] <= alpha * np.arange(1, m + 1) / m
    if not passed.any():
        return np.zeros(m, dtype=bool)
    cutoff = pv[order][np.flatnonzero(passed).max()]
    return pv <= cutoff


def significance_classes(z: np.ndarray, p: np.ndarray, *, fdr: bool = False) -> np.ndarray:
    """Label each cell ``"hot 99%"`` ... ``"not significant"`` ... ``"cold 99%"``.

    A cell is significant at level L when ``p < 1 - L`` or, with ``fdr=True``, when it passes
    Benjamini–Hochberg at rate ``1 - L`` over all cells of the column. The highest level
    passed wins; the sign of z says hot or cold.
    """
    zs = np.asarray(z, dtype=float)
    ps = np.asarray(p, dtype=float)
    labels = np.full(zs.shape, NOT_SIGNIFICANT, dtype=object)
    for level in sorted(LEVELS):  # weakest first, stronger levels overwrite
        alpha = round(1.0 - level, 10)
        passed = benjamini_hochberg(ps, alpha) if fdr else ps < alpha
        pct = f"{round(level * 100)}%"
        labels[passed & (zs > 0)] = f"hot {pct}"
        labels[passed & (zs < 0)] = f"cold {pct}"
    return labels
