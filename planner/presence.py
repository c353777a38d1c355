"""Presence accounting (见警率): minutes of patrol presence per grid cell and wall-clock hour.

The field measures patrol by presence over time: how long, and at which hours, a patrol can be
seen in a place. Planned presence comes from a plan's stops and patrol walks; actual presence
comes from the units' GPS tracks. Both are written as :class:`PresenceInterval` values (a unit
was in a cell from one wall-clock time to another) and counted here the same way, so planned and
actual presence are comparable by construction.

Times are wall-clock seconds from local midnight of the plan date, as everywhere in a plan
(:mod:`planner.clock`): 16:00 is 57,600 s and 01:00 the next morning 90,000 s. An interval is
split at every full wall-clock hour; hour ``h`` of the table is the local hour starting at
``h * 3600`` wall seconds (``hour`` 0–23 is its clock hour, ``day`` 0 or 1 the plan date or the
next date). On the day clocks go back, the repeated hour is one hour of the wall clock: two real
hours of presence in it count as up to 120 minutes there.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from planner.clock import wall_clock, zone

HOUR_S = 3600
DAY_S = 24 * HOUR_S

#: Columns of :func:`minutes_by_cell_hour`'s table, in order.
PRESENCE_COLUMNS = ("cell_id", "day", "hour", "hour_start_s", "minutes", "visits")


@dataclass(frozen=True)
class PresenceInterval:
    """A unit's presence in one grid cell from ``start_s`` to ``end_s`` (wall-clock seconds).

    ``kind`` says how the presence came about (``"stop"`` held at a place, ``"walk"`` along a
    sector's or line's streets, ``"track"`` seen in GPS fixes); ``place_id`` is the task, post or
    duty it belongs to, if any.
    """

    cell_id: str
    start_s: float
    end_s: float
    unit_id: str | None = None
    kind: str = "stop"
    place_id: str | None = None

    def __post_init__(self) -> None:
        if not (self.end_s >= self.start_s):
            raise ValueError(
                f"presence interval in cell {self.cell_id!r} ends ({self.end_s}) before it "
                f"starts ({self.start_s})"
            )


def walk_segments(
    start_s: int, walk_s: int, pauses: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Wall-clock pieces of a walk of ``walk_s`` seconds from ``start_s``, interrupted by
    ``pauses`` (breaks taken before the walk is over: the walk resumes after each)."""
    if walk_s <= 0:
        return []
    pieces: list[tuple[int, int]] = []
    t, left = start_s, walk_s
    for p0, p1 in sorted(pauses):
        if left <= 0:
            break
        if p0 > t:
            step = min(left, p0 - t)
            pieces.append((t, t + step))
            left -= step
        t = max(t, p1)
    if left > 0:
        pieces.append((t, t + left))
    return pieces


def walk_presence(
    pieces: Sequence[tuple[int, int]],
    path: Sequence[tuple[str, float]],
    unit_id: str,
    place_id: str,
) -> list[PresenceInterval]:
    """A walk's presence: its walking time (the wall-clock ``pieces`` of
    :func:`walk_segments`) spread over ``path``, the cells it passes through in order with
    their shares of its length, each cell for its share of the time. Planned walks and the
    review's reading of them both count presence this way."""
    total = sum(b - a for a, b in pieces)
    out: list[PresenceInterval] = []
    if total <= 0:
        return out
    done = 0.0
    for cell, share in path:
        lo, hi = done, done + share * total
        done = hi
        offset = 0.0
        for a, b in pieces:
            seg_lo, seg_hi = offset, offset + (b - a)
            offset = seg_hi
            x0, x1 = max(lo, seg_lo), min(hi, seg_hi)
            if x1 > x0:
                out.append(
                    PresenceInterval(
                        str(cell), a + (x0 - seg_lo), a + (x1 - seg_lo), unit_id, "walk", place_id
                    )
                )
    return out


def split_by_hour(start_s: float, end_s: float) -> list[tuple[int, float]]:
    """Seconds of ``[start_s, end_s)`` in each wall-clock hour, as ``(hour_start_s, seconds)``.

    Examples
    --------
    >>> split_by_hour(16 * 3600 + 1800, 17 * 3600 + 900)
    [(57600, 1800.0), (61200, 900.0)]
    """
    pieces: list[tuple[int, float]] = []
    t = float(start_s)
    while t < end_s:
        hour_start = int(t // HOUR_S) * HOUR_S
        upto = min(float(end_s), float(hour_start + HOUR_S))
        pieces.append((hour_start, upto - t))
        t = upto
    return pieces


def minutes_by_cell_hour(intervals: Iterable[PresenceInterval]) -> pd.DataFrame:
    """Minutes of presence per cell and wall-clock hour, with the number of visits.

    Minutes of several units in the same cell and hour add up. A *visit* is one interval
    touching that hour: a unit that stays from 16:50 to 17:10 makes one visit in hour 16 and
    one in hour 17. Empty intervals (zero length) count as nothing.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PRESENCE_COLUMNS`, sorted by ``hour_start_s`` then ``cell_id``: ``day``
        (0 the plan date, 1 the next), ``hour`` (0–23 clock hour), ``hour_start_s`` (wall
        seconds), ``minutes`` (float), ``visits`` (int).
    """
    minutes: dict[tuple[str, int], float] = {}
    visits: dict[tuple[str, int], int] = {}
    for interval in intervals:
        for hour_start, seconds in split_by_hour(interval.start_s, interval.end_s):
            if seconds <= 0:
                continue
            key = (interval.cell_id, hour_start)
            minutes[key] = minutes.get(key, 0.0) + seconds / 60.0
            visits[key] = visits.get(key, 0) + 1
    rows = [
        (cell, hour_start // DAY_S, (hour_start % DAY_S) // HOUR_S, hour_start, m, visits[key])
        for key, m in minutes.items()
        for cell, hour_start in [key]
    ]
    table = pd.DataFrame(rows, columns=list(PRESENCE_COLUMNS))
    table = table.astype(
        {"cell_id": str, "day": int, "hour": int, "hour_start_s": int, "minutes": float}
    )
    table["visits"] = table["visits"].astype(int)
    return table.sort_values(["hour_start_s", "cell_id"], ignore_index=True)


def with_wall_times(table: pd.DataFrame, plan_date: date, timezone: str) -> pd.DataFrame:
    """``table`` with ``hour_start`` added: the hour's aware local start (ISO 8601, offset).

    The offset tells readers of a daylight-saving day which hour is meant.
    """
    out = table.copy()
    out["hour_start"] = [
        wall_clock(plan_date, int(s), timezone).isoformat() for s in out["hour_start_s"]
    ]
    return out


def wall_seconds(moment: datetime, plan_date: date, timezone: str) -> float:
    """Wall-clock seconds from local midnight of ``plan_date`` at the aware instant ``moment``.

    The inverse of :func:`planner.clock.wall_clock` for times that exist: the local clock
    reading of ``moment`` in ``timezone`` minus midnight of the plan date, as shown on the wall
    (so 02:00 the next morning is 93,600 s even across a clock change).

    Raises
    ------
    ValueError
        If ``moment`` is naive (a GPS fix without a time zone cannot be placed) or the time
        zone is unknown.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"time {moment.isoformat()} has no UTC offset; give times with an offset or Z"
        )
    local = moment.astimezone(zone(timezone)).replace(tzinfo=None)
    return (local - datetime.combine(plan_date, time())).total_seconds()


# -- The value of presence (the planner's objective) -----------------------------------------


@dataclass(frozen=True)
class PresenceRule:
    """Diminishing returns of presence at one place (the Koper curve).

    With ``recover_min`` unset (the clock-hour rule), the value of ``m`` minutes of presence
    in cell ``c`` during hour ``h`` is ``risk(c, h) * gain(m)`` with the concave,
    piecewise-linear

    .. math:: gain(m) = \\sum_{k=0}^{K-1} r^k \\, \\frac{\\min(D, \\max(0, m - kD))}{D}

    the first ``D`` (``dwell_min``) minutes count fully, each further ``D`` minutes count
    ``r`` (``repeat_value``) times the previous ones, and presence beyond ``K`` (``visits``)
    dwells adds nothing; value recovers at the next clock hour.

    With ``recover_min`` = ``G`` (the recovery-gap rule, Koper's revisits every 1.5-2 h), the
    value depends on the time since the last presence in the cell instead of the clock hour:
    at each instant ``t`` of presence the rate is

    .. math:: \\frac{\\rho_c(t)}{D}\\, p_c(t)\\, \\varphi\\big(w_c(t)\\big), \\qquad
        \\varphi(w) = r^{\\lfloor w / D \\rfloor} \\text{ if } w < KD \\text{ else } 0

    where :math:`p_c(t)` is the number of units present in the cell, :math:`\\rho_c(t)` the
    risk of the hour holding ``t`` and :math:`w_c(t)` the minutes of presence in the cell in
    the last ``G`` minutes :math:`[t - G, t)`. A visit after ``G`` minutes without presence
    counts fully again, whatever the clock says; one 20 minutes after the last counts ``r``.
    ``G`` must be at least 60 minutes: then :math:`w_c(t)` is at least the presence since the
    start of ``t``'s clock hour, so (``\\varphi`` non-increasing) the rate never exceeds the
    clock-hour rule's and every bound of that rule also bounds this one
    (:func:`presence_bound_gap`).
    """

    dwell_min: float = 12.0
    repeat_value: float = 0.5
    visits: int = 3
    recover_min: float | None = None

    def __post_init__(self) -> None:
        if not self.dwell_min > 0:
            raise ValueError(f"dwell_min: expected minutes > 0, got {self.dwell_min}")
        if not 0.0 < self.repeat_value <= 1.0:
            raise ValueError(f"repeat_value: expected a value in (0, 1], got {self.repeat_value}")
        if self.visits < 1:
            raise ValueError(f"visits: expected at least 1, got {self.visits}")
        if self.recover_min is not None and not (
            MIN_RECOVER_MIN <= self.recover_min <= MAX_RECOVER_MIN
        ):
            raise ValueError(
                f"recover_min: expected minutes from {MIN_RECOVER_MIN:g} to {MAX_RECOVER_MIN:g} "
                f"(e.g. 90 for revisits about every 1.5 h), got {self.recover_min}"
            )

    def gain(self, minutes: float) -> float:
        """Value of ``minutes`` of presence in one cell-hour, in dwells of full value."""
        total = 0.0
        for k in range(self.visits):
            part = min(self.dwell_min, max(0.0, float(minutes) - k * self.dwell_min))
            if part <= 0:
                break
            total += self.repeat_value**k * part / self.dwell_min
        return total

    def pieces(self) -> list[tuple[float, float]]:
        """``(minutes, value per minute)`` of each linear piece of :meth:`gain`, in order."""
        return [(self.dwell_min, self.repeat_value**k / self.dwell_min) for k in range(self.visits)]

    def rate(self, window_min: float) -> float:
        """:math:`\\varphi(w)`: the share of full value of presence after ``window_min``
        minutes of presence in the last ``recover_min`` (or since the hour began)."""
        k = int(max(0.0, window_min) // self.dwell_min)
        return self.repeat_value**k if k < self.visits else 0.0


#: Bounds of :attr:`PresenceRule.recover_min` (minutes); at least an hour keeps the bound valid.
MIN_RECOVER_MIN = 60.0
MAX_RECOVER_MIN = 240.0


def presence_value(table: pd.DataFrame, risk: pd.DataFrame, rule: PresenceRule) -> float:
    """Value of a presence table (:func:`minutes_by_cell_hour`) under hourly ``risk``.

    ``risk`` has ``cell_id``, ``hour_start_s`` and ``risk`` (:func:`planner.hourly.hourly_risk`);
    presence in a cell or hour without risk is worth nothing.
    """
    if table.empty:
        return 0.0
    merged = table.merge(risk[["cell_id", "hour_start_s", "risk"]], on=["cell_id", "hour_start_s"])
    return float(
        sum(r * rule.gain(m) for r, m in zip(merged["risk"], merged["minutes"], strict=True))
    )


def presence_bound(
    risk: pd.DataFrame,
    rule: PresenceRule,
    hour_capacity_min: dict[int, float],
    total_min: float,
) -> float:
    """An upper bound on :func:`presence_value` of any plan, travel between places ignored.

    The relaxation lets presence be anywhere at once it is affordable: at most
    ``hour_capacity_min[h]`` minutes in hour ``h`` over all cells (the units' minutes on
    duty in that hour: a unit is in one cell at a time) and ``total_min`` minutes in all (shift
    minus breaks and the least way back). It maximises a separable concave function over
    that polymatroid (hours nested in the total), so taking the pieces of :meth:`PresenceRule.
    pieces` by value per minute, best first, as far as both capacities allow, is optimal for
    the relaxation; every feasible plan's presence obeys both capacities, so the result bounds
    every plan's value.
    """
    pieces: list[tuple[float, float, int]] = []
    for r, h in zip(risk["risk"].to_numpy(), risk["hour_start_s"].to_numpy(), strict=True):
        if r <= 0:
            continue
        for minutes, rate in rule.pieces():
            pieces.append((float(r) * rate, minutes, int(h)))
    return _greedy(pieces, dict(hour_capacity_min), total_min)


def _rate_integral(rule: PresenceRule, w0_s: float, slope: float, length_s: float) -> float:
    """:math:`\\int_0^L \\varphi(w_0 + s\\,x)\\,dx` (seconds), ``w`` in seconds of presence."""
    d_s = rule.dwell_min * 60.0
    if length_s <= 0:
        return 0.0
    if slope == 0:
        return rule.rate(w0_s / 60.0) * length_s
    w1 = w0_s + slope * length_s
    lo, hi = sorted((w0_s, w1))
    cuts = [0.0, length_s]
    k = int(max(0.0, lo) // d_s) + 1
    while k * d_s < hi and k <= rule.visits:
        cuts.append((k * d_s - w0_s) / slope)
        k += 1
    cuts = sorted(c for c in cuts if 0.0 <= c <= length_s)
    total = 0.0
    for a, b in itertools.pairwise(cuts):
        if b > a:
            total += rule.rate((w0_s + slope * (a + b) / 2.0) / 60.0) * (b - a)
    return total


def gap_value(
    intervals: Iterable[PresenceInterval], risk: pd.DataFrame, rule: PresenceRule
) -> float:
    """Value of presence under the recovery-gap rule (:class:`PresenceRule` with
    ``recover_min``), computed exactly from the intervals.

    Per cell, the presence count :math:`p(t)` is constant between interval ends and the
    window :math:`w(t)` linear between those ends, the ends shifted by ``G`` and the clock
    hours; on each such piece the rate is integrated in closed form (:func:`_rate_integral`).
    """
    if rule.recover_min is None:
        return presence_value(minutes_by_cell_hour(intervals), risk, rule)
    g_s = rule.recover_min * 60.0
    d_s = rule.dwell_min * 60.0
    risk_of = {
        (str(c), int(h)): float(r)
        for c, h, r in zip(risk["cell_id"], risk["hour_start_s"], risk["risk"], strict=True)
    }
    by_cell: dict[str, list[tuple[float, float]]] = {}
    for iv in intervals:
        if iv.end_s > iv.start_s:
            by_cell.setdefault(str(iv.cell_id), []).append((float(iv.start_s), float(iv.end_s)))
    total = 0.0
    for cell, spans in by_cell.items():

        def present(t: float, spans: list[tuple[float, float]] = spans) -> int:
            return sum(1 for a, b in spans if a <= t < b)

        def window(t: float, spans: list[tuple[float, float]] = spans) -> float:
            return sum(max(0.0, min(b, t) - max(a, t - g_s)) for a, b in spans)

        first = min(a for a, _ in spans)
        last = max(b for _, b in spans)
        points = {first, last}
        for a, b in spans:
            points.update((a, b, a + g_s, b + g_s))
        hour = (int(first) // HOUR_S + 1) * HOUR_S
        while hour < last:
            points.add(float(hour))
            hour += HOUR_S
        cuts = sorted(t for t in points if first <= t <= last)
        for a, b in itertools.pairwise(cuts):
            mid = (a + b) / 2.0
            n = present(mid)
            if n == 0:
                continue
            rho = risk_of.get((cell, int(mid // HOUR_S) * HOUR_S), 0.0)
            if rho <= 0:
                continue
            slope = float(n - present(mid - g_s))
            total += rho * n / d_s * _rate_integral(rule, window(a), slope, b - a)
    return total


def plan_value(
    intervals: Sequence[PresenceInterval], risk: pd.DataFrame, rule: PresenceRule
) -> float:
    """A plan's presence value under ``rule`` (either form of :class:`PresenceRule`)."""
    if rule.recover_min is None:
        return presence_value(minutes_by_cell_hour(intervals), risk, rule)
    return gap_value(intervals, risk, rule)


def _greedy(pieces: list[tuple[float, float, int]], left: dict[int, float], total: float) -> float:
    pieces.sort(key=lambda p: -p[0])
    remaining = float(total)
    value = 0.0
    for rate, minutes, h in pieces:
        if remaining <= 0:
            break
        take = min(minutes, left.get(h, 0.0), remaining)
        if take <= 0:
            continue
        value += rate * take
        left[h] -= take
        remaining -= take
    return value


def window_capacity(
    windows: Sequence[tuple[float, float]], start_s: float, length_s: float
) -> float:
    """Minutes units can be present in ``[start_s, start_s + length_s)``: each unit at most
    the part of its time out of the station (``windows``: seconds) inside it."""
    end_s = start_s + length_s
    return sum(max(0.0, min(b, end_s) - max(a, start_s)) for a, b in windows) / 60.0


def presence_bound_gap(
    risk: pd.DataFrame,
    rule: PresenceRule,
    windows: Sequence[tuple[float, float]],
    total_min: float,
    offsets: int = 3,
    modes: Sequence[ModeTime] = (),
) -> float:
    """An upper bound on :func:`gap_value` of any plan (travel ignored), at least as tight as
    :func:`presence_bound` with the same capacities.

    ``windows`` are the units' times out of the station (shift less the least way out and
    back is safe: a unit cannot be present before it reaches any place), ``total_min`` the
    units' minutes of presence in all.

    Proof. (1) Clock hours: with ``G >= 60`` min, :math:`w_c(t)` contains the presence since
    the start of ``t``'s hour, so the rate at every instant is at most the clock-hour rule's
    and :math:`V_{gap} \\le V_{hour}`; :func:`presence_bound` bounds :math:`V_{hour}` over
    every plan within the per-hour and total capacities. (2) Blocks: cut the timeline into
    blocks of length ``G`` (any offset). For ``t`` in block ``B`` the window
    :math:`[t - G, t)` contains :math:`[B_0, t)`, so the presence in ``c`` during ``B`` is
    worth at most :math:`\\max_{h \\cap B} \\rho_{ch} \\cdot gain(m_{cB})` (the same
    change of variables as for hours, with the hour's risk replaced by the block's largest).
    Summed over cells and blocks this is a separable concave function of the minutes
    :math:`m_{cB}`, which obey :math:`\\sum_c m_{cB} \\le cap_B` (units' minutes out in
    ``B``) and :math:`\\sum m \\le total`, a laminar (nested) family: taking the pieces by
    value per minute, best first, within both capacities maximises it exactly (greedy on a
    polymatroid), so the greedy value bounds every plan. (3) The LP of sliding windows and
    travel into every stay (:func:`presence_bound_lp`, with ``modes``: per mode the units'
    shifts, breaks and least travel into each cell), proved there. Each of (1), (2) over
    ``offsets`` block offsets and (3) is a bound, so their minimum is one.
    """
    hour_cap: dict[int, float] = {}
    hours = sorted({int(h) for h in risk["hour_start_s"]})
    for h in hours:
        hour_cap[h] = window_capacity(windows, h, HOUR_S)
    best = presence_bound(risk, rule, hour_cap, total_min)
    if rule.recover_min is None or not len(risk) or not windows:
        return best
    g_s = rule.recover_min * 60.0
    start = min(a for a, _ in windows)
    end = max(b for _, b in windows)
    cells = risk["cell_id"].astype(str).to_numpy()
    hour_of = risk["hour_start_s"].astype(int).to_numpy()
    values = risk["risk"].astype(float).to_numpy()
    for k in range(max(1, offsets)):
        first = start - g_s * k / max(1, offsets)
        blocks: list[float] = []
        t = first
        while t < end:
            blocks.append(t)
            t += g_s
        peak: dict[tuple[str, int], float] = {}
        for cell, hour_s, r in zip(cells, hour_of, values, strict=True):
            if r <= 0:
                continue
            for j, b0 in enumerate(blocks):
                if hour_s < b0 + g_s and hour_s + HOUR_S > b0:
                    key = (cell, j)
                    peak[key] = max(peak.get(key, 0.0), float(r))
        pieces = [
            (r * rate, minutes, j) for (_, j), r in peak.items() for minutes, rate in rule.pieces()
        ]
        caps = {j: window_capacity(windows, b0, g_s) for j, b0 in enumerate(blocks)}
        best = min(best, _greedy(pieces, caps, total_min))
    lp = presence_bound_lp(risk, rule, windows, total_min, modes)
    return best if lp is None else min(best, lp)


#: Largest LP of :func:`presence_bound_lp` (cells x slots); beyond it slots are coarser.
LP_MAX_CELLS_SLOTS = 4_000
#: Most cells with risk for which the LP is solved (beyond, it takes HiGHS minutes).
LP_CELLS = 160


@dataclass(frozen=True)
class ModeTime:
    """What the units of one mode can give, for the travel-aware bound.

    ``windows``: each unit's shift (seconds); ``minutes``: their shifts less breaks in all;
    ``free_stays``: their breaks (a unit may stop twice at one place with a break between
    and no travel); ``arrival_min``: per cell, the least travel into it (minutes) from any
    other place (0 where walks or other duties give presence there).
    """

    windows: tuple[tuple[float, float], ...]
    minutes: float
    free_stays: int
    arrival_min: Mapping[str, float]


def presence_bound_lp(
    risk: pd.DataFrame,
    rule: PresenceRule,
    windows: Sequence[tuple[float, float]],
    total_min: float,
    modes: Sequence[ModeTime] = (),
) -> float | None:
    """An LP bound on :func:`gap_value` of any plan: sliding windows, and travel per stay.

    Time is cut into slots of ``Δ`` minutes (10, 15 or 30: the finest that keeps the LP under
    :data:`LP_MAX_CELLS_SLOTS` cells x slots) from the units' earliest start; districts with
    more than :data:`LP_CELLS` cells with risk are not solved (``None``). Variables per
    cell ``c`` and slot ``τ``: ``x`` presence minutes (per mode, with ``modes``) and ``u``
    value in full dwells; with ``modes``, per cell and mode ``s`` stays reached by travel and
    ``f`` stays after a break. Every plan gives a feasible point, so the LP optimum bounds
    its value:

    * ``u[c,τ] <= x[c,τ] / D`` (no minute is worth more than a full one);
    * for every run ``W`` of ``floor(G / Δ)`` consecutive slots (a window no longer than
      ``G``): for ``t`` in ``W``, :math:`w_c(t)` holds the presence since ``W`` began, so the
      dwells earned in ``W`` are at most :math:`gain(\\sum_W x)`, i.e. at most each affine
      piece ``a_k + b_k * sum_W x`` of the concave ``gain`` (and ``sum_k r^k`` in all);
    * ``sum_c x[c,τ]`` at most the units' minutes in slot ``τ``, ``sum x <= total_min``;
    * with ``modes``: a stay (a unit's unbroken presence in a cell) of ``L`` minutes earns
      at most ``gain(L)`` dwells (its own minutes are in its window while ``L <= G``, and
      past ``K D <= G`` minutes it earns nothing more), so for every affine piece of
      ``gain``, ``sum_τ u[c,τ] <= a_k * sum_m (s + f)[c,m] + b_k * sum_τ x[c,τ]``; a stay not
      after a break starts
      with travel into the cell of at least ``arrival_min``, so per mode
      ``sum x + sum_c arrival_min[c] * s[c] <= minutes`` and ``sum_c f[c] <= free_stays``;
      and per mode and slot, ``sum_c x`` at most that mode's units' minutes.

    Value ``sum risk[c,τ] * u[c,τ]`` (``risk`` of a slot: the largest of the clock hours it
    touches). Solved by HiGHS (:func:`scipy.optimize.linprog`); the optimum is raised by a
    relative 1e-6 for the solver's tolerance. ``None`` when there is no gap rule, nothing to
    bound or the solver fails.
    """
    if rule.recover_min is None or not windows or total_min <= 0:
        return None
    from scipy import sparse
    from scipy.optimize import linprog

    positive = risk[risk["risk"] > 0]
    if positive.empty:
        return 0.0
    cells = sorted(set(positive["cell_id"].astype(str)))
    if len(cells) > LP_CELLS:
        return None  # HiGHS would take minutes; the other bounds stand alone
    risk_of: dict[tuple[str, int], float] = {}
    for c, h, r in zip(
        positive["cell_id"].astype(str),
        positive["hour_start_s"].astype(int),
        positive["risk"],
        strict=True,
    ):
        risk_of[(c, h)] = max(risk_of.get((c, h), 0.0), float(r))
    start = min(a for a, _ in windows)
    end = max(b for _, b in windows)
    step_min = 30.0
    for candidate in (10.0, 15.0, 30.0):
        if len(cells) * np.ceil((end - start) / (candidate * 60)) <= LP_MAX_CELLS_SLOTS:
            step_min = candidate
            break
    step_s = step_min * 60.0
    n_s = int(np.ceil((end - start) / step_s))
    slots = [start + k * step_s for k in range(n_s)]
    run = max(1, int(rule.recover_min // step_min))
    n_c = len(cells)
    n = n_c * n_s
    rho = np.zeros((n_c, n_s))
    for i, c in enumerate(cells):
        for k, t0 in enumerate(slots):
            h = int(t0 // HOUR_S) * HOUR_S
            best = 0.0
            while h < t0 + step_s:
                best = max(best, risk_of.get((c, h), 0.0))
                h += HOUR_S
            rho[i, k] = best
    d = rule.dwell_min
    g_max = rule.gain(rule.visits * d)
    affine = []
    for k in range(1, rule.visits):
        b_k = rule.repeat_value**k / d
        affine.append((rule.gain(k * d) - b_k * k * d, b_k))
    affine.append((g_max, 0.0))
    n_m = max(1, len(modes))
    idx = np.arange(n).reshape(n_c, n_s)
    x_of = [m * n + idx for m in range(n_m)]  # (n_c, n_s) per mode
    u_of = n_m * n + idx
    s_base = (n_m + 1) * n
    n_vars = s_base + (2 * n_m * n_c if modes else 0)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    row = 0

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray | float) -> None:
        rows.append(np.asarray(r).ravel())
        cols.append(np.asarray(c).ravel())
        vals.append(np.broadcast_to(np.asarray(v, dtype=float), np.asarray(c).shape).ravel())

    # u - sum_m x / D <= 0
    add(np.arange(n), u_of, 1.0)
    for x in x_of:
        add(np.arange(n), x, -1.0 / d)
    rhs.append(np.zeros(n))
    row = n
    real = np.arange(n_c)
    n_r = n_c
    for a_k, b_k in affine:
        for k0 in range(0, max(1, n_s - run + 1)):
            width = min(run, n_s - k0)
            r = row + np.repeat(np.arange(n_r), width)
            add(r, u_of[real, k0 : k0 + width], 1.0)
            if b_k:
                for x in x_of:
                    add(r, x[real, k0 : k0 + width], -b_k)
            rhs.append(np.full(n_r, a_k))
            row += n_r
    # slot capacities (per mode with modes) and the total
    groups = [m.windows for m in modes] if modes else [tuple(windows)]
    for x, unit_windows in zip(x_of, groups, strict=True):
        add(row + np.tile(np.arange(n_s), n_c), x, 1.0)
        rhs.append(np.array([window_capacity(unit_windows, t0, step_s) for t0 in slots]))
        row += n_s
    for x in x_of:
        add(np.full(n, row), x, 1.0)
    rhs.append(np.array([float(total_min)]))
    row += 1
    if modes:
        s_of = [s_base + m * n_c + np.arange(n_c) for m in range(n_m)]
        f_of = [s_base + (n_m + m) * n_c + np.arange(n_c) for m in range(n_m)]
        for m, mode in enumerate(modes):
            # presence and travel into stays within the mode's minutes
            add(np.full(n, row), x_of[m], 1.0)
            delta = np.array([float(mode.arrival_min.get(c, 0.0)) for c in cells])
            add(np.full(n_c, row), s_of[m], delta)
            rhs.append(np.array([float(mode.minutes)]))
            row += 1
            add(np.full(n_c, row), f_of[m], 1.0)
            rhs.append(np.array([float(mode.free_stays)]))
            row += 1
        # dwells of a cell at most sum over its stays of gain(length) <= a_k * stays + b_k * x
        for a_k, b_k in affine:
            r = row + np.repeat(np.arange(n_r), n_s)
            add(r, u_of[real], 1.0)
            for m in range(n_m):
                if b_k:
                    add(r, x_of[m][real], -b_k)
                add(row + np.arange(n_r), s_of[m][real], -a_k)
                add(row + np.arange(n_r), f_of[m][real], -a_k)
            rhs.append(np.zeros(n_r))
            row += n_r
    matrix = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(row, n_vars),
    )
    objective = np.zeros(n_vars)
    objective[u_of.ravel()] = -rho.ravel()
    result = linprog(
        objective, A_ub=matrix, b_ub=np.concatenate(rhs), bounds=(0, None), method="highs"
    )
    if result.status != 0:
        return None
    return float(-result.fun) * (1 + 1e-6)


# -- How presence is spread -------------------------------------------------------------------


def concentration_curve(
    presence: Iterable[float], reference: Iterable[float]
) -> tuple[list[float], list[float]]:
    """Lorenz curve of presence against a reference (risk or population) over the same units.

    Units (cells) are sorted by presence per unit of reference, lowest first; the curve runs
    from ``(0, 0)`` through the cumulative reference share (x) and presence share (y) to
    ``(1, 1)``. Units with no reference and no presence are left out.
    """
    pairs = [
        (float(p), float(r)) for p, r in zip(presence, reference, strict=True) if p > 0 or r > 0
    ]
    total_p = sum(p for p, _ in pairs)
    total_r = sum(r for _, r in pairs)
    if total_p <= 0 or total_r <= 0:
        return [0.0, 1.0], [0.0, 1.0 if total_p > 0 else 0.0]
    pairs.sort(key=lambda pr: (pr[0] / pr[1]) if pr[1] > 0 else float("inf"))
    xs, ys = [0.0], [0.0]
    cx = cy = 0.0
    for p, r in pairs:
        cx += r / total_r
        cy += p / total_p
        xs.append(cx)
        ys.append(cy)
    xs[-1], ys[-1] = 1.0, 1.0
    return xs, ys


def gini(xs: list[float], ys: list[float]) -> float:
    """Gini coefficient of a Lorenz curve: 0 when presence follows the reference exactly,
    towards 1 when it sits where the reference is not (twice the area above the curve)."""
    area = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(zip(xs, ys, strict=True)):
        area += (x1 - x0) * (y0 + y1) / 2.0
    return 1.0 - 2.0 * area
