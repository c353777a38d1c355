"""Staggered shift starts with CP-SAT against fixed 08/16/00 shifts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.staffing.shifts import (
    ShiftBlock,
    ShiftOptions,
    on_duty_of,
    propose_shifts,
    risk_hour_profile,
)

FAST = ShiftOptions(time_limit_s=1.0)


def evening_profile() -> np.ndarray:
    """Risk concentrated 18:00-02:00, a little elsewhere."""
    p = np.ones(24)
    p[[18, 19, 20, 21, 22, 23, 0, 1]] = 10.0
    return p


def test_staggered_starts_follow_an_evening_peak() -> None:
    result = propose_shifts(evening_profile(), 6, FAST)
    assert result.has_profile and result.status == "OPTIMAL"
    assert sum(b.people for b in result.proposed.blocks) == 6
    assert all(b.length_h == 8 for b in result.proposed.blocks)
    # The proposal puts people on the 18-02 peak, which the fixed shifts split in two.
    assert result.improvement > 0
    assert result.proposed.score > result.fixed.score
    assert result.proposed.on_duty[20] >= result.fixed.on_duty[20]
    assert len(result.proposed.blocks) <= FAST.max_starts
    # Someone is on duty every hour (6 people x 8 h covers the day).
    assert min(result.proposed.on_duty) >= 1


def test_a_flat_profile_gains_nothing_from_staggering() -> None:
    result = propose_shifts(np.ones(24), 6, FAST)
    assert result.improvement == pytest.approx(0.0, abs=1e-9)


def test_no_hourly_profile_keeps_fixed_shifts_and_says_so() -> None:
    result = propose_shifts(None, 7, FAST)
    assert not result.has_profile and result.status == "NO_PROFILE"
    assert [b.name for b in result.proposed.blocks] == ["00-08", "08-16", "16-24"]
    assert sorted(b.people for b in result.proposed.blocks) == [2, 2, 3]
    assert any("dates only" in n for n in result.notes)


def test_profile_from_incidents_skips_date_only_rows() -> None:
    at = pd.to_datetime(["2024-01-01 21:30", "2024-01-02 21:10", "2024-01-03 00:00"]).tz_localize(
        "UTC"
    )
    incidents = pd.DataFrame({"occurred_at": at, "time_known": [True, True, False]})
    profile = risk_hour_profile(incidents)
    assert profile is not None and profile[21] == 2 and profile.sum() == 2
    assert risk_hour_profile(incidents.assign(time_known=False)) is None


def test_blocks_across_midnight() -> None:
    night = ShiftBlock(22, 8, 2)
    assert night.name == "22-06" and night.hours()[-1] == 5
    assert ShiftBlock(16, 8, 1).name == "16-24"
    on = on_duty_of([night])
    assert on[23] == 2 and on[5] == 2 and on[6] == 0


def test_bad_inputs_name_the_argument() -> None:
    with pytest.raises(ValueError, match="profile"):
        propose_shifts(np.ones(23), 3, FAST)
    with pytest.raises(ValueError, match="headcount"):
        propose_shifts(np.ones(24), -1, FAST)
    with pytest.raises(ValueError, match="lengths_h"):
        ShiftOptions(lengths_h=(0,))
