"""Where tasks come from: the hotspot table, the coverage floor and the duties file.

Each builder turns one source into :class:`planner.tasks.Task` objects with values on one
scale (the hotspot score), so the solver can weigh a hotspot visit against a post or a sector
visit. Coordinates are in the working CRS.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots.columns import RANK, REP_X, REP_Y, SCORE
from geo.network.modes import Mode
from geo.schema import AREA_ID, CELL_ID, POPULATION
from planner.presence import PresenceRule
from planner.tasks import Task, TaskKind
from planner.units import parse_mode

#: Snap points to where a unit can stand: ``(x, y) -> (x_snapped, y_snapped)``.
SnapFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: The Koper curve: 10-15 minute stops deter longest; 12 is the default.
DEFAULT_DWELL_MIN = 12.0
#: Koper: revisit a hotspot about every 1.5-2 h; a cell's value recovers after 90 minutes.
DEFAULT_RECOVER_MIN = 90.0


@dataclass(frozen=True)
class HotspotTaskOptions:
    """How hotspot visits are made from the hotspot table.

    Attributes
    ----------
    top
        Number of highest-ranked cells offered as candidate visits.
    dwell_min
        Minutes to stay at each visit (Koper curve: 10-15).
    repeat_top
        The best ``repeat_top`` hotspots get repeat visits.
    visits
        Visits offered to each of those (the first included).
    spacing_min
        Minimum minutes between the starts of two visits of one hotspot.
    repeat_value
        Each further visit is worth this fraction of the previous one (diminishing value).
    modes
        Modes allowed to visit hotspots (``None``: any).
    """

    top: int = 150
    dwell_min: float = DEFAULT_DWELL_MIN
    repeat_top: int = 10
    visits: int = 3
    spacing_min: float = 60.0
    repeat_value: float = 0.5
    modes: frozenset[Mode] | None = None

    def __post_init__(self) -> None:
        if self.top < 0 or self.repeat_top < 0:
            raise ValueError(f"top and repeat_top must be >= 0, got {self.top}, {self.repeat_top}")
        if self.visits < 1:
            raise ValueError(f"visits must be at least 1, got {self.visits}")
        if not 0.0 < self.repeat_value <= 1.0:
            raise ValueError(f"repeat_value must be in (0, 1], got {self.repeat_value}")
        if self.dwell_min < 0 or self.spacing_min < 0:
            raise ValueError(
                f"dwell_min and spacing_min must be >= 0, got {self.dwell_min}, {self.spacing_min}"
            )


def tasks_from_hotspots(
    table: pd.DataFrame,
    options: HotspotTaskOptions | None = None,
    *,
    area_of_cell: Mapping[str, str | None] | None = None,
) -> tuple[Task, ...]:
    """Hotspot visits for the ``options.top`` best cells of one band's hotspot table.

    Parameters
    ----------
    table
        The hotspot table of one band (``cell_id``, ``score``, ``rank``, ``rep_x``, ``rep_y``);
        the representative points should already be snapped to the foot network.
    options
        Visit rules (dwell, repeats, spacing).
    area_of_cell
        ``{cell_id: area_id}`` for presence reporting by area.
    """
    opts = options or HotspotTaskOptions()
    missing = [c for c in (CELL_ID, SCORE, RANK, REP_X, REP_Y) if c not in table.columns]
    if missing:
        raise ValueError(f"hotspot table lacks the columns {missing}; has {list(table.columns)}")
    ranked = table[table[SCORE] > 0].sort_values([RANK, CELL_ID]).head(opts.top)
    dwell_s = int(round(opts.dwell_min * 60))
    gap_s = int(round(opts.spacing_min * 60))
    areas = area_of_cell or {}
    tasks: list[Task] = []
    for position, row in enumerate(ranked.itertuples(index=False)):
        cell = str(getattr(row, CELL_ID))
        score = float(getattr(row, SCORE))
        visits = opts.visits if position < opts.repeat_top else 1
        for repeat in range(visits):
            suffix = "" if visits == 1 else f"#{repeat + 1}"
            tasks.append(
                Task(
                    task_id=f"hotspot:{cell}{suffix}",
                    kind=TaskKind.HOTSPOT,
                    label=f"Hotspot {cell}" + (f" (visit {repeat + 1})" if visits > 1 else ""),
                    x=float(getattr(row, REP_X)),
                    y=float(getattr(row, REP_Y)),
                    dwell_s=dwell_s,
                    prize=score * opts.repeat_value**repeat,
                    modes=opts.modes,
                    cell_id=cell,
                    area_id=areas.get(cell),
                    place_id=f"hotspot:{cell}" if visits > 1 else None,
                    repeat=repeat,
                    min_gap_s=gap_s if repeat > 0 else 0,
                )
            )
    return tuple(tasks)


@dataclass(frozen=True)
class CoverageOptions:
    """The coverage floor (面): every populated sector gets a visit.

    Attributes
    ----------
    dwell_min
        Minutes of presence per floor visit.
    every_n_shifts
        Default rotation: a sector is required once every N shifts (1: every shift); a
        per-sector ``every_n_shifts`` column overrides it.
    shift_index
        Which shift of the rotation this is (e.g. days since an epoch × shifts per day + band).
    include_unknown_population
        Treat sectors without population data as populated (and say so) rather than skip them.
    value
        Prize of a floor visit relative to the best hotspot score (they are required anyway;
        the value makes an extra visit worthwhile where time allows).
    """

    dwell_min: float = 5.0
    every_n_shifts: int = 1
    shift_index: int = 0
    include_unknown_population: bool = True
    value: float = 0.05


def coverage_tasks(
    sectors: gpd.GeoDataFrame,
    *,
    id_column: str,
    label_prefix: str = "Sector",
    options: CoverageOptions | None = None,
    excluded: Iterable[str] = (),
    best_score: float = 1.0,
    snap: SnapFn | None = None,
) -> tuple[tuple[Task, ...], tuple[str, ...]]:
    """Required floor visits, one per populated sector (grid cell or official area).

    Parameters
    ----------
    sectors
        Polygons with ``id_column``, ``population`` (NaN unknown) and optionally
        ``every_n_shifts`` and ``excluded`` (bool) columns, in the working CRS.
    id_column
        ``cell_id`` or ``area_id``.
    excluded
        Sector ids to leave out (e.g. water, closed areas).
    best_score
        The best hotspot score, so floor visits are valued on the same scale.
    snap
        Moves the visit point onto the street network.

    Returns
    -------
    tasks, notes
        The floor tasks and sentences for the plan's notes.
    """
    opts = options or CoverageOptions()
    if opts.every_n_shifts < 1:
        raise ValueError(f"every_n_shifts must be at least 1, got {opts.every_n_shifts}")
    if id_column not in sectors.columns:
        raise ValueError(f"sectors lack the id column {id_column!r}; has {list(sectors.columns)}")
    skip = {str(s) for s in excluded}
    population = (
        sectors[POPULATION].astype(float)
        if POPULATION in sectors.columns
        else pd.Series(np.nan, index=sectors.index)
    )
    unknown = population.isna()
    populated = (population > 0) | (unknown & opts.include_unknown_population)
    if "excluded" in sectors.columns:
        populated &= ~sectors["excluded"].fillna(False).astype(bool)
    chosen = sectors[populated & ~sectors[id_column].astype(str).isin(skip)]
    every = (
        chosen["every_n_shifts"].fillna(opts.every_n_shifts).astype(int)
        if "every_n_shifts" in chosen.columns
        else pd.Series(opts.every_n_shifts, index=chosen.index)
    )
    points = chosen.geometry.representative_point()
    x, y = points.x.to_numpy(), points.y.to_numpy()
    if snap is not None and len(x):
        x, y = snap(x, y)
    tasks: list[Task] = []
    for i, (sector_id, n_shifts) in enumerate(
        zip(chosen[id_column].astype(str), every, strict=True)
    ):
        # A stable rotation: each sector has its own phase, so required visits spread out.
        if (zlib.crc32(sector_id.encode()) + opts.shift_index) % max(int(n_shifts), 1):
            continue
        tasks.append(
            Task(
                task_id=f"area:{sector_id}",
                kind=TaskKind.AREA,
                label=f"{label_prefix} {sector_id}",
                x=float(x[i]),
                y=float(y[i]),
                dwell_s=int(round(opts.dwell_min * 60)),
                prize=best_score * opts.value,
                required=True,
                cell_id=sector_id if id_column == CELL_ID else None,
                area_id=sector_id if id_column == AREA_ID else None,
            )
        )
    notes: list[str] = []
    if unknown.any() and opts.include_unknown_population:
        notes.append(
            f"{int(unknown.sum())} of {len(sectors)} sectors have no population data and are "
            "treated as populated for the coverage floor."
        )
    return tuple(tasks), tuple(notes)


def tasks_from_duties(duties: gpd.GeoDataFrame, *, best_score: float = 1.0) -> tuple[Task, ...]:
    """Posts (点), lines (线) and timed visits (e.g. school gates) from a checked duties table.

    Parameters
    ----------
    duties
        The table :func:`geo.io.read_duties` returns, in the working CRS: ``duty_id``,
        ``kind`` (post, line, window), ``name``, ``start_s``, ``end_s``, ``dwell_min``,
        ``required``, ``modes``, ``priority``, geometry.
    best_score
        The best hotspot score: a duty of priority 1 is worth that much.
    """
    tasks: list[Task] = []
    for row in duties.itertuples(index=False):
        kind = str(row.kind)
        geom = row.geometry
        modes = (
            frozenset(parse_mode(m) for m in str(row.modes).split(";") if m.strip())
            if isinstance(row.modes, str) and row.modes.strip()
            else None
        )
        start_s = None if pd.isna(row.start_s) else int(row.start_s)
        end_s = None if pd.isna(row.end_s) else int(row.end_s)
        dwell_s = None if pd.isna(row.dwell_min) else int(round(float(row.dwell_min) * 60))
        common: dict[str, Any] = {
            "task_id": f"{kind}:{row.duty_id}",
            "label": str(row.name),
            "prize": best_score * float(row.priority),
            "required": bool(row.required),
            "modes": modes,
        }
        if kind == "line":
            start = geom.coords[0]
            times = line_repeats(row, geom, start_s, end_s)
            for k in range(times):
                extra: dict[str, Any] = dict(common)
                if times > 1:
                    extra["task_id"] = f"{common['task_id']}#{k + 1}"
                    extra["label"] = f"{common['label']} ({k + 1}/{times})"
                    # The duty is done by its first traversal; the others keep the line held.
                    extra["required"] = bool(common["required"]) and k == 0
                tasks.append(
                    Task(
                        kind=TaskKind.LINE,
                        x=float(start[0]),
                        y=float(start[1]),
                        line=geom,
                        dwell_s=0,
                        window_open_s=start_s,
                        window_close_s=end_s,
                        place_id=f"line:{row.duty_id}" if times > 1 else None,
                        repeat=k,
                        **extra,
                    )
                )
        elif kind == "post":
            # A post is held for its whole window: be there when it opens, stay until it closes.
            held = (end_s - start_s) if start_s is not None and end_s is not None else None
            tasks.append(
                Task(
                    kind=TaskKind.POST,
                    x=float(geom.x),
                    y=float(geom.y),
                    dwell_s=held if held is not None else (dwell_s or 0),
                    window_open_s=start_s,
                    window_close_s=start_s,
                    **common,
                )
            )
        else:  # a timed visit, e.g. school gates at the start and end of school
            stay = dwell_s if dwell_s is not None else int(DEFAULT_DWELL_MIN * 60)
            close = None if end_s is None else max(start_s or 0, end_s - stay)
            tasks.append(
                Task(
                    kind=TaskKind.POST,
                    x=float(geom.x),
                    y=float(geom.y),
                    dwell_s=stay,
                    window_open_s=start_s,
                    window_close_s=close if start_s is not None else None,
                    **common,
                )
            )
    return tuple(tasks)


#: Task id prefix of the hour-slot presence visits (``presence:<cell>@<hour>#<k>``).
PRESENCE_SLOT_PREFIX = "presence:"
#: ``repeat`` of the further visits of a cell under the recovery gap: after its full visits
#: (:func:`planner.problem._repeat_gaps` chains a place's visits by ``repeat``).
REPEAT_ORDER_BASE = 1000

#: Most traversals a line duty is offered (``repeat`` = ``continuous``).
MAX_LINE_REPEATS = 24
#: Speed used to count how many traversals fit a window for ``continuous`` lines (foot).
CONTINUOUS_SPEED_KMH = 4.5


def line_repeats(row: Any, line: Any, start_s: int | None, end_s: int | None) -> int:
    """How many traversals a line duty asks for: its ``repeat`` column (a whole number, or
    ``continuous`` / ``坚持`` for as many as fit its window at walking speed); 1 without it.

    Raises
    ------
    ValueError
        Naming the duty and the value when ``repeat`` is neither.
    """
    value = getattr(row, "repeat", None)
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return 1
    text = str(value).strip().lower()
    if text in ("continuous", "continuously", "坚持", "坚持巡逻"):
        if start_s is None or end_s is None:
            raise ValueError(
                f"duty {row.duty_id!r}: repeat 'continuous' needs a window (start and end); "
                "give start/end or a number of traversals in the repeat column"
            )
        walk_s = max(1.0, float(line.length) / (CONTINUOUS_SPEED_KMH / 3.6))
        return int(min(MAX_LINE_REPEATS, max(1, (end_s - start_s) // walk_s)))
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not (number >= 1 and number == int(number)):
        raise ValueError(
            f"duty {row.duty_id!r}: repeat must be a whole number of traversals (1, 2, ...) "
            f"or 'continuous', got {value!r}"
        )
    return int(min(number, MAX_LINE_REPEATS))


@dataclass(frozen=True)
class PresenceTaskOptions:
    """Time-expanded presence visits: each candidate cell offered in every hour of the shift.

    Attributes
    ----------
    cells
        Highest-ranked cells offered hour slots.
    dwell_min
        Minutes per visit (Koper curve: 10-15); also the full-value presence per cell-hour.
    visits
        Visits offered per cell and hour (K in :class:`planner.presence.PresenceRule`).
    repeat_value
        Each further visit in the same cell and hour is worth this fraction of the previous.
    slots_per_visit
        Candidate visits offered per visit the units could make in their shifts (the best by
        value are kept): more gives the search more choice and takes longer.
    modes
        Modes allowed to make presence visits (``None``: any).
    recover_min
        Minutes without presence after which a cell's value has recovered (Koper: revisits
        about every 1.5-2 h; :class:`planner.presence.PresenceRule`); ``None``: value recovers
        at the next clock hour.
    """

    cells: int = 150
    dwell_min: float = DEFAULT_DWELL_MIN
    visits: int = 3
    repeat_value: float = 0.5
    slots_per_visit: float = 2.5
    modes: frozenset[Mode] | None = None
    recover_min: float | None = DEFAULT_RECOVER_MIN

    def __post_init__(self) -> None:
        self.rule  # noqa: B018 - validates recover_min with the rule's own message
        if self.cells < 0 or self.visits < 1 or not self.dwell_min > 0:
            raise ValueError(
                f"cells >= 0, visits >= 1 and dwell_min > 0 expected, got {self.cells}, "
                f"{self.visits}, {self.dwell_min}"
            )
        if not 0.0 < self.repeat_value <= 1.0:
            raise ValueError(f"repeat_value must be in (0, 1], got {self.repeat_value}")
        if not self.slots_per_visit > 0:
            raise ValueError(f"slots_per_visit must be > 0, got {self.slots_per_visit}")

    @property
    def rule(self) -> PresenceRule:
        """The diminishing-returns rule these visits implement."""
        return PresenceRule(self.dwell_min, self.repeat_value, self.visits, self.recover_min)


#: Full-value stay minutes offered per unit minute before stays are lengthened (choice for
#: the search, and travel takes part of every unit's shift).
STAY_SLACK = 1.5


def stay_dwells(
    n_cells: int, shift_min: float, unit_minutes: float, options: PresenceTaskOptions
) -> int:
    """Dwells per stay under the recovery gap: the fewest (1 to ``visits``) whose fresh stays
    can hold :data:`STAY_SLACK` times the units' minutes.

    A cell takes a fresh stay of ``s`` dwells at most every ``G + s * dwell`` minutes, so
    ``n_cells`` cells hold about ``n_cells * (1 + shift / (G + s D)) * s D`` minutes of
    full-value stays. Few hotspot cells and many units need longer stays (2 or 3 dwells,
    worth ``gain``: 1.5 or 1.75 visits), or the units would idle while value remains.
    """
    assert options.recover_min is not None
    for s in range(1, options.visits + 1):
        stay_min = s * options.dwell_min
        fresh = 1 + shift_min // (options.recover_min + stay_min)
        if n_cells * fresh * stay_min >= STAY_SLACK * unit_minutes:
            return s
    return options.visits


def presence_tasks(
    hourly: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    options: PresenceTaskOptions,
    *,
    shift_start_s: int,
    shift_end_s: int,
    unit_minutes: float,
    area_of_cell: Mapping[str, str | None] | None = None,
) -> tuple[Task, ...]:
    """Candidate visits per (cell, hour, k): the k-th visit of a cell within one hour.

    Visit ``(c, h, k)`` starts in hour ``h`` and ends in it (window ``[h, h + 60 min - dwell]``
    inside the shift) and is worth ``risk(c, h) * repeat_value**k``: the increments of
    :meth:`~planner.presence.PresenceRule.gain`, so the prizes of the visits a plan makes are
    the value of its presence at those cells (exactly, when visits do not overlap other
    presence in the same cell-hour). Only cells in ``points`` (the candidate cells with their
    stop point) are offered, and only the ``slots_per_visit * unit_minutes / dwell_min`` best
    visits by value (under the recovery gap, times hours per cell over the stays a cell can
    take in the shift, as most of a cell's slots exclude each other).

    With a recovery gap ``G`` (``options.recover_min``), only full-value stays ``(c, h, 0)``
    are offered: ``s`` dwells long (:func:`stay_dwells`: 1 unless the hotspot cells are too
    few to hold the units' time) and worth ``risk(c, h) * gain(s * dwell)``; those of one
    cell are chained by a minimum gap of ``G + s * dwell`` between their starts (the routing
    core's :class:`~planner.routing.MinGap`, any units; between consecutive offered hours
    here, between every pair that could come too close in
    :func:`planner.plan.compile_with_gaps`): the presence of one stay has left the window
    ``[t - G, t)`` when the next starts, so each earns its prize under the recovery-gap rule,
    in whatever hours and order the search finds best (revisits about every ``G + s * dwell``
    minutes, not on the clock hour). Further visits within the gap are not offered: their
    value depends on what else is in the window (a unit standing on at a hotspot past
    ``visits`` dwells earns nothing), which prizes fixed in advance cannot express. The plan
    is valued by the rule itself afterwards (:func:`planner.presence.gap_value`).
    """
    areas = area_of_cell or {}
    cells = set(list(points)[: options.cells])
    rows = hourly[(hourly["risk"] > 0) & hourly["cell_id"].astype(str).isin(cells)]
    stay = 1
    if options.recover_min is not None:
        stay = stay_dwells(
            len(set(rows["cell_id"].astype(str))),
            (shift_end_s - shift_start_s) / 60.0,
            unit_minutes,
            options,
        )
    dwell_s = int(round(options.dwell_min * 60 * stay))
    rule = options.rule
    candidates: list[tuple[float, str, int, int]] = []
    for cell, hour_start, risk in zip(
        rows["cell_id"].astype(str), rows["hour_start_s"].astype(int), rows["risk"], strict=True
    ):
        opens = max(hour_start, shift_start_s)
        closes = min(hour_start + 3600, shift_end_s) - dwell_s
        if closes < opens:
            continue
        if options.recover_min is not None:
            # one stay of `stay` dwells after a clean window: worth gain(stay dwells) exactly
            candidates.append(
                (float(risk) * rule.gain(stay * options.dwell_min), cell, hour_start, 0)
            )
            continue
        for k in range(options.visits):
            candidates.append((float(risk) * options.repeat_value**k, cell, hour_start, k))
    keep = options.slots_per_visit * unit_minutes / (options.dwell_min * stay)
    if options.recover_min is not None:
        # a cell's stays are a gap apart: of its hour slots only 1 + shift / gap can be made
        hours = max(1, len(set(rows["hour_start_s"])))
        fresh = 1 + (shift_end_s - shift_start_s) // (
            int(round(options.recover_min * 60)) + dwell_s
        )
        keep *= max(1.0, hours / fresh)
    keep = int(np.ceil(keep))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
    tasks: list[Task] = []
    gap_s = 0 if options.recover_min is None else int(round(options.recover_min * 60)) + dwell_s
    for prize, cell, hour_start, k in sorted(candidates[:keep], key=lambda c: (c[1], c[2], c[3])):
        hh = f"{(hour_start // 3600) % 24:02d}:00"
        x, y = points[cell]
        hour_no = (hour_start - (shift_start_s // 3600) * 3600) // 3600
        if gap_s and k == 0:
            # the cell's full visits, chained in hour order by the recovery gap
            order, min_gap = hour_no, gap_s
        elif gap_s:
            # further visits: after every full visit in the chain, no gap of their own
            order, min_gap = REPEAT_ORDER_BASE + hour_no * options.visits + k, 0
        else:
            order, min_gap = k, 0
        tasks.append(
            Task(
                task_id=f"{PRESENCE_SLOT_PREFIX}{cell}@{hour_start // 3600}"
                + (f"#{k + 1}" if k else ""),
                kind=TaskKind.HOTSPOT,
                label=f"Hotspot {cell} {hh}"
                + (f" (visit {k + 1})" if k else "")
                + (f" ({stay * options.dwell_min:g} min)" if stay > 1 else ""),
                x=x,
                y=y,
                dwell_s=dwell_s,
                prize=prize,
                window_open_s=max(hour_start, shift_start_s),
                window_close_s=min(hour_start + 3600, shift_end_s) - dwell_s,
                modes=options.modes,
                cell_id=cell,
                area_id=areas.get(cell),
                place_id=f"hotspot:{cell}",
                repeat=order,
                min_gap_s=min_gap,
            )
        )
    return tuple(tasks)
