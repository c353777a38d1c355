"""Hit rate, PAI and PEI* against hand-computed examples on a tiny 4-cell grid."""

from __future__ import annotations

import numpy as np
import pytest

from geo.hotspots.metrics import (
    best_hits,
    flag_fractions,
    hit_rate,
    hits,
    pai,
    pei,
    pooled_metrics,
)

AREA = np.array([1.0, 1.0, 1.0, 1.0])  # four equal cells
COUNTS = np.array([6.0, 3.0, 1.0, 0.0])  # 10 incidents in the test period


def test_quarter_of_area_flags_the_top_cell() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.0])  # ranks cell 1 first (3 incidents), cell 2 next
    # share 0.25 = exactly one cell: cell 1 -> 3 hits of 10
    assert hits(scores, COUNTS, AREA, 0.25) == pytest.approx(3.0)
    assert hit_rate(scores, COUNTS, AREA, 0.25) == pytest.approx(0.3)
    assert pai(scores, COUNTS, AREA, 0.25) == pytest.approx(0.3 / 0.25)
    # best possible at one cell is cell 0 with 6 -> PEI* = 3/6
    assert best_hits(COUNTS, AREA, 0.25) == pytest.approx(6.0)
    assert pei(scores, COUNTS, AREA, 0.25) == pytest.approx(0.5)


def test_partial_cell_counts_by_the_area_fraction_needed() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.0])
    # share 0.375 = 1.5 cells: cell 1 whole (3) + half of cell 2 (0.5) = 3.5 of 10
    assert hits(scores, COUNTS, AREA, 0.375) == pytest.approx(3.5)
    assert pai(scores, COUNTS, AREA, 0.375) == pytest.approx(0.35 / 0.375)
    # best: cell 0 (6) + half of cell 1 (1.5) = 7.5 -> PEI* = 3.5/7.5
    assert pei(scores, COUNTS, AREA, 0.375) == pytest.approx(3.5 / 7.5)


def test_ties_straddling_the_threshold_count_fractionally_whatever_the_order() -> None:
    scores = np.array([1.0, 1.0, 1.0, 0.0])  # three cells tied on top
    # share 0.25 = 1 of 3 tied cells: each flagged 1/3 -> (6+3+1)/3 hits
    fractions = flag_fractions(scores, AREA, 0.25)
    assert fractions == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0.0])
    assert hits(scores, COUNTS, AREA, 0.25) == pytest.approx(10 / 3)
    reordered = np.array([0.0, 1.0, 1.0, 1.0])
    assert hits(reordered, COUNTS[::-1], AREA, 0.25) == pytest.approx(10 / 3)


def test_unequal_areas_flag_until_the_cumulative_area_reaches_the_share() -> None:
    area = np.array([2.0, 1.0, 1.0])  # total 4
    counts = np.array([4.0, 4.0, 0.0])
    scores = np.array([3.0, 2.0, 1.0])
    # share 0.5 = area 2 = the whole big cell 0: 4 of 8 hits; best takes the dense cell 1
    # (density 4) plus half of cell 0 (density 2): 4 + 2 = 6
    assert hits(scores, counts, area, 0.5) == pytest.approx(4.0)
    assert best_hits(counts, area, 0.5) == pytest.approx(6.0)
    assert pei(scores, counts, area, 0.5) == pytest.approx(4 / 6)


def test_pooled_metrics_sum_hits_over_periods() -> None:
    p1, o1 = np.array([1.0, 0, 0, 0]), np.array([2.0, 2, 0, 0])
    p2, o2 = np.array([0.0, 1, 0, 0]), np.array([0.0, 0, 4, 0])
    out = pooled_metrics([p1, p2], [o1, o2], AREA, shares=(0.25,))
    # hits 2 + 0 of 8 incidents; best 2 + 4
    assert out["hit_rate"][0.25] == pytest.approx(0.25)
    assert out["pai"][0.25] == pytest.approx(1.0)
    assert out["pei"][0.25] == pytest.approx(2 / 6)


def test_bad_share_is_named() -> None:
    with pytest.raises(ValueError, match=r"share must be in \(0, 1\], got 1.5"):
        flag_fractions(np.ones(4), AREA, 1.5)
