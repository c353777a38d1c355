r"""Staggered shift starts (错时 / 弹性工作制): shift times that follow the hourly risk.

Given the people on duty per day and the hourly risk profile (24 values), CP-SAT chooses how
many people start at each full hour, with legal shift lengths, so that presence follows risk.

The model
---------
Shift types :math:`s = (a_s, L_s)` (start hour, length), :math:`x_s \in \{0..H\}` people,
:math:`u_s \in \{0, 1\}` whether the type is used; hour weights
:math:`w_h = r_h / \sum_g r_g` from the risk profile :math:`r`; the **need** of hour
:math:`h` is its share of the day's person-hours,
:math:`n_h = \lceil H L_0 w_h \rceil` (:math:`L_0` the first legal length).

.. math::

    \max \; \sum_h w_h \min(o_h, n_h) \quad\text{with}\quad o_h = \sum_{s \ni h} x_s

subject to :math:`\sum_s x_s = H`, :math:`x_s \le H u_s`, :math:`\sum_s u_s \le S_{max}`
(distinct start times) and :math:`o_h \ge m` (someone always on duty, when :math:`H` allows).
Ties go to fewer distinct start times. The **risk-weighted presence** above is reported for the
proposal and for the fixed 08/16/00 shifts with the same headcount split as well as possible
(the same model restricted to those starts), so the improvement is due to the start times only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from geo.hotspots import hour_profile
from geo.schema import OCCURRED_AT, TIME_KNOWN, WEIGHT
from planner.errors import PlanningError

#: The fixed shifts the proposal is compared with: 08-16, 16-24, 00-08.
FIXED_STARTS_H: tuple[int, ...] = (8, 16, 0)
HOURS = 24


@dataclass(frozen=True)
class ShiftOptions:
    """Rules for the proposed shifts.

    Attributes
    ----------
    lengths_h
        Legal shift lengths in hours (the first sets the hourly need).
    starts_h
        Allowed start hours (0-23).
    max_starts
        At most this many distinct (start, length) shift types.
    min_on_duty
        People on duty in every hour, when the headcount allows it.
    time_limit_s
        CP-SAT budget.
    seed
        CP-SAT random seed.
    """

    lengths_h: tuple[int, ...] = (8,)
    starts_h: tuple[int, ...] = tuple(range(24))
    max_starts: int = 4
    min_on_duty: int = 1
    time_limit_s: float = 2.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.lengths_h or any(not 1 <= L <= 24 for L in self.lengths_h):
            raise ValueError(f"lengths_h: expected hours in 1..24, got {self.lengths_h!r}")
        if not self.starts_h or any(not 0 <= s < 24 for s in self.starts_h):
            raise ValueError(f"starts_h: expected hours in 0..23, got {self.starts_h!r}")
        if self.max_starts < 1:
            raise ValueError(f"max_starts: expected at least 1, got {self.max_starts}")
        if self.min_on_duty < 0:
            raise ValueError(f"min_on_duty: expected >= 0, got {self.min_on_duty}")
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s: expected seconds > 0, got {self.time_limit_s}")


@dataclass(frozen=True)
class ShiftBlock:
    """``people`` starting at ``start_h`` for ``length_h`` hours every day."""

    start_h: int
    length_h: int
    people: int

    @property
    def end_h(self) -> int:
        return (self.start_h + self.length_h) % 24

    @property
    def name(self) -> str:
        end = self.start_h + self.length_h
        return f"{self.start_h:02d}-{(end if end == 24 else end % 24):02d}"

    def hours(self) -> tuple[int, ...]:
        return tuple((self.start_h + i) % 24 for i in range(self.length_h))


@dataclass(frozen=True)
class ShiftPattern:
    """Shift blocks and what they give hour by hour.

    Attributes
    ----------
    blocks
        Shift types with people, ordered by start.
    on_duty
        People on duty per clock hour (24 values).
    score
        Risk-weighted presence :math:`\\sum_h w_h \\min(o_h, n_h)`: people on duty
        averaged over risk, capped at the need.
    share_met
        ``score`` over its largest possible value :math:`\\sum_h w_h n_h`.
    """

    blocks: tuple[ShiftBlock, ...]
    on_duty: tuple[int, ...]
    score: float
    share_met: float


@dataclass(frozen=True)
class StaggeredShifts:
    """A staggered-shift proposal beside the fixed shifts.

    Attributes
    ----------
    headcount
        People on duty per day (each works one shift).
    has_profile
        Whether an hourly risk profile existed; without one the fixed shifts are kept.
    weights
        Hour weights :math:`w_h` (sum 1; uniform without a profile).
    need
        People needed per hour :math:`n_h`.
    fixed, proposed
        The fixed 08/16/00 shifts and the proposal (the same without a profile).
    status
        CP-SAT status of the proposal (``"NO_PROFILE"`` without one).
    notes
        What was done and why.
    """

    headcount: int
    has_profile: bool
    weights: tuple[float, ...]
    need: tuple[int, ...]
    fixed: ShiftPattern
    proposed: ShiftPattern
    status: str
    notes: tuple[str, ...]

    @property
    def improvement(self) -> float:
        """Gain in risk-weighted presence over the fixed shifts (people on duty, risk-weighted)."""
        return self.proposed.score - self.fixed.score

    @property
    def improvement_share(self) -> float:
        """Gain relative to the fixed shifts' score (0.1 = 10 % more)."""
        return self.improvement / self.fixed.score if self.fixed.score > 0 else 0.0


def risk_hour_profile(incidents: pd.DataFrame) -> np.ndarray | None:
    """Weighted incidents per local clock hour (24 values), or ``None`` if no time is known.

    Incidents whose source gave a date only (``time_known`` False) carry no hour and are left
    out; when none has a time of day there is no hourly profile at all.
    """
    if TIME_KNOWN not in incidents.columns or OCCURRED_AT not in incidents.columns:
        raise ValueError(
            f"incidents: need columns {OCCURRED_AT!r} and {TIME_KNOWN!r}; has "
            f"{list(incidents.columns)}"
        )
    known = incidents[TIME_KNOWN].fillna(False).astype(bool)
    if not known.any():
        return None
    weight = incidents[WEIGHT].to_numpy(dtype=float) if WEIGHT in incidents.columns else None
    return hour_profile(incidents[OCCURRED_AT], known, weight)


def _weights(profile: Sequence[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(profile, dtype=float)
    if values.shape != (HOURS,):
        raise ValueError(f"profile: expected 24 hourly values, got shape {values.shape}")
    if not np.all(np.isfinite(values)) or (values < 0).any():
        raise ValueError(f"profile: expected finite values >= 0, got {values.tolist()}")
    total = float(values.sum())
    if total <= 0:
        raise ValueError("profile: all 24 hourly values are zero; there is no hourly profile")
    return values / total


def hourly_need(weights: np.ndarray, headcount: int, length_h: int) -> np.ndarray:
    """:math:`n_h = \\lceil H L w_h \\rceil`: each hour's share of the day's person-hours."""
    return np.ceil(headcount * length_h * weights - 1e-9).astype(int)


def risk_weighted_presence(
    weights: np.ndarray, need: np.ndarray, on_duty: Sequence[int] | np.ndarray
) -> float:
    """:math:`\\sum_h w_h \\min(o_h, n_h)`: presence where it is needed, weighted by risk."""
    return float(np.sum(weights * np.minimum(np.asarray(on_duty), need)))


def on_duty_of(blocks: Sequence[ShiftBlock]) -> tuple[int, ...]:
    """People on duty per clock hour."""
    out = [0] * HOURS
    for b in blocks:
        for h in b.hours():
            out[h] += b.people
    return tuple(out)


def _pattern(blocks: Sequence[ShiftBlock], weights: np.ndarray, need: np.ndarray) -> ShiftPattern:
    ordered = tuple(sorted((b for b in blocks if b.people > 0), key=lambda b: b.start_h))
    on = on_duty_of(ordered)
    score = risk_weighted_presence(weights, need, on)
    best = float(np.sum(weights * need))
    return ShiftPattern(ordered, on, score, score / best if best > 0 else 0.0)


def _solve_blocks(
    weights: np.ndarray,
    need: np.ndarray,
    headcount: int,
    types: Sequence[tuple[int, int]],
    max_starts: int,
    min_on_duty: int,
    time_limit_s: float,
    seed: int,
) -> tuple[list[ShiftBlock], str]:
    model = cp_model.CpModel()
    scale = 10_000
    w_int = [round(float(w) / float(weights.max()) * scale) for w in weights]
    x = {t: model.new_int_var(0, headcount, f"x_{t[0]}_{t[1]}") for t in types}
    used = {t: model.new_bool_var(f"u_{t[0]}_{t[1]}") for t in types}
    for t in types:
        model.add(x[t] <= headcount * used[t])
        model.add(x[t] >= used[t])
    model.add(sum(used.values()) <= max_starts)
    model.add(sum(x.values()) == headcount)
    met = []
    for h in range(HOURS):
        on_h = sum(x[t] for t in types if h in ShiftBlock(t[0], t[1], 0).hours())
        m_h = model.new_int_var(0, int(need[h]), f"m_{h}")
        model.add(m_h <= on_h)
        if min_on_duty:
            model.add(on_h >= min_on_duty)
        met.append(m_h)
    # Presence dominates; among equal presence, fewer distinct start times.
    tie = len(types) + 1
    model.maximize(tie * sum(w * m for w, m in zip(w_int, met, strict=True)) - sum(used.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise PlanningError(
            f"staggered shifts: CP-SAT found no shift pattern for headcount {headcount} "
            f"(status {name}); check min_on_duty={min_on_duty} and max_starts={max_starts}"
        )
    blocks = [ShiftBlock(a, L, int(solver.value(x[(a, L)]))) for a, L in types]
    return blocks, name


def _floor_for(headcount: int, longest_h: int, min_on_duty: int) -> int:
    """``min_on_duty`` if the headcount can keep it round the clock, else 0."""
    return min_on_duty if headcount * longest_h >= HOURS * min_on_duty else 0


def propose_shifts(
    profile: Sequence[float] | np.ndarray | None,
    headcount: int,
    options: ShiftOptions | None = None,
) -> StaggeredShifts:
    """Shift start times that match the hourly risk better than fixed 08/16/00 shifts.

    Parameters
    ----------
    profile
        Risk (or weighted incidents) per clock hour, 24 values; ``None`` when the data hold
        dates only, in which case the fixed shifts are kept and the reason is noted.
    headcount
        People on duty per day, each working one shift.
    options
        Legal lengths, allowed starts, limits.

    Returns
    -------
    StaggeredShifts

    Raises
    ------
    ValueError
        For a negative headcount or a malformed profile.
    PlanningError
        When CP-SAT finds no pattern (status named).
    """
    opts = options or ShiftOptions()
    if headcount < 0:
        raise ValueError(f"headcount: expected people >= 0, got {headcount}")
    length0 = opts.lengths_h[0]
    fixed_types = [(s, 8) for s in FIXED_STARTS_H]
    notes: list[str] = []
    if profile is None or float(np.sum(np.asarray(profile, dtype=float))) <= 0:
        weights = np.full(HOURS, 1.0 / HOURS)
        need = hourly_need(weights, headcount, 8)
        split = [headcount // 3 + (1 if i < headcount % 3 else 0) for i in range(3)]
        fixed = _pattern(
            [ShiftBlock(s, 8, p) for (s, _), p in zip(fixed_types, split, strict=True)],
            weights,
            need,
        )
        notes.append(
            "No hourly risk profile exists (the incidents carry dates only, no time of day): "
            "staggered starts cannot be matched to risk, so the fixed 08-16, 16-24 and 00-08 "
            "shifts are kept with the headcount split evenly."
        )
        return StaggeredShifts(
            headcount,
            False,
            tuple(weights.tolist()),
            tuple(need.tolist()),
            fixed,
            fixed,
            "NO_PROFILE",
            tuple(notes),
        )
    weights = _weights(profile)
    need = hourly_need(weights, headcount, length0)
    if headcount == 0:
        empty = _pattern([], weights, need)
        return StaggeredShifts(
            0,
            True,
            tuple(weights.tolist()),
            tuple(need.tolist()),
            empty,
            empty,
            "EMPTY",
            ("Headcount 0: no shift to place.",),
        )
    fixed_floor = _floor_for(headcount, 8, opts.min_on_duty)
    fixed_blocks, _ = _solve_blocks(
        weights, need, headcount, fixed_types, 3, fixed_floor, opts.time_limit_s, opts.seed
    )
    types = [(s, L) for L in opts.lengths_h for s in sorted(set(opts.starts_h))]
    floor = _floor_for(headcount, max(opts.lengths_h), opts.min_on_duty)
    blocks, status = _solve_blocks(
        weights, need, headcount, types, opts.max_starts, floor, opts.time_limit_s, opts.seed
    )
    fixed = _pattern(fixed_blocks, weights, need)
    proposed = _pattern(blocks, weights, need)
    if proposed.score < fixed.score:
        # Only possible when CP-SAT stopped early; the fixed split is then the better proposal.
        proposed, status = fixed, f"{status}_FIXED_KEPT"
    notes.append(
        f"Objective: risk-weighted presence sum_h w_h * min(on_duty_h, need_h), w_h the hour's "
        f"share of risk, need_h = ceil({headcount} people x {length0} h x w_h). Fixed shifts: "
        f"{', '.join(b.name for b in fixed.blocks)} with the best split of the same headcount."
    )
    if floor < opts.min_on_duty:
        notes.append(
            f"Headcount {headcount} cannot keep {opts.min_on_duty} on duty round the clock: "
            "that floor is not applied."
        )
    notes.append(
        f"Proposed: {', '.join(f'{b.name} x{b.people}' for b in proposed.blocks)}; "
        f"risk-weighted presence {proposed.score:.2f} vs {fixed.score:.2f} "
        "(risk-weighted people on duty, capped at the need) "
        f"({proposed.share_met:.0%} vs {fixed.share_met:.0%} of the hourly need met)."
    )
    return StaggeredShifts(
        headcount,
        True,
        tuple(weights.tolist()),
        tuple(need.tolist()),
        fixed,
        proposed,
        status,
        tuple(notes),
    )


def block_hours_label(block: ShiftBlock) -> str:
    """``"22:00-06:00 (8 h)"``."""
    return f"{block.start_h:02d}:00-{block.end_h:02d}:00 ({block.length_h} h)"


def is_night(block: ShiftBlock, night_hours: Sequence[int] = (0, 1, 2, 3, 4, 5)) -> bool:
    """A shift counts as a night shift if it covers any of ``night_hours`` (00-06 default)."""
    return bool(set(block.hours()) & set(night_hours))
