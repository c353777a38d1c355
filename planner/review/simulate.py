"""Simulated GPS tracks of a plan, with known truth, for tests, benchmarks and the demo.

:func:`simulate_tracks` walks each unit along its plan's street legs at its mode's speed, holds
each stop with GPS noise, walks each walk (a patrol line, a sector's streets) along its street
line for its planned walking time (or only ``walk_share`` of it), and adds what real tracks
have: a late start, delays on the way, dwells shorter or longer than planned, skipped stops (the
unit goes straight past them, well away from the place), gaps in the record, and a few
impossible fixes (jumps and duplicates) that screening must keep out. The returned truth says,
per stop, whether it was visited, when the unit arrived, how long it stayed and how much of a
walk it walked, so a review can be checked against it.

These tracks are made up: they are never product data and say so in their unit ids' source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point

from planner.plan import PatrolPlan
from planner.tasks import Task

#: Speeds of the simulated units (m/s): foot 4.5 km/h, bicycle 12 km/h, car 25 km/h.
SIM_SPEED_MPS = {"foot": 1.25, "bicycle": 3.33, "car": 6.94}


@dataclass(frozen=True)
class TrackSimOptions:
    """What the simulated units do differently from the plan.

    Attributes
    ----------
    hz
        Fixes per second (1.0: one a second).
    noise_m
        Standard deviation of the GPS position error (metres, per axis), drifting slowly
        from fix to fix as real receivers' errors do.
    start_delay_s
        Largest lateness of a unit against its sheet (uniform from 0): it starts that late and
        aims to reach each stop that late, catching up by not waiting when behind.
    stop_delay_s
        Largest extra delay at each stop (uniform from 0, not carried on).
    skip_share
        Share of stops skipped.
    dwell_factor
        Range of the achieved dwell as a multiple of the planned dwell.
    gaps
        Gaps in the record per unit (during travel, 60–240 s each).
    bad_fixes
        Impossible fixes per unit: half jumps of ~2 km, half duplicates.
    walk_share
        Share of each walk's street line (line or sector walk) the unit walks, from its start,
        in the same share of its planned walking time; 0: it stands at the start for a moment
        and moves on (a point visit where a walk was planned).
    seed
        Seed of the random draws (the same seed gives the same tracks).
    """

    hz: float = 1.0
    noise_m: float = 4.0
    start_delay_s: float = 300.0
    stop_delay_s: float = 120.0
    skip_share: float = 0.15
    dwell_factor: tuple[float, float] = (0.5, 1.3)
    gaps: int = 2
    bad_fixes: int = 4
    walk_share: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.hz > 0:
            raise ValueError(f"hz: expected > 0, got {self.hz}")
        if not 0.0 <= self.skip_share <= 1.0:
            raise ValueError(f"skip_share: expected 0..1, got {self.skip_share}")
        if not 0.0 <= self.walk_share <= 1.0:
            raise ValueError(f"walk_share: expected 0..1, got {self.walk_share}")


@dataclass(frozen=True)
class SimulatedTracks:
    """Fixes (``unit_id``, ``x``, ``y``, ``wall_s``, ``bad``) and the truth per stop
    (``unit_id``, ``order``, ``task_id``, ``visited``, ``arrive_s``, ``dwell_s``,
    ``walked_share``: the share of a walk's line walked, NaN for stops that are no walk)."""

    fixes: pd.DataFrame
    truth: pd.DataFrame


def _along(line: LineString, fractions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points at ``fractions`` (0..1) of the length of ``line``, vectorised over the vertices."""
    coords = np.asarray(line.coords, dtype=float)
    if len(coords) < 2:
        return np.full(len(fractions), coords[0, 0]), np.full(len(fractions), coords[0, 1])
    seg = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    cum = np.r_[0.0, np.cumsum(seg)]
    total = cum[-1]
    if total <= 0:
        return np.full(len(fractions), coords[0, 0]), np.full(len(fractions), coords[0, 1])
    dist = np.clip(fractions, 0.0, 1.0) * total
    return np.interp(dist, cum, coords[:, 0]), np.interp(dist, cum, coords[:, 1])


def _detour(
    a: tuple[float, float],
    b: tuple[float, float],
    avoid: list[tuple[float, float]],
    clear_m: float,
) -> LineString:
    """A line from ``a`` to ``b`` passing at least ``clear_m`` beside each place of ``avoid``
    (a via point is added beside each place the straight line comes too close to)."""
    points = [a]
    for place in avoid:
        if LineString([points[-1], b]).distance(Point(place)) >= clear_m:
            continue
        dx, dy = b[0] - points[-1][0], b[1] - points[-1][1]
        length = float(np.hypot(dx, dy)) or 1.0
        nx, ny = -dy / length, dx / length
        points.append((place[0] + nx * clear_m * 2.0, place[1] + ny * clear_m * 2.0))
    points.append(b)
    if len(points) == 2 and points[0] == points[1]:
        points.append(b)
    return LineString(points)


def _gps_error(rng: np.random.Generator, n: int, sigma_m: float, step_s: float) -> np.ndarray:
    """GPS position error along a track: correlated from fix to fix (an AR(1) process with a
    30 s memory and standard deviation ``sigma_m``), as receivers' errors drift rather than jump."""
    if n == 0 or sigma_m <= 0:
        return np.zeros(n)
    rho = float(np.exp(-step_s / 30.0))
    shocks = rng.normal(0.0, sigma_m * np.sqrt(1.0 - rho**2), n)
    shocks[0] = rng.normal(0.0, sigma_m)
    from scipy.signal import lfilter

    return np.asarray(lfilter([1.0], [1.0, -rho], shocks))


def simulate_tracks(
    plan: PatrolPlan,
    stations: dict[str, tuple[float, float]] | None = None,
    options: TrackSimOptions | None = None,
    *,
    clear_m: float = 150.0,
    tasks: Sequence[Task] = (),
) -> SimulatedTracks:
    """GPS fixes of every unit of ``plan`` as if it had been patrolled, with the truth.

    Parameters
    ----------
    plan
        The plan (as read from its file), in its working CRS.
    stations
        ``{station_id: (x, y)}``; the start of the first leg is used when absent.
    options
        What the units do differently (:class:`TrackSimOptions`).
    clear_m
        How far a unit stays from a stop it skips.
    tasks
        The plan's tasks: a stop with ``walk_s > 0`` whose task has a street ``line`` is walked
        along it (without them, walks are point visits like the other stops).
    """
    opts = options or TrackSimOptions()
    lines = {t.task_id: t.line for t in tasks if t.line is not None and t.line.length > 0}
    rng = np.random.default_rng(opts.seed)
    step = 1.0 / opts.hz
    frames: list[pd.DataFrame] = []
    truth: list[dict[str, object]] = []
    for route in plan.routes:
        if not route.stops:
            continue
        speed = SIM_SPEED_MPS.get(route.mode.value, 5.0)
        legs = list(route.legs)
        start_xy = (
            stations[route.start_station]
            if stations and route.start_station in stations
            else (tuple(legs[0].coords[0]) if legs else (route.stops[0].x, route.stops[0].y))
        )
        skip = rng.random(len(route.stops)) < opts.skip_share
        # a skip is only knowable where no other stop of the unit shares the place: next to
        # another stop the unit is seen there anyway, so such stops are always done
        places = np.array([(s.x, s.y) for s in route.stops], dtype=float)
        apart = np.hypot(
            places[:, None, 0] - places[None, :, 0], places[:, None, 1] - places[None, :, 1]
        )
        np.fill_diagonal(apart, np.inf)
        skip &= apart.min(axis=1) > 2 * clear_m
        lateness = rng.uniform(0.0, opts.start_delay_s)
        t = float(route.depart_s) + lateness
        here: tuple[float, float] = (float(start_xy[0]), float(start_xy[1]))
        pieces_t: list[np.ndarray] = []
        pieces_x: list[np.ndarray] = []
        pieces_y: list[np.ndarray] = []
        dwelling: list[np.ndarray] = []
        avoid: list[tuple[float, float]] = []
        off_route = False  # after a walk left unfinished the unit is not where its next leg starts
        for i, stop in enumerate(route.stops):
            target = (stop.x, stop.y)
            if skip[i]:
                avoid.append(target)
                truth.append(
                    {
                        "unit_id": route.unit_id,
                        "order": stop.order,
                        "task_id": stop.task_id,
                        "visited": False,
                        "arrive_s": np.nan,
                        "dwell_s": 0.0,
                        "walked_share": 0.0 if stop.task_id in lines else np.nan,
                    }
                )
                continue
            if avoid:  # coming from a skipped stop: straight on, clear of the skipped places
                line = _detour(here, target, avoid, clear_m)
                avoid = []
            elif not off_route and i < len(legs) and legs[i].length > 0:
                line = legs[i]
            else:
                line = LineString([here, target])
            travel = max(line.length / speed, 1.0)
            # units follow their sheet: they wait (away from the places) until the planned time
            # plus their own lateness, and catch up by not waiting when behind
            due = float(stop.arrival_s) + lateness + rng.uniform(0.0, opts.stop_delay_s)
            park = max(due - (t + travel), 0.0)
            n = max(int(travel / step), 1)
            fr = np.arange(n) / n
            lx, ly = _along(line, fr)
            # half way along the leg the unit may wait (breaks, early arrival): away from both ends
            half = n // 2
            times = t + fr * travel
            times[half:] += park
            pieces_t.append(times)
            pieces_x.append(lx)
            pieces_y.append(ly)
            dwelling.append(np.zeros(n, dtype=bool))
            if park > step:
                m = int(park / step)
                mx, my = _along(line, np.array([0.5]))
                pieces_t.append(t + 0.5 * travel + np.arange(m) * step)
                pieces_x.append(np.full(m, mx[0]))
                pieces_y.append(np.full(m, my[0]))
                dwelling.append(np.zeros(m, dtype=bool))
            t += travel + park
            low, high = opts.dwell_factor
            dwell = float(stop.dwell_s) * rng.uniform(low, high)
            arrive = t
            m = max(int(dwell / step), 1)
            pieces_t.append(t + np.arange(m) * step)
            pieces_x.append(np.full(m, stop.x))
            pieces_y.append(np.full(m, stop.y))
            dwelling.append(np.ones(m, dtype=bool))
            t += max(dwell, step)
            here = target
            off_route = False
            walked = np.nan
            walk_line = lines.get(stop.task_id) if stop.walk_s > 0 else None
            if walk_line is not None:
                walked = opts.walk_share
                seconds = float(stop.walk_s) * walked
                m = int(seconds / step)
                if m > 0:
                    fr = np.arange(1, m + 1) / m * walked
                    wx, wy = _along(walk_line, fr)
                    pieces_t.append(t + np.arange(m) * step)
                    pieces_x.append(wx)
                    pieces_y.append(wy)
                    dwelling.append(np.ones(m, dtype=bool))
                    t += m * step
                    here = (float(wx[-1]), float(wy[-1]))
                end = walk_line.coords[-1]
                off_route = walked < 1.0 and bool(np.hypot(here[0] - end[0], here[1] - end[1]) > 1)
            truth.append(
                {
                    "unit_id": route.unit_id,
                    "order": stop.order,
                    "task_id": stop.task_id,
                    "visited": True,
                    "arrive_s": arrive,
                    "dwell_s": dwell,
                    "walked_share": walked,
                }
            )
        tt = np.concatenate(pieces_t)
        xx = np.concatenate(pieces_x)
        yy = np.concatenate(pieces_y)
        dw = np.concatenate(dwelling)
        order = np.argsort(tt, kind="stable")
        tt, xx, yy, dw = tt[order], xx[order], yy[order], dw[order]
        keep = np.ones(len(tt), dtype=bool)
        for _ in range(opts.gaps):
            travel_idx = np.flatnonzero(~dw)
            if len(travel_idx) < 300:
                break
            at = int(rng.choice(travel_idx[:-250]))
            length = int(rng.uniform(60, 240) / step)
            stop_at = at + length
            span = slice(at, stop_at)
            if dw[span].any():  # never cut into a stop: the truth would no longer hold
                continue
            keep[span] = False
        tt, xx, yy = tt[keep], xx[keep], yy[keep]
        dw = dw[keep]
        xx = xx + _gps_error(rng, len(xx), opts.noise_m, step)
        yy = yy + _gps_error(rng, len(yy), opts.noise_m, step)
        bad = np.zeros(len(tt), dtype=bool)
        frame = pd.DataFrame({"unit_id": route.unit_id, "x": xx, "y": yy, "wall_s": tt, "bad": bad})
        extra = []
        travel_idx = np.flatnonzero(~dw)
        for k in range(opts.bad_fixes):
            if len(travel_idx) < 10:
                break
            j = int(rng.choice(travel_idx[1:-1]))
            if k % 2 == 0:  # a jump of about 2 km, half way between two fixes
                angle = rng.uniform(0, 2 * np.pi)
                extra.append(
                    (
                        route.unit_id,
                        xx[j] + 2000 * np.cos(angle),
                        yy[j] + 2000 * np.sin(angle),
                        tt[j] + step / 2,
                        True,
                    )
                )
            else:  # the same instant reported twice
                extra.append((route.unit_id, xx[j] + 3.0, yy[j], tt[j], True))
        if extra:
            frame = pd.concat(
                [frame, pd.DataFrame(extra, columns=list(frame.columns))], ignore_index=True
            )
        frames.append(frame.sort_values("wall_s", kind="stable", ignore_index=True))
    fixes = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["unit_id", "x", "y", "wall_s", "bad"])
    )
    return SimulatedTracks(fixes=fixes, truth=pd.DataFrame(truth))


def fixes_with_times(fixes: pd.DataFrame, plan_date: object, timezone: str) -> pd.DataFrame:
    """``fixes`` with ``time``: the aware UTC instant of each wall-clock second count.

    Used to write simulated tracks as files (GPX, CSV) that :mod:`geo.io.tracks` reads back.
    """
    from datetime import date as _date

    from planner.clock import wall_clock

    if not isinstance(plan_date, _date):
        raise TypeError(f"plan_date: expected a date, got {type(plan_date).__name__}")
    base = wall_clock(plan_date, 0, timezone)
    midnight_local = pd.Timestamp(base.replace(tzinfo=None))
    local_naive = midnight_local + pd.to_timedelta(fixes["wall_s"].to_numpy(dtype=float), unit="s")
    aware = pd.DatetimeIndex(local_naive).tz_localize(
        timezone, ambiguous=np.ones(len(fixes), dtype=bool), nonexistent="shift_forward"
    )
    out = fixes.copy()
    out["time"] = aware.tz_convert("UTC")
    return out
