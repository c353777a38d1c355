"""Planned against actual (四查: the patrol plan against its records) for one plan and its tracks.

:func:`review_plan` takes a plan (its stops, tasks and units as read from ``plan.json``), the
grid cells and the units' screened GPS fixes (and optionally checkpoint check-ins), and says
per stop whether it was visited (a fix within ``visit_radius_m`` of the place, inside the stop's
window), the arrival delay, the dwell achieved against the planned dwell and the Koper 10–15
minute band; per unit the share of stops done and of planned presence delivered; the actual
presence (见警率) per cell and wall-clock hour beside the planned presence and the risk; and the
posts held and for how long. Planned and actual presence are both counted by
:func:`planner.presence.minutes_by_cell_hour`, so they are comparable by construction.

A walk (a patrol line 线, or a sector walk 分片巡逻: an area stop with ``walk_s > 0`` and the
task's street line) is judged as a walk, not as a point visit: the share of its streets the
unit's fixes came within ``walk_radius_m`` of during its window, done when at least
``walk_done_share``; its planned presence is spread over the cells the streets cross, as the
planner counts it.

Times are wall-clock seconds from local midnight of the plan date (:mod:`planner.clock`);
:func:`wall_seconds_of` turns aware fix times into them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString
from shapely.strtree import STRtree

from planner.clock import zone
from planner.plan import PatrolPlan, PlannedStop, UnitRoute
from planner.presence import (
    DAY_S,
    HOUR_S,
    PresenceInterval,
    minutes_by_cell_hour,
    walk_presence,
    walk_segments,
)
from planner.tasks import Task, TaskKind
from planner.units import Unit
from planner.walks import SAMPLE_M, cell_path

#: Koper curve: stops of 10–15 minutes deter longest.
KOPER_BAND_MIN = (10.0, 15.0)
#: Dwell verdicts of a hotspot stop.
DWELL_SHORT, DWELL_IN_BAND, DWELL_LONG = "short", "in_band", "long"

#: Columns of :attr:`PlanReview.stops`.
STOP_COLUMNS = (
    "unit_id",
    "order",
    "task_id",
    "kind",
    "label",
    "cell_id",
    "area_id",
    "required",
    "planned_arrive_s",
    "planned_leave_s",
    "planned_dwell_s",
    "window_start_s",
    "window_end_s",
    "visited",
    "evidence",
    "arrive_s",
    "leave_s",
    "delay_s",
    "dwell_s",
    "dwell_band",
    "planned_walk_s",
    "walk_share",
)


@dataclass(frozen=True)
class ReviewOptions:
    """How a planned stop is matched with what the unit did.

    Attributes
    ----------
    visit_radius_m
        A fix this close to the stop's place counts as being there.
    window_slack_s
        For a stop without its own time window: how early before the planned arrival and how
        late after the planned departure a visit still counts.
    min_visit_s
        Time within the radius needed to count a stop as visited (a stop planned shorter is
        visited by any fix within the radius).
    max_gap_s
        Fixes further apart than this are a gap: the time between them counts as presence
        nowhere (the unit's whereabouts are unknown).
    away_s
        A stay at a place ends when the unit's fixes are elsewhere for longer than this.
    koper_band_min
        The dwell band (minutes) that deters longest.
    walk_radius_m
        For a walk (line or sector): a point of its streets is walked when a fix of the unit
        came this close to it during the walk's window (GPS error and the street's width).
    walk_done_share
        Share of a walk's length that must be walked to count the walk done.
    """

    visit_radius_m: float = 60.0
    window_slack_s: int = 1800
    min_visit_s: int = 60
    max_gap_s: int = 120
    away_s: int = 30
    koper_band_min: tuple[float, float] = KOPER_BAND_MIN
    walk_radius_m: float = 25.0
    walk_done_share: float = 0.5

    def __post_init__(self) -> None:
        if not self.visit_radius_m > 0:
            raise ValueError(f"visit_radius_m: expected > 0, got {self.visit_radius_m}")
        if not self.walk_radius_m > 0:
            raise ValueError(f"walk_radius_m: expected > 0, got {self.walk_radius_m}")
        if not 0.0 < self.walk_done_share <= 1.0:
            raise ValueError(
                f"walk_done_share: expected 0 < share <= 1, got {self.walk_done_share}"
            )
        for name in ("window_slack_s", "min_visit_s", "max_gap_s", "away_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: expected >= 0, got {getattr(self, name)}")
        low, high = self.koper_band_min
        if not 0 <= low <= high:
            raise ValueError(f"koper_band_min: expected 0 <= low <= high, got {low}, {high}")


@dataclass(frozen=True)
class PlanReview:
    """What a plan asked for against what the units did.

    Attributes
    ----------
    stops
        One row per planned stop (:data:`STOP_COLUMNS`); ``evidence`` is ``"track"``,
        ``"checkin"`` or empty; times are wall-clock seconds, NaN where not visited. For a
        walk, ``planned_walk_s`` is its planned walking time, ``walk_share`` the share of its
        streets walked (NaN for other stops) and ``dwell_s`` the seconds seen along them.
    units
        One row per unit: ``unit_id``, ``mode``, ``stops_planned``, ``stops_visited``,
        ``share_visited``, ``planned_presence_min``, ``actual_presence_min``,
        ``delivered_presence_min`` (actual presence up to the planned minutes in the same cell
        and hour), ``share_presence_delivered``, ``fixes``, ``distance_km``, ``tracked`` (the
        unit has fixes at all).
    presence
        Per cell and wall-clock hour: ``cell_id``, ``day``, ``hour``, ``hour_start_s``,
        ``planned_min``, ``actual_min``, ``planned_visits``, ``actual_visits``, ``risk``.
    posts
        The post stops: ``unit_id``, ``task_id``, ``label``, ``planned_min``, ``held_min``,
        ``share_held``.
    notes
        What the reader must know (units without tracks, fixes left out).
    """

    stops: pd.DataFrame
    units: pd.DataFrame
    presence: pd.DataFrame
    posts: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def totals(self) -> dict[str, float | int]:
        planned = int(len(self.stops))
        visited = int(self.stops["visited"].sum()) if planned else 0
        planned_min = float(self.units["planned_presence_min"].sum())
        delivered = float(self.units["delivered_presence_min"].sum())
        return {
            "stops_planned": planned,
            "stops_visited": visited,
            "share_visited": visited / planned if planned else 0.0,
            "planned_presence_min": round(planned_min, 1),
            "actual_presence_min": round(float(self.units["actual_presence_min"].sum()), 1),
            "share_presence_delivered": delivered / planned_min if planned_min else 0.0,
        }


# ------------------------------------------------------------------------------ wall clock
def wall_seconds_of(times: pd.Series, plan_date: date, timezone: str) -> np.ndarray:
    """Wall-clock seconds from local midnight of ``plan_date`` of aware instants, vectorised.

    The same reading as :func:`planner.presence.wall_seconds`: the local clock time in
    ``timezone`` minus midnight of the plan date (02:00 the next morning is 93,600 s also on a
    day the clocks change).

    Raises
    ------
    ValueError
        For naive times or an unknown time zone.
    """
    zone(timezone)
    values = pd.Series(times)
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise ValueError("times must be aware (with a UTC offset); got naive times")
    local = values.dt.tz_convert(timezone).dt.tz_localize(None)
    midnight = pd.Timestamp(datetime.combine(plan_date, time()))
    return ((local - midnight).dt.total_seconds()).to_numpy(dtype=float)


# ------------------------------------------------------------------------------ cells
def cell_of_points(
    cells: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, *, sample_every: int = 10
) -> np.ndarray:
    """The ``cell_id`` of the cell containing each point (``None`` outside every cell).

    A point on a shared edge goes to the first cell in the grid's order. Consecutive points of
    a track are mostly in the same cell, so every ``sample_every``-th point is looked up in a
    spatial index and the points after it are first tested against that point's cell alone
    (one vectorised test per cell); only those outside it are looked up in the index.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    out = np.full(len(x), None, dtype=object)
    if len(x) == 0 or len(cells) == 0:
        return out
    geoms = np.asarray(cells.geometry.values)
    ids = cells["cell_id"].astype(str).to_numpy(dtype=object)
    tree = STRtree(geoms)

    def lookup(index: np.ndarray) -> np.ndarray:
        """Cell positions (-1 outside) of the points ``index``, from the spatial index."""
        found = np.full(len(index), -1, dtype=np.int64)
        if len(index) == 0:
            return found
        pairs = tree.query(shapely.points(x[index], y[index]), predicate="intersects")
        if pairs.shape[1]:
            order = np.lexsort((pairs[1], pairs[0]))
            p_idx, c_idx = pairs[0][order], pairs[1][order]
            first = np.r_[True, p_idx[1:] != p_idx[:-1]]
            found[p_idx[first]] = c_idx[first]
        return found

    step = max(int(sample_every), 1)
    sampled = np.arange(0, len(x), step)
    position = np.full(len(x), -1, dtype=np.int64)
    position[sampled] = lookup(sampled)
    guess = np.repeat(position[sampled], step)[: len(x)]
    unresolved = np.ones(len(x), dtype=bool)
    unresolved[sampled] = False
    candidates = np.flatnonzero(unresolved & (guess >= 0))
    if len(candidates):
        order = np.argsort(guess[candidates], kind="stable")
        grouped = candidates[order]
        keys = guess[grouped]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        for lo, hi in zip(starts, np.r_[starts[1:], len(grouped)], strict=True):
            index = grouped[lo:hi]
            cell = int(keys[lo])
            polygon = geoms[cell]
            shapely.prepare(polygon)
            inside = shapely.contains_xy(polygon, x[index], y[index])
            position[index[inside]] = cell
            unresolved[index[inside]] = False
    rest = np.flatnonzero(unresolved)
    position[rest] = lookup(rest)
    known = position >= 0
    out[known] = ids[position[known]]
    return out


# ------------------------------------------------------------------------------ presence
def planned_intervals(
    plan: PatrolPlan,
    cells: gpd.GeoDataFrame | None = None,
    tasks: Sequence[Task] = (),
) -> list[PresenceInterval]:
    """Planned presence: each stop held from arrival to departure, and each walk along its
    streets.

    With ``cells``, a stop counts in the cell its place lies in (where a unit standing there
    is seen, and where its GPS fixes fall), else in the stop's ``cell_id``; the two differ
    when a hotspot's stop point was moved to the nearest street across a cell edge. A walk (a
    stop with ``walk_s > 0``: a patrol line or a sector walk) adds its walking time after the
    departure (resumed after a break taken during it), spread over the cells its street line
    (``tasks``' ``line``) crosses in order, each for its share of the length, as the planner
    counts it (:func:`planner.plan.stop_presence`); without the line or the cells, in the
    stop's cell.
    """
    by_task = {t.task_id: t for t in tasks}
    stops = [(route, stop) for route in plan.routes for stop in route.stops]
    where: np.ndarray = np.array([s.cell_id for _, s in stops], dtype=object)
    if cells is not None and stops:
        located = cell_of_points(
            cells,
            np.array([s.x for _, s in stops], dtype=float),
            np.array([s.y for _, s in stops], dtype=float),
        )
        where = np.where(pd.isna(located), where, located)
    paths: dict[str, tuple[tuple[str, float], ...]] = {}
    out = []
    for (route, stop), cell in zip(stops, where, strict=True):
        if cell is not None and stop.departure_s > stop.arrival_s:
            out.append(
                PresenceInterval(
                    str(cell),
                    float(stop.arrival_s),
                    float(stop.departure_s),
                    route.unit_id,
                    "stop",
                    stop.task_id,
                )
            )
        if stop.walk_s <= 0:
            continue
        line = _walk_line(stop, by_task.get(stop.task_id))
        if stop.task_id not in paths:
            found: tuple[tuple[str, float], ...] = ()
            if line is not None and cells is not None and len(cells):
                found = cell_path(line, cells)
            paths[stop.task_id] = found or (((str(cell), 1.0),) if cell is not None else ())
        out.extend(_walk_presence(route, stop, paths[stop.task_id]))
    return out


def _walk_line(stop: PlannedStop, task: Task | None) -> LineString | None:
    """The street line a stop walks (a line task's segment, a sector walk), if it walks one."""
    if stop.walk_s <= 0 or task is None or task.line is None or task.line.length <= 0:
        return None
    return task.line


def _walk_presence(
    route: UnitRoute, stop: PlannedStop, path: Sequence[tuple[str, float]]
) -> list[PresenceInterval]:
    """A walk's planned presence: its walking time over ``path`` (cells with length shares),
    resumed after each break the route takes before the walk is over, as the plan counts it."""
    pauses = [
        (b.start_s, b.start_s + b.duration_s)
        for b in route.breaks
        if b.after_order == stop.order - 1 and b.start_s < stop.departure_s + stop.walk_s
    ]
    pieces = walk_segments(stop.departure_s, stop.walk_s, pauses)
    return walk_presence(pieces, path, route.unit_id, stop.task_id)


def track_intervals(
    unit_ids: np.ndarray,
    wall_s: np.ndarray,
    cell_ids: np.ndarray,
    *,
    max_gap_s: float,
    min_run_s: float = 30.0,
) -> list[PresenceInterval]:
    """Actual presence from fixes sorted by unit and time: runs of fixes in one cell.

    Each fix stands for the time until the unit's next fix, unless that is more than
    ``max_gap_s`` away (a gap: the unit's whereabouts are unknown, so it counts nowhere).
    A run shorter than ``min_run_s`` between two runs in the same cell is GPS noise at a cell
    edge and is counted in that cell (so a unit standing on an edge makes one visit, not many).
    """
    n = len(wall_s)
    if n == 0:
        return []
    same_unit = np.r_[unit_ids[1:] == unit_ids[:-1], False]
    dt = np.r_[np.diff(wall_s), 0.0]
    contrib = np.where(same_unit & (dt <= max_gap_s), dt, 0.0)
    cell_key = np.where(pd.isna(cell_ids), "", cell_ids.astype(str))
    starts = np.ones(n, dtype=bool)
    starts[1:] = (
        (unit_ids[1:] != unit_ids[:-1]) | (cell_key[1:] != cell_key[:-1]) | (contrib[:-1] == 0.0)
    )
    first = np.flatnonzero(starts)
    last = np.r_[first[1:] - 1, n - 1]
    first, last = _absorb_flicker(first, last, unit_ids, wall_s, contrib, cell_key, min_run_s)
    out = []
    for lo, hi in zip(first, last, strict=True):
        cell = cell_key[lo]
        end = wall_s[hi] + contrib[hi]
        if not cell or end <= wall_s[lo]:
            continue
        out.append(
            PresenceInterval(cell, float(wall_s[lo]), float(end), str(unit_ids[lo]), "track")
        )
    return out


def _absorb_flicker(
    first: np.ndarray,
    last: np.ndarray,
    unit_ids: np.ndarray,
    wall_s: np.ndarray,
    contrib: np.ndarray,
    cell_key: np.ndarray,
    min_run_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge short runs flickering into a neighbouring cell back into the surrounding run."""
    if len(first) < 3 or min_run_s <= 0:
        return first, last
    keep_first: list[int] = [int(first[0])]
    keep_last: list[int] = [int(last[0])]
    k = 1
    while k < len(first):
        lo, hi = int(first[k]), int(last[k])
        prev_lo, prev_hi = keep_first[-1], keep_last[-1]
        duration = wall_s[hi] + contrib[hi] - wall_s[lo]
        joinable = (
            k + 1 < len(first)
            and duration < min_run_s
            and unit_ids[lo] == unit_ids[prev_lo] == unit_ids[int(first[k + 1])]
            and cell_key[prev_lo] == cell_key[int(first[k + 1])] != ""
            and contrib[prev_hi] > 0
            and contrib[hi] > 0
        )
        if joinable:
            keep_last[-1] = int(last[k + 1])
            k += 2
            continue
        if (
            cell_key[lo] == cell_key[prev_lo]
            and unit_ids[lo] == unit_ids[prev_lo]
            and contrib[prev_hi] > 0
        ):
            keep_last[-1] = hi
        else:
            keep_first.append(lo)
            keep_last.append(hi)
        k += 1
    return np.asarray(keep_first), np.asarray(keep_last)


# ------------------------------------------------------------------------------ stops
def _window(stop: PlannedStop, task: Task | None, options: ReviewOptions) -> tuple[float, float]:
    """When a visit of ``stop`` counts: the task's own window (and its dwell and walk after
    the latest arrival), else from ``window_slack_s`` before the planned arrival to as long
    after the planned end (a walk's last step, else the departure)."""
    if task is not None and task.window_open_s is not None:
        start = float(task.window_open_s) - options.max_gap_s
    else:
        start = float(stop.arrival_s - options.window_slack_s)
    if task is not None and task.window_close_s is not None:
        held = max(stop.dwell_s, task.dwell_s) + stop.walk_s
        end = float(task.window_close_s + held) + options.max_gap_s
    else:
        end = float(max(stop.end_s, stop.departure_s) + options.window_slack_s)
    return start, end


def _dwell_band(kind: TaskKind, dwell_s: float, options: ReviewOptions) -> str:
    if kind != TaskKind.HOTSPOT or not np.isfinite(dwell_s):
        return ""
    low, high = options.koper_band_min
    minutes = dwell_s / 60.0
    if minutes < low:
        return DWELL_SHORT
    return DWELL_LONG if minutes > high else DWELL_IN_BAND


@dataclass(frozen=True)
class _Visit:
    """A stay of the unit within the radius of a stop's place: fixes ``lo..hi``."""

    arrive_s: float
    leave_s: float
    dwell_s: float
    score: float


def _candidates(
    stop: PlannedStop,
    window: tuple[float, float],
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    options: ReviewOptions,
    neighbours: Sequence[tuple[float, float]] = (),
) -> list[_Visit]:
    """Every stay near ``stop`` inside its window long enough to count as a visit.

    ``neighbours`` are the other places of the route close enough to share fixes with this one;
    a fix goes to the nearest of them, so two stops a few metres apart get their own stays.
    """
    lo = int(np.searchsorted(t, window[0], side="left"))
    hi = int(np.searchsorted(t, window[1], side="right"))
    if hi <= lo:
        return []
    dx = x[lo:hi] - stop.x
    dy = y[lo:hi] - stop.y
    d2 = dx * dx + dy * dy
    close = d2 <= options.visit_radius_m**2
    for nx, ny in neighbours:  # nearer to another stop's place: that stop's stay, not this one's
        close &= d2 <= (x[lo:hi] - nx) ** 2 + (y[lo:hi] - ny) ** 2
    near = np.flatnonzero(close)
    if len(near) == 0:
        return []
    idx = near + lo
    # a stay ends when the unit is seen elsewhere for longer than away_s, or the record stops
    # for longer than max_gap_s
    between = np.diff(t[idx])
    seen_elsewhere = np.diff(idx) > 1
    cuts = (
        np.flatnonzero(
            (between > options.max_gap_s) | (seen_elsewhere & (between > options.away_s))
        )
        + 1
    )
    needed = min(options.min_visit_s, stop.dwell_s)
    span = max(window[1] - window[0], 1.0)
    out = []
    for cluster in np.split(idx, cuts):
        steps = np.diff(t[cluster])
        seconds = float(steps[steps <= options.max_gap_s].sum())
        if seconds < needed or len(cluster) == 0:
            continue
        arrive = float(t[cluster[0]])
        # every visit is worth about one stop; among equals the one nearest the planned time
        score = 1.0 - 0.5 * min(abs(arrive - stop.arrival_s) / span, 1.0)
        out.append(_Visit(arrive, float(t[cluster[-1]]), seconds, score))
    return out


@dataclass(frozen=True)
class _Walk:
    """What a unit did of a walk: the share of its streets walked and when it was on them."""

    share: float
    arrive_s: float
    leave_s: float
    seen_s: float


def _walked(
    line: LineString,
    window: tuple[float, float],
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    options: ReviewOptions,
) -> _Walk:
    """How much of ``line`` the unit's fixes (sorted by time) inside ``window`` walked.

    The share is of the walk's streets, each counted once (a sector walk goes out and back
    along each street: walking a street out is walking it). The streets are sampled every
    :data:`planner.walks.SAMPLE_M` metres (midpoints of equal pieces, as
    :func:`planner.walks.cell_path`); a sample is walked when a fix came within
    ``walk_radius_m`` of it, in one spell on the streets (fixes within that distance, not off
    them for longer than ``away_s``): the unit's travel across the sector to and from other
    stops is not the walk. The spell walking most of the streets is the walk. Standing at the
    walk's start walks only the samples that close, so a point visit does not pass for a walk.
    ``seen_s`` is the time between consecutive fixes of the spell (gaps longer than
    ``max_gap_s`` left out).
    """
    lo = int(np.searchsorted(t, window[0], side="left"))
    hi = int(np.searchsorted(t, window[1], side="right"))
    none = _Walk(0.0, np.nan, np.nan, 0.0)
    if hi <= lo:
        return none
    fx, fy, ft = x[lo:hi], y[lo:hi], t[lo:hi]
    idx = np.flatnonzero(shapely.distance(line, shapely.points(fx, fy)) <= options.walk_radius_m)
    if len(idx) == 0:
        return none
    # one spell on the streets ends when the unit is off them for longer than away_s (or the
    # record stops): travel to and from other stops across the sector is another spell
    between = np.diff(ft[idx])
    cuts = (
        np.flatnonzero(
            (between > options.max_gap_s) | ((np.diff(idx) > 1) & (between > options.away_s))
        )
        + 1
    )
    sx, sy, weight = _street_samples(line)
    samples = np.column_stack([sx, sy])
    best = none
    for spell in np.split(idx, cuts):
        tree = cKDTree(np.column_stack([fx[spell], fy[spell]]))
        dist, _ = tree.query(samples, k=1, distance_upper_bound=options.walk_radius_m)
        share = float(weight[np.isfinite(dist)].sum() / weight.sum())
        if share > best.share:
            times = ft[spell]
            steps = np.diff(times)
            seen = float(steps[steps <= options.max_gap_s].sum())
            best = _Walk(share, float(times[0]), float(times[-1]), seen)
    return best


def _street_samples(line: LineString) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points along the distinct streets of ``line`` (stretches walked twice once) and the
    length each stands for."""
    streets = shapely.get_parts(shapely.line_merge(shapely.union_all([line])))
    xs, ys, ws = [], [], []
    for street in streets:
        length = float(street.length)
        if length <= 0:
            continue
        n = max(1, int(np.ceil(length / SAMPLE_M)))
        points = shapely.line_interpolate_point(street, (np.arange(n) + 0.5) * length / n)
        xs.append(shapely.get_x(points))
        ys.append(shapely.get_y(points))
        ws.append(np.full(n, length / n))
    if not xs:
        x0, y0 = line.coords[0]
        return np.array([x0]), np.array([y0]), np.array([1.0])
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def _best_sequence(candidates: Sequence[Sequence[_Visit]]) -> list[_Visit | None]:
    """One visit or none per stop, in time order without overlaps, with the highest total
    score: the stops matched in the order planned, each stay used by one stop at most.

    A dynamic programme over (stop, candidate): ``best[i][k]`` is the best total of a sequence
    ending with candidate ``k`` of stop ``i``.
    """
    flat: list[tuple[int, int, _Visit]] = [
        (i, k, v) for i, cands in enumerate(candidates) for k, v in enumerate(cands)
    ]
    best: dict[tuple[int, int], float] = {}
    back: dict[tuple[int, int], tuple[int, int] | None] = {}
    for i, k, visit in flat:
        top, link = 0.0, None
        for (j, m), value in best.items():
            if j < i and candidates[j][m].leave_s < visit.arrive_s and value > top:
                top, link = value, (j, m)
        best[(i, k)] = top + visit.score
        back[(i, k)] = link
    chosen: list[_Visit | None] = [None] * len(candidates)
    if not best:
        return chosen
    node: tuple[int, int] | None = max(best, key=lambda key: (best[key], -key[0]))
    while node is not None:
        chosen[node[0]] = candidates[node[0]][node[1]]
        node = back[node]
    return chosen


def _same_place_groups(stops: Sequence[PlannedStop]) -> list[list[int]]:
    """Consecutive stops at the same place (within a metre), as lists of stop positions."""
    groups: list[list[int]] = []
    for i, stop in enumerate(stops):
        if groups:
            prev = stops[groups[-1][-1]]
            if abs(prev.x - stop.x) <= 1.0 and abs(prev.y - stop.y) <= 1.0:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _divide(
    visit: _Visit, stops: Sequence[PlannedStop], options: ReviewOptions
) -> list[_Visit | None]:
    """Share one stay among consecutive stops at its place, in order, in proportion to their
    planned dwells (each at most its planned dwell while the stay is long enough; the last
    stop gets what is left); a stop whose share is too short is not visited."""
    if len(stops) == 1:
        return [visit]
    planned = np.array([max(float(s.dwell_s), 1.0) for s in stops])
    scale = min(1.0, visit.dwell_s / float(planned.sum()))
    shares = planned * scale
    shares[-1] = visit.dwell_s - float(shares[:-1].sum())
    out: list[_Visit | None] = []
    start = visit.arrive_s
    for stop, part in zip(stops, shares, strict=True):
        if part < min(options.min_visit_s, stop.dwell_s):
            out.append(None)
        else:
            out.append(_Visit(start, start + float(part), float(part), visit.score))
        start += float(part)
    return out


def _match_route(
    route: UnitRoute,
    tasks: Mapping[str, Task],
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    checkins: pd.DataFrame | None,
    options: ReviewOptions,
) -> list[dict[str, object]]:
    """Match the stops of ``route`` with the unit's stays near their places.

    Stops are matched in their planned order and no stay serves two stops, so when two stops
    share a place and the unit stayed once, the stop planned nearest that time gets the visit.
    """
    windows = [_window(stop, tasks.get(stop.task_id), options) for stop in route.stops]
    lines = [_walk_line(stop, tasks.get(stop.task_id)) for stop in route.stops]
    # walks are judged along their streets; the point stops are matched with stays
    point = [i for i, line in enumerate(lines) if line is None]
    point_stops = [route.stops[i] for i in point]
    groups = [[point[k] for k in g] for g in _same_place_groups(point_stops)]
    places = np.array([(s.x, s.y) for s in point_stops], dtype=float).reshape(-1, 2)
    candidates = []
    for group in groups:
        first = route.stops[group[0]]
        window = (min(windows[i][0] for i in group), max(windows[i][1] for i in group))
        apart = np.hypot(places[:, 0] - first.x, places[:, 1] - first.y)
        share = (apart < 2 * options.visit_radius_m) & (apart > 1.0)
        neighbours = [(float(px), float(py)) for px, py in places[share]]
        candidates.append(_candidates(first, window, t, x, y, options, neighbours))
    chosen: list[_Visit | None] = [None] * len(route.stops)
    for group, visit in zip(groups, _best_sequence(candidates), strict=True):
        if visit is not None:
            for i, part in zip(
                group, _divide(visit, [route.stops[i] for i in group], options), strict=True
            ):
                chosen[i] = part
    walks: list[_Walk | None] = [
        None if line is None else _walked(line, window, t, x, y, options)
        for line, window in zip(lines, windows, strict=True)
    ]
    rows: list[dict[str, object]] = []
    for stop, (w_start, w_end), visit, walk in zip(
        route.stops, windows, chosen, walks, strict=True
    ):
        task = tasks.get(stop.task_id)
        visited, evidence = visit is not None, "track" if visit is not None else ""
        arrive = visit.arrive_s if visit is not None else np.nan
        leave = visit.leave_s if visit is not None else np.nan
        dwell = visit.dwell_s if visit is not None else np.nan
        if walk is not None:
            # a walk is done when enough of its streets were walked, not by a stay at its start
            visited = walk.share >= options.walk_done_share
            evidence = "track" if visited else ""
            if visited:
                arrive, leave, dwell = walk.arrive_s, walk.leave_s, walk.seen_s
        elif not visited and checkins is not None and len(checkins):
            names = {stop.task_id}
            if task is not None and task.place_id:
                names.add(task.place_id)
            hit = checkins[
                checkins["checkpoint_id"].isin(names)
                & (checkins["wall_s"] >= w_start)
                & (checkins["wall_s"] <= w_end)
            ]
            if len(hit):
                visited, evidence = True, "checkin"
                arrive = float(hit["wall_s"].min())
                leave = float(hit["wall_s"].max())
                dwell = leave - arrive if len(hit) > 1 else np.nan
        rows.append(
            {
                "unit_id": route.unit_id,
                "order": stop.order,
                "task_id": stop.task_id,
                "kind": stop.kind.value,
                "label": stop.label,
                "cell_id": stop.cell_id,
                "area_id": stop.area_id,
                "required": stop.required,
                "planned_arrive_s": stop.arrival_s,
                "planned_leave_s": stop.departure_s,
                "planned_dwell_s": stop.dwell_s,
                "window_start_s": w_start,
                "window_end_s": w_end,
                "visited": visited,
                "evidence": evidence,
                "arrive_s": arrive,
                "leave_s": leave,
                "delay_s": arrive - stop.arrival_s if np.isfinite(arrive) else np.nan,
                "dwell_s": dwell,
                "dwell_band": _dwell_band(stop.kind, dwell, options) if visited else "",
                "planned_walk_s": stop.walk_s,
                "walk_share": walk.share if walk is not None else np.nan,
            }
        )
    return rows


# ------------------------------------------------------------------------------ the review
def review_plan(
    plan: PatrolPlan,
    tasks: Sequence[Task],
    units: Sequence[Unit],
    cells: gpd.GeoDataFrame,
    fixes: pd.DataFrame,
    *,
    checkins: pd.DataFrame | None = None,
    risk: Mapping[str, float] | None = None,
    planned_presence: pd.DataFrame | None = None,
    options: ReviewOptions | None = None,
) -> PlanReview:
    """Compare a plan with what its units did.

    Parameters
    ----------
    plan, tasks, units
        The plan as read from its file (:func:`maps.planfile.plan_from_document`).
    cells
        The plan's grid cells (``cell_id``, geometry) in the plan's working CRS.
    fixes
        Screened GPS fixes (:func:`geo.io.tracks.screen_fixes`): ``unit_id``, ``x``, ``y`` in
        the working CRS and ``wall_s`` (:func:`wall_seconds_of`).
    checkins
        Checkpoint check-ins: ``unit_id``, ``checkpoint_id``, ``wall_s``; a stop with no track
        evidence is visited when its unit checked in at its task or place id inside its window.
    risk
        Risk score per cell (the plan's band), shown beside presence.
    planned_presence
        The plan file's own presence table (``cell_id``, ``hour_start_s``, ``minutes``,
        ``visits`` and optionally hourly ``risk``), when the plan carries one: the cell-hour
        table then shows it as the planned presence. Without it, planned presence is counted
        from the stops. Units' shares are always counted from their stops.
    options
        Matching tolerances (:class:`ReviewOptions`).
    """
    opts = options or ReviewOptions()
    missing = [c for c in ("unit_id", "x", "y", "wall_s") if c not in fixes.columns]
    if missing:
        raise ValueError(f"fixes: missing columns {missing}; expected unit_id, x, y, wall_s")
    by_task = {t.task_id: t for t in tasks}
    frame = fixes.sort_values(["unit_id", "wall_s"], kind="stable", ignore_index=True)
    unit_arr = frame["unit_id"].astype(str).to_numpy(dtype=object)
    t_all = frame["wall_s"].to_numpy(dtype=float)
    x_all = frame["x"].to_numpy(dtype=float)
    y_all = frame["y"].to_numpy(dtype=float)
    bounds: dict[str, tuple[int, int]] = {}
    if len(frame):
        change = np.flatnonzero(np.r_[True, unit_arr[1:] != unit_arr[:-1]])
        ends = np.r_[change[1:], len(frame)]
        bounds = {str(unit_arr[a]): (int(a), int(b)) for a, b in zip(change, ends, strict=True)}
    plan_units = {r.unit_id for r in plan.routes}
    notes: list[str] = []
    stranger = sorted(set(bounds) - plan_units)
    if stranger:
        notes.append(
            f"tracks of unit(s) {', '.join(stranger)} are not in the plan and were not matched "
            "to stops (rename them with a unit-id mapping if they are plan units)"
        )
    stop_rows: list[dict[str, object]] = []
    for route in plan.routes:
        lo, hi = bounds.get(route.unit_id, (0, 0))
        unit_checkins = None
        if checkins is not None and len(checkins):
            unit_checkins = checkins[checkins["unit_id"].astype(str) == route.unit_id]
        stop_rows.extend(
            _match_route(
                route, by_task, t_all[lo:hi], x_all[lo:hi], y_all[lo:hi], unit_checkins, opts
            )
        )
    stops = pd.DataFrame(stop_rows, columns=list(STOP_COLUMNS))
    stops["visited"] = stops["visited"].astype(bool)

    in_plan = np.isin(unit_arr, list(plan_units))
    cell_ids = cell_of_points(cells, x_all[in_plan], y_all[in_plan])
    actual_iv = track_intervals(
        unit_arr[in_plan], t_all[in_plan], cell_ids, max_gap_s=opts.max_gap_s
    )
    planned_iv = planned_intervals(plan, cells, tasks)
    presence = _presence_table(planned_iv, actual_iv, risk, planned_presence)
    units_table = _unit_table(plan, stops, planned_iv, actual_iv, bounds, x_all, y_all, t_all, opts)
    untracked = units_table.loc[~units_table["tracked"], "unit_id"].tolist()
    if untracked:
        notes.append(
            f"no track for unit(s) {', '.join(untracked)}: their stops count as missed unless a "
            "check-in shows them"
        )
    posts = _posts(stops)
    return PlanReview(
        stops=stops, units=units_table, presence=presence, posts=posts, notes=tuple(notes)
    )


def _presence_table(
    planned: Sequence[PresenceInterval],
    actual: Sequence[PresenceInterval],
    risk: Mapping[str, float] | None,
    given: pd.DataFrame | None = None,
) -> pd.DataFrame:
    keys = ["cell_id", "day", "hour", "hour_start_s"]
    hourly_risk: dict[tuple[str, int], float] = {}
    if given is not None and len(given):
        p = pd.DataFrame(
            {
                "cell_id": given["cell_id"].astype(str),
                "hour_start_s": given["hour_start_s"].astype(int),
                "planned_min": given["minutes"].astype(float),
                "planned_visits": given["visits"].astype(int),
            }
        )
        p["day"] = p["hour_start_s"] // DAY_S
        p["hour"] = (p["hour_start_s"] % DAY_S) // HOUR_S
        if "risk" in given.columns:
            hourly_risk = {
                (str(c), int(h)): float(r)
                for c, h, r in zip(
                    given["cell_id"], given["hour_start_s"], given["risk"], strict=True
                )
            }
    else:
        p = minutes_by_cell_hour(planned).rename(
            columns={"minutes": "planned_min", "visits": "planned_visits"}
        )
    a = minutes_by_cell_hour(actual).rename(
        columns={"minutes": "actual_min", "visits": "actual_visits"}
    )
    table = p.merge(a, on=keys, how="outer")
    for column in ("planned_min", "actual_min"):
        table[column] = table[column].fillna(0.0).astype(float)
    for column in ("planned_visits", "actual_visits"):
        table[column] = table[column].fillna(0).astype(int)
    scores = dict(risk or {})
    table["risk"] = [
        hourly_risk.get((c, int(h)), float(scores.get(c, np.nan)))
        for c, h in zip(table["cell_id"], table["hour_start_s"], strict=True)
    ]
    return table.sort_values(["hour_start_s", "cell_id"], ignore_index=True)


def _unit_table(
    plan: PatrolPlan,
    stops: pd.DataFrame,
    planned: Sequence[PresenceInterval],
    actual: Sequence[PresenceInterval],
    bounds: Mapping[str, tuple[int, int]],
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray,
    opts: ReviewOptions,
) -> pd.DataFrame:
    # one count for all units: each unit's presence is counted under the key "unit<US>cell"
    p_all = _by_unit(minutes_by_cell_hour(_keyed(planned)))
    a_all = _by_unit(minutes_by_cell_hour(_keyed(actual)))
    rows = []
    for route in plan.routes:
        unit = route.unit_id
        mine = stops[stops["unit_id"] == unit]
        p_tab = p_all[p_all["unit_id"] == unit]
        a_tab = a_all[a_all["unit_id"] == unit]
        merged = p_tab.merge(a_tab, on=["cell_id", "hour_start_s"], how="left", suffixes=("", "_a"))
        delivered = float(np.minimum(merged["minutes"], merged["minutes_a"].fillna(0.0)).sum())
        planned_min = float(p_tab["minutes"].sum())
        lo, hi = bounds.get(unit, (0, 0))
        # distance on fixes at least 30 s apart: 1 Hz noise would add metres every second
        sample = _thin(t[lo:hi], 30.0)
        sx, sy, st = x[lo:hi][sample], y[lo:hi][sample], t[lo:hi][sample]
        steps = np.hypot(np.diff(sx), np.diff(sy))
        moving = np.diff(st) <= max(opts.max_gap_s, 60.0)
        n_planned = len(mine)
        n_visited = int(mine["visited"].sum())
        rows.append(
            {
                "unit_id": unit,
                "mode": route.mode.value,
                "stops_planned": n_planned,
                "stops_visited": n_visited,
                "share_visited": n_visited / n_planned if n_planned else 0.0,
                "planned_presence_min": round(planned_min, 2),
                "actual_presence_min": round(float(a_tab["minutes"].sum()), 2),
                "delivered_presence_min": round(delivered, 2),
                "share_presence_delivered": delivered / planned_min if planned_min else 0.0,
                "fixes": hi - lo,
                "distance_km": round(float(steps[moving].sum()) / 1000.0, 3),
                "tracked": hi > lo,
            }
        )
    return pd.DataFrame(rows)


_UNIT_SEP = "\x1f"


def _keyed(intervals: Sequence[PresenceInterval]) -> list[PresenceInterval]:
    """The intervals with the unit in the cell key, to count all units' presence in one pass."""
    return [replace(iv, cell_id=f"{iv.unit_id}{_UNIT_SEP}{iv.cell_id}") for iv in intervals]


def _by_unit(table: pd.DataFrame) -> pd.DataFrame:
    """A table counted from :func:`_keyed` intervals, with ``unit_id`` and ``cell_id`` apart."""
    parts = table["cell_id"].str.split(_UNIT_SEP, n=1, expand=True)
    out = table.copy()
    if len(table):
        out["unit_id"], out["cell_id"] = parts[0], parts[1]
    else:
        out["unit_id"] = pd.Series(dtype=object)
    return out


def _thin(t: np.ndarray, every_s: float) -> np.ndarray:
    """Indices of fixes at least ``every_s`` apart (the first kept), from sorted times."""
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    buckets = np.floor((t - t[0]) / every_s)
    return np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])


def _posts(stops: pd.DataFrame) -> pd.DataFrame:
    posts = stops[stops["kind"] == TaskKind.POST.value]
    held = posts["dwell_s"].fillna(0.0)
    planned = posts["planned_dwell_s"].astype(float)
    return pd.DataFrame(
        {
            "unit_id": posts["unit_id"],
            "task_id": posts["task_id"],
            "label": posts["label"],
            "planned_min": planned / 60.0,
            "held_min": held / 60.0,
            "share_held": np.where(
                planned > 0, np.minimum(held / planned.where(planned > 0), 1.0), 0.0
            ),
        }
    ).reset_index(drop=True)
