"""Getis-Ord Gi*: equality with esda, a planted cluster, FDR."""

from __future__ import annotations

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import WSP

from geo.hotspots.gistar import (
    benjamini_hochberg,
    distance_band_weights,
    gi_star,
    significance_classes,
)


def _lattice(n: int, size: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return (jj.ravel() + 0.5) * size, (ii.ravel() + 0.5) * size


def _planted(n: int = 20, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x, y = _lattice(n)
    values = rng.poisson(2.0, size=n * n).astype(float)
    cluster = (np.abs(x - 1050) < 200) & (np.abs(y - 1050) < 200)  # 4 x 4 cells
    values[cluster] += 12.0
    return x, y, values


def test_z_equals_esda_binary_star_to_1e6() -> None:
    x, y, values = _planted()
    w = distance_band_weights(x, y, 150.0)  # queen on a 100 m lattice, diagonal 1
    z, p = gi_star(values, w)
    ref = G_Local(
        values, WSP(w).to_W(silence_warnings=True), transform="B", star=True, permutations=0
    )
    assert np.max(np.abs(z - ref.Zs)) < 1e-6
    assert np.max(np.abs(p - 2 * ref.p_norm)) < 1e-6  # esda's p_norm is one-sided


def test_planted_cluster_is_hot_at_99_percent() -> None:
    x, y, values = _planted()
    z, p = gi_star(values, distance_band_weights(x, y, 150.0))
    labels = significance_classes(z, p)
    centre = np.argmin((x - 1050) ** 2 + (y - 1050) ** 2)
    assert labels[centre] == "hot 99%"
    far = np.argmin(x**2 + y**2)
    assert not str(labels[far]).startswith("hot")


def test_columns_are_bands_and_constant_columns_give_zero() -> None:
    x, y, values = _planted()
    w = distance_band_weights(x, y, 150.0)
    z, p = gi_star(np.column_stack([values, np.zeros_like(values)]), w)
    assert z.shape == (400, 2)
    assert np.allclose(z[:, 0], gi_star(values, w)[0])
    assert np.all(z[:, 1] == 0) and np.all(p[:, 1] == 1)


def test_fdr_reduces_significant_cells() -> None:
    rng = np.random.default_rng(3)
    x, y = _lattice(30)
    values = rng.poisson(3.0, size=900).astype(float)  # no structure: few real hot spots
    z, p = gi_star(values, distance_band_weights(x, y, 150.0))
    plain = (significance_classes(z, p) != "not significant").sum()
    fdr = (significance_classes(z, p, fdr=True) != "not significant").sum()
    assert fdr < plain


def test_benjamini_hochberg_by_hand() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.9])
    # thresholds k/5 * 0.05: 0.01, 0.02, 0.03, 0.04, 0.05 -> largest passing k = 2
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True, False, False, False]
    with pytest.raises(ValueError, match="alpha must be in"):
        benjamini_hochberg(p, 1.5)
