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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

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
    """Diminishing returns of presence in one cell and hour (the Koper curve per hour).

    The value of ``m`` minutes of presence in cell ``c`` during hour ``h`` is
    ``risk(c, h) * gain(m)`` with the concave, piecewise-linear

    .. math:: gain(m) = \\sum_{k=0}^{K-1} r^k \\, \\frac{\\min(D, \\max(0, m - kD))}{D}

    the first ``D`` (``dwell_min``) minutes count fully, each further ``D`` minutes count
    ``r`` (``repeat_value``) times the previous ones, and presence beyond ``K`` (``visits``)
    dwells adds nothing. Value recovers at the next clock hour: a revisit an hour or more later
    falls in another hour and counts fully again.
    """

    dwell_min: float = 12.0
    repeat_value: float = 0.5
    visits: int = 3

    def __post_init__(self) -> None:
        if not self.dwell_min > 0:
            raise ValueError(f"dwell_min: expected minutes > 0, got {self.dwell_min}")
        if not 0.0 < self.repeat_value <= 1.0:
            raise ValueError(f"repeat_value: expected a value in (0, 1], got {self.repeat_value}")
        if self.visits < 1:
            raise ValueError(f"visits: expected at least 1, got {self.visits}")

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
    pieces.sort(key=lambda p: -p[0])
    left = dict(hour_capacity_min)
    remaining = float(total_min)
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
