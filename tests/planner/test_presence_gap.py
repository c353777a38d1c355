"""The recovery-gap rule (revisits about every 1.5-2 h, not at the clock hour) and its bound.

Hand-computed values, the bound against the exact optimum of tiny instances (every timeline of
one unit enumerated), property tests (the gap rule never exceeds the clock-hour rule, a longer
gap never adds value, the bound holds for random plans of several units) and the solver's
hour-slot visits keeping full visits a gap apart.
"""

from __future__ import annotations

import itertools
from functools import cache

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.network.modes import Mode
from planner.plan import compile_with_gaps, plan_patrols
from planner.presence import (
    ModeTime,
    PresenceInterval,
    PresenceRule,
    gap_value,
    minutes_by_cell_hour,
    plan_value,
    presence_bound,
    presence_bound_gap,
    presence_value,
    window_capacity,
)
from planner.problem import PatrolProblem, compile_problem
from planner.sources import PresenceTaskOptions, presence_tasks, stay_dwells
from planner.travel import StreetTravel
from planner.units import Unit

H = 3600
M = 60
GAP = PresenceRule(dwell_min=12.0, repeat_value=0.5, visits=3, recover_min=90.0)
HOURLY = PresenceRule(dwell_min=12.0, repeat_value=0.5, visits=3)
RISK = pd.DataFrame(
    {
        "cell_id": ["A", "A", "A", "B", "B", "B"],
        "hour_start_s": [16 * H, 17 * H, 18 * H] * 2,
        "risk": [2.0, 4.0, 1.0, 1.0, 3.0, 0.5],
    }
)


def t(h: int, m: int) -> int:
    return h * H + m * M


def value(*spans: tuple[int, int], cell: str = "A", rule: PresenceRule = GAP) -> float:
    return gap_value([PresenceInterval(cell, a, b) for a, b in spans], RISK, rule)


# ---- hand-computed values


def test_one_visit_counts_its_dwell_fully_then_halves() -> None:
    assert value((t(16, 0), t(16, 12))) == pytest.approx(2.0)
    assert value((t(16, 0), t(16, 36))) == pytest.approx(2.0 * 1.75)
    assert value((t(16, 0), t(16, 50))) == pytest.approx(2.0 * 1.75)  # three dwells at most


def test_a_revisit_within_the_gap_counts_half_even_in_the_next_hour() -> None:
    # 16:50-17:02 then 17:10-17:22: the clock-hour rule counts the second fully in hour 17
    both = ((t(16, 50), t(17, 2)), (t(17, 10), t(17, 22)))
    assert value(*both) == pytest.approx(2 * 10 / 12 + 4 * (2 / 12 + 0.5))
    assert value(*both, rule=HOURLY) == pytest.approx(2 * 10 / 12 + 4 * (1 + 0.5 * 2 / 12))


def test_value_recovers_after_the_gap_whatever_the_clock() -> None:
    # last presence ends 16:12; 17:45 is 93 min later: full again
    assert value((t(16, 0), t(16, 12)), (t(17, 45), t(17, 57))) == pytest.approx(2 + 4)
    # 17:25 is 73 min later: the first visit is still in the window for the whole revisit
    assert value((t(16, 0), t(16, 12)), (t(17, 25), t(17, 37))) == pytest.approx(2 + 4 * 0.5)
    # 16:30 within the same hour: half, as under the clock-hour rule
    assert value((t(16, 0), t(16, 12)), (t(16, 30), t(16, 42))) == pytest.approx(2 + 1)


def test_the_window_slides_out_during_a_revisit() -> None:
    # first visit 16:00-16:12, revisit 17:36-17:48 (84 min later): at 17:36 the window
    # [16:06, 17:36) holds 6 min of the first visit; it slides out at the rate the revisit
    # adds, so the window stays at 6 min (< one dwell) and the revisit counts fully
    assert value((t(16, 0), t(16, 12)), (t(17, 36), t(17, 48))) == pytest.approx(2 + 4)
    # revisit 17:20-17:44: window 12 min at 17:20 (rate 1/2) until 17:30, then the first visit
    # slides out as fast as the revisit adds: 12 min stays in the window, half value
    assert value((t(16, 0), t(16, 12)), (t(17, 20), t(17, 44))) == pytest.approx(2 + 4 * 0.5 * 2)


def test_two_units_together_share_the_diminishing_returns() -> None:
    both = [
        PresenceInterval("A", t(16, 0), t(16, 12), "u1"),
        PresenceInterval("A", t(16, 0), t(16, 12), "u2"),
    ]
    assert gap_value(both, RISK, GAP) == pytest.approx(2 * 1.5)
    assert presence_value(minutes_by_cell_hour(both), RISK, HOURLY) == pytest.approx(2 * 1.5)


def test_cells_and_hours_without_risk_are_worth_nothing() -> None:
    assert value((t(16, 0), t(16, 12)), cell="Z") == 0.0
    assert value((t(20, 0), t(20, 12))) == 0.0


def test_without_a_gap_the_rule_is_the_clock_hour_rule() -> None:
    spans = [
        PresenceInterval("A", t(16, 50), t(17, 2)),
        PresenceInterval("A", t(17, 10), t(17, 22)),
    ]
    assert plan_value(spans, RISK, HOURLY) == pytest.approx(
        presence_value(minutes_by_cell_hour(spans), RISK, HOURLY)
    )


@pytest.mark.parametrize("bad", [0.0, 30.0, 59.0, 241.0])
def test_a_gap_shorter_than_an_hour_is_refused_with_the_range(bad: float) -> None:
    with pytest.raises(ValueError, match=r"recover_min: expected minutes from 60 to 240"):
        PresenceRule(recover_min=bad)
    with pytest.raises(ValueError, match="recover_min"):
        PresenceTaskOptions(recover_min=bad)


# ---- properties

spans_strategy = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.integers(t(16, 0), t(18, 50)),
        st.integers(1, 50 * M),
        st.sampled_from(["u1", "u2", "u3"]),
    ),
    max_size=8,
)


def intervals_of(raw: list[tuple[str, int, int, str]]) -> list[PresenceInterval]:
    return [PresenceInterval(c, s, min(s + d, 19 * H), u) for c, s, d, u in raw]


@given(spans_strategy, st.floats(60, 240))
@settings(max_examples=150, deadline=None)
def test_the_gap_rule_never_exceeds_the_clock_hour_rule(
    raw: list[tuple[str, int, int, str]], gap: float
) -> None:
    intervals = intervals_of(raw)
    rule = PresenceRule(12, 0.5, 3, gap)
    hourly = presence_value(minutes_by_cell_hour(intervals), RISK, HOURLY)
    got = gap_value(intervals, RISK, rule)
    assert 0.0 <= got <= hourly + 1e-9
    # nor the value of every minute at full rate
    full = sum(
        r * m / 12
        for r, m in zip(
            minutes_by_cell_hour(intervals).merge(RISK, on=["cell_id", "hour_start_s"])["risk"],
            minutes_by_cell_hour(intervals).merge(RISK, on=["cell_id", "hour_start_s"])["minutes"],
            strict=True,
        )
    )
    assert got <= full + 1e-9


@given(spans_strategy, st.floats(60, 150), st.floats(0, 90))
@settings(max_examples=100, deadline=None)
def test_a_longer_gap_never_adds_value(
    raw: list[tuple[str, int, int, str]], gap: float, more: float
) -> None:
    intervals = intervals_of(raw)
    shorter = gap_value(intervals, RISK, PresenceRule(12, 0.5, 3, gap))
    longer = gap_value(intervals, RISK, PresenceRule(12, 0.5, 3, gap + more))
    assert longer <= shorter + 1e-9


@given(st.integers(t(16, 0), t(18, 0)), st.integers(1, 60 * M), st.floats(60, 240))
@settings(deadline=None)
def test_a_single_visit_within_one_hour_is_valued_as_by_the_clock_hour_rule(
    start: int, length: int, gap: float
) -> None:
    end = min(start + length, (start // H + 1) * H)
    one = [PresenceInterval("A", start, end)]
    assert gap_value(one, RISK, PresenceRule(12, 0.5, 3, gap)) == pytest.approx(
        presence_value(minutes_by_cell_hour(one), RISK, HOURLY)
    )


@st.composite
def unit_plans(draw: st.DrawFn) -> tuple[list[PresenceInterval], list[tuple[float, float]]]:
    """Plans of 1-3 units, each in one place at a time, within 16:00-19:00."""
    intervals: list[PresenceInterval] = []
    windows: list[tuple[float, float]] = []
    for u in range(draw(st.integers(1, 3))):
        clock = t(16, 0) + draw(st.integers(0, 30)) * M
        windows.append((float(t(16, 0)), float(t(19, 0))))
        for _ in range(draw(st.integers(0, 8))):
            clock += draw(st.integers(0, 40)) * M  # travel or waiting
            length = draw(st.integers(1, 40)) * M
            if clock + length > t(19, 0):
                break
            intervals.append(
                PresenceInterval(draw(st.sampled_from(["A", "B"])), clock, clock + length, f"u{u}")
            )
            clock += length
    return intervals, windows


@given(unit_plans(), st.floats(60, 240))
@settings(max_examples=150, deadline=None)
def test_the_bound_holds_for_random_plans_of_several_units(
    plan: tuple[list[PresenceInterval], list[tuple[float, float]]], gap: float
) -> None:
    intervals, windows = plan
    rule = PresenceRule(12, 0.5, 3, gap)
    total = sum(b - a for a, b in windows) / 60.0
    got = gap_value(intervals, RISK, rule)
    assert presence_bound_gap(RISK, rule, windows, total) >= got - 1e-9


def test_the_gap_bound_is_no_looser_than_the_clock_hour_bound() -> None:
    windows = [(float(t(16, 0)), float(t(19, 0)))] * 2
    hour_cap = {h: window_capacity(windows, h, H) for h in (16 * H, 17 * H, 18 * H)}
    assert hour_cap == {16 * H: 120.0, 17 * H: 120.0, 18 * H: 120.0}
    hourly = presence_bound(RISK, HOURLY, hour_cap, 360.0)
    gap = presence_bound_gap(RISK, GAP, windows, 360.0)
    assert gap <= hourly + 1e-12
    # the clock-hour bound: each cell-hour's three pieces fit the hour capacity
    assert hourly == pytest.approx(1.75 * RISK["risk"].sum())


def test_under_flat_risk_the_gap_bound_is_the_optimum() -> None:
    flat = pd.DataFrame(
        {"cell_id": ["A"] * 3, "hour_start_s": [16 * H, 17 * H, 18 * H], "risk": [1.0] * 3}
    )
    windows = [(float(t(16, 0)), float(t(19, 0)))]
    hour_cap = {h: window_capacity(windows, h, H) for h in (16 * H, 17 * H, 18 * H)}
    # the clock hours allow three fresh starts; 90 minutes of absence allow two
    assert presence_bound(flat, HOURLY, hour_cap, 180.0) == pytest.approx(3 * 1.75)
    assert presence_bound_gap(flat, GAP, windows, 180.0) == pytest.approx(2 * 1.75)
    best = gap_value(
        [PresenceInterval("A", t(16, 0), t(16, 36)), PresenceInterval("A", t(18, 6), t(18, 42))],
        flat,
        GAP,
    )
    assert best == pytest.approx(2 * 1.75)


# ---- the bound against the exact optimum of tiny instances

STEP = 12 * M  # one dwell


@cache
def _timelines(steps: int, far: int) -> tuple[tuple[str, ...], ...]:
    """Every timeline of one unit in 12-minute steps: at ``A``, at ``B`` or on the move
    (``-``; moving between any two places takes one step, and ``far`` steps to ``B`` from the
    station), starting and ending at the station."""
    out: list[tuple[str, ...]] = []

    def walk(place: str, left: int, seq: tuple[str, ...]) -> None:
        back = 0 if place == "S" else (far if place == "B" else 1)
        if left < back:
            return
        if left == back:
            out.append(seq + ("-",) * back)
            return
        if place in ("A", "B"):
            walk(place, left - 1, (*seq, place))
        for nxt in ("A", "B", "S"):
            if nxt == place:
                continue
            cost = far if "S" in (place, nxt) and "B" in (place, nxt) else 1
            if cost <= left:
                walk(nxt, left - cost, seq + ("-",) * cost)

    walk("S", steps, ())
    return tuple(out)


def _intervals(seq: tuple[str, ...], start: int) -> list[PresenceInterval]:
    out = []
    for place, group in itertools.groupby(enumerate(seq), key=lambda e: e[1]):
        items = list(group)
        if place in ("A", "B"):
            a = start + items[0][0] * STEP
            out.append(PresenceInterval(place, a, a + len(items) * STEP))
    return out


@pytest.mark.parametrize(
    ("rule", "start", "steps", "far"),
    [
        (GAP, t(16, 30), 10, 1),
        (GAP, t(16, 0), 11, 2),
        (PresenceRule(12, 0.5, 2, 60.0), t(16, 6), 10, 1),
        (PresenceRule(12, 0.8, 3, 120.0), t(16, 30), 10, 2),
        (HOURLY, t(16, 30), 10, 1),
    ],
)
def test_the_bound_is_above_the_exact_optimum_of_one_unit(
    rule: PresenceRule, start: int, steps: int, far: int
) -> None:
    timelines = _timelines(steps, far)
    assert len(timelines) > 500  # really enumerating
    best = max(plan_value(_intervals(seq, start), RISK, rule) for seq in timelines)
    end = start + steps * STEP
    least = 2 * STEP  # out to A and back: no timeline avoids it
    bound = presence_bound_gap(RISK, rule, [(float(start), float(end))], (end - start - least) / 60)
    assert best > 0
    assert bound >= best - 1e-9
    # a bound worth stating: within a factor of two of the optimum on these instances
    assert best / bound > 0.5
    # every stay is reached by one step (12 min) of travel at least: the travel-aware LP is
    # a bound too, and no looser
    travel = ModeTime(((float(start), float(end)),), (end - start) / 60, 0, {"A": 12.0, "B": 12.0})
    tighter = presence_bound_gap(
        RISK, rule, [(float(start), float(end))], (end - start - least) / 60, modes=[travel]
    )
    if rule.recover_min is not None:
        assert best - 1e-9 <= tighter <= bound + 1e-9


# ---- hour-slot visits under the gap rule


def _slots(recover: float | None, unit_minutes: float = 20.0) -> PatrolProblem:
    hourly = pd.DataFrame(
        {"cell_id": ["A"] * 4, "hour_start_s": [16 * H, 17 * H, 18 * H, 19 * H], "risk": [1.0] * 4}
    )
    tasks = presence_tasks(
        hourly,
        {"A": (40.0, 0.0)},
        PresenceTaskOptions(dwell_min=12, visits=2, recover_min=recover),
        shift_start_s=16 * H,
        shift_end_s=20 * H,
        unit_minutes=unit_minutes,
    )
    unit = Unit("F1", Mode.FOOT, "s", "s", 16 * H, 20 * H)
    return PatrolProblem(tasks=tasks, units=(unit,), stations={"s": (0.0, 0.0)})


def test_full_visits_of_a_cell_are_chained_by_the_gap() -> None:
    problem = _slots(90.0)
    compiled = compile_with_gaps(problem, StreetTravel())
    gaps = {
        (compiled.task_of(g.node_a).task_id, compiled.task_of(g.node_b).task_id, g.gap_s)  # type: ignore[union-attr]
        for g in compiled.routing.min_gaps
    }
    # every pair that could come too close: a full visit ends by :48, so the next hour's and
    # the one after are tied to it, three hours later is free
    assert gaps == {
        ("presence:A@16", "presence:A@17", 102 * M),
        ("presence:A@17", "presence:A@18", 102 * M),
        ("presence:A@18", "presence:A@19", 102 * M),
        ("presence:A@16", "presence:A@18", 102 * M),
        ("presence:A@17", "presence:A@19", 102 * M),
    }
    assert not compile_with_gaps(_slots(None), StreetTravel()).routing.min_gaps
    # the problem alone chains consecutive stays only
    assert len(compile_problem(problem, StreetTravel()).routing.min_gaps) == 3


def test_the_planned_full_visits_are_a_gap_apart_and_valued_by_the_rule() -> None:
    problem = _slots(90.0)
    plan = plan_patrols(problem, StreetTravel(), time_limit_s=3, max_iterations=300)
    # service starts (a unit may arrive early and wait at the place)
    starts = sorted(s.departure_s - 12 * M for r in plan.routes for s in r.stops)
    assert len(starts) >= 2
    assert all(b - a >= 102 * M for a, b in itertools.pairwise(starts))
    hourly = pd.DataFrame(
        {"cell_id": ["A"] * 4, "hour_start_s": [16 * H, 17 * H, 18 * H, 19 * H], "risk": [1.0] * 4}
    )
    windows = [(float(16 * H), float(20 * H))]
    got = plan_value(plan.presence, hourly, GAP)
    assert got > 2.0
    assert presence_bound_gap(hourly, GAP, windows, 240.0) >= got


def test_stays_lengthen_when_the_hotspot_cells_cannot_hold_the_units_time() -> None:
    options = PresenceTaskOptions(dwell_min=12, visits=3, recover_min=90)
    # 100 cells x (1 + 480 // 102 = 5) fresh 12-minute stays = 6000 min >= 1.5 x 3600
    assert stay_dwells(100, 480, 3600, options) == 1
    # 20 cells: 1200 min of 12-minute stays; 24-minute stays: 20 x 5 x 24 = 2400; 36: 2880
    assert stay_dwells(20, 480, 1500, options) == 2
    assert stay_dwells(20, 480, 3600, options) == 3
    problem = _slots(90.0, unit_minutes=240)
    prizes = {t.task_id: (t.dwell_s, t.prize, t.min_gap_s) for t in problem.tasks}
    # one cell, two dwells at most (visits=2): 24-minute stays worth gain(24) = 1.5, chained
    # by the gap after a 24-minute stay
    assert prizes["presence:A@17"] == (24 * M, pytest.approx(1.5), (90 + 24) * M)


def test_travel_into_every_stay_tightens_the_bound_when_it_binds() -> None:
    # ten cells of flat risk, one unit, three hours: without travel the unit could hold a
    # fresh stay somewhere all the time (15 dwells); with 12 minutes into every stay, a stay
    # of L minutes costs L + 12 for gain(L): 24-minute stays are best, 1.5 per 36 minutes
    cells = [f"c{k}" for k in range(10)]
    flat = pd.DataFrame(
        [(c, h * H, 1.0) for c in cells for h in (16, 17, 18)],
        columns=["cell_id", "hour_start_s", "risk"],
    )
    windows = [(float(t(16, 0)), float(t(19, 0)))]
    plain = presence_bound_gap(flat, GAP, windows, 180.0)
    travel = ModeTime(tuple(windows), 180.0, 0, {c: 12.0 for c in cells})
    tighter = presence_bound_gap(flat, GAP, windows, 180.0, modes=[travel])
    assert plain == pytest.approx(180 / 12, rel=1e-5)  # every minute at full value
    assert tighter == pytest.approx(5 * 1.5, rel=1e-5)
    # and a plan makes it: five times 12 minutes of travel and a 24-minute stay
    stays = [
        PresenceInterval(c, t(16, 12) + k * 36 * M, t(16, 36) + k * 36 * M)
        for k, c in enumerate(cells[:5])
    ]
    assert gap_value(stays, flat, GAP) == pytest.approx(5 * 1.5)
    # a break lets a unit stop twice at one place without travel: one more free stay
    rested = ModeTime(tuple(windows), 180.0, 1, {c: 12.0 for c in cells})
    assert presence_bound_gap(flat, GAP, windows, 180.0, modes=[rested]) > tighter
