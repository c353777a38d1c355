"""The review against simulated tracks with known truth: which stops were visited, when, how
long."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.review import review_plan
from planner.units import Mode
from tests.tracksim import TrackSimOptions, grid_cells, grid_plan, simulate_tracks


def _review(mode: Mode, speed: float, seed: int, **sim: float):
    plan, tasks, units, stations = grid_plan(
        units=3, stops=10, seed=seed, mode=mode, speed_mps=speed
    )
    tracks = simulate_tracks(plan, stations, TrackSimOptions(seed=seed, bad_fixes=0, **sim))
    review = review_plan(plan, tasks, units, grid_cells(), tracks.fixes)
    merged = review.stops.merge(
        tracks.truth, on=["unit_id", "order", "task_id"], suffixes=("", "_true"), validate="1:1"
    )
    return review, tracks, merged


@pytest.mark.parametrize(
    ("mode", "speed", "seed"), [(Mode.CAR, 6.94, 1), (Mode.FOOT, 1.25, 2), (Mode.BICYCLE, 3.33, 3)]
)
def test_visited_and_missed_stops_match_the_truth(mode: Mode, speed: float, seed: int) -> None:
    review, tracks, merged = _review(mode, speed, seed, skip_share=0.25)
    assert merged["visited_true"].sum() > 0 and (~merged["visited_true"]).sum() > 0
    # a skipped stop is never reported visited, and every stop held is found
    assert (merged["visited"] == merged["visited_true"]).all(), merged[
        merged["visited"] != merged["visited_true"]
    ][["unit_id", "order", "visited", "visited_true"]]
    units = review.units.set_index("unit_id")
    truth = tracks.truth.groupby("unit_id")["visited"].sum()
    assert (units["stops_visited"] == truth.reindex(units.index)).all()


@pytest.mark.parametrize(("mode", "speed", "seed"), [(Mode.CAR, 6.94, 4), (Mode.FOOT, 1.25, 5)])
def test_arrival_and_dwell_match_the_truth(mode: Mode, speed: float, seed: int) -> None:
    _, _, merged = _review(mode, speed, seed, skip_share=0.0, noise_m=3.0)
    both = merged[merged["visited"] & merged["visited_true"]]
    radius = 60.0
    crossing = radius / speed + 5  # entering the radius before reaching the point
    arrive_error = both["arrive_s"] - both["arrive_s_true"]
    assert (arrive_error <= 5).all() and (arrive_error >= -crossing).all()
    dwell_error = both["dwell_s"] - both["dwell_s_true"]
    assert (dwell_error >= -5).all() and (dwell_error <= 2 * crossing + 5).all()
    # delays are the simulated lateness: never early beyond the crossing of the radius
    assert (both["delay_s"] >= -crossing).all()


def test_gaps_and_bad_fixes_do_not_invent_presence() -> None:
    plan, tasks, units, stations = grid_plan(units=2, stops=6, seed=7)
    tracks = simulate_tracks(plan, stations, TrackSimOptions(seed=7, gaps=3, bad_fixes=0))
    review = review_plan(plan, tasks, units, grid_cells(), tracks.fixes)
    fixes = tracks.fixes.sort_values(["unit_id", "wall_s"])
    span = fixes.groupby("unit_id")["wall_s"].agg(
        lambda t: np.diff(t.to_numpy()).clip(0, 120).sum()
    )
    actual = review.units.set_index("unit_id")["actual_presence_min"] * 60
    # presence is never more than the time covered by fixes (gaps count nowhere)
    assert (actual <= span.reindex(actual.index) + 1.0).all()


def test_the_simulator_is_seeded() -> None:
    plan, _, _, stations = grid_plan(units=1, stops=4, seed=3)
    a = simulate_tracks(plan, stations, TrackSimOptions(seed=11))
    b = simulate_tracks(plan, stations, TrackSimOptions(seed=11))
    pd.testing.assert_frame_equal(a.fixes, b.fixes)
    c = simulate_tracks(plan, stations, TrackSimOptions(seed=12))
    assert not a.fixes["x"].equals(c.fixes["x"])
    assert a.fixes["bad"].sum() == TrackSimOptions().bad_fixes
