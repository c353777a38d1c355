"""Workload: how many units a shift needs, found with the routing planner itself.

For a ladder of fleets (unit 1, units 1-2, units 1-3, ...) each fleet is planned with
:func:`planner.plan.plan_patrols`; the **coverage curve** records the share of risk covered
and the minutes of presence for each fleet size, with the marginal value of each added unit.
The workload minimum is the smallest fleet that serves every required task and covers at
least the target share. A fleet that cannot serve the required tasks is marked infeasible on
the curve (share 0), not an error.

Monotonicity: the fleets are nested (fleet ``k + 1`` is fleet ``k`` plus one unit), so the
``k``-unit plan is also a valid plan for ``k + 1`` units (the new unit stays at its station).
When the heuristic search finds less with ``k + 1`` units than with ``k``, the curve keeps the
``k``-unit plan's values (a running maximum) and marks the point ``carried``; the raw value
found is kept beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import geopandas as gpd
import shapely

from geo.network.modes import Mode
from geo.schema import AREA_ID
from planner.defaults import DEFAULT_BREAK_MIN, DEFAULT_CREW
from planner.errors import InfeasibleError, PlanningError, VerificationError
from planner.plan import PatrolPlan, plan_patrols
from planner.problem import PatrolProblem
from planner.shift import default_break
from planner.travel import TravelProvider
from planner.units import Unit

#: The order units are added in a mixed fleet (car, foot, bicycle, car, foot, ...).
MIXED_PATTERN: tuple[Mode, ...] = (Mode.CAR, Mode.FOOT, Mode.BICYCLE)


@dataclass(frozen=True)
class FleetLadder:
    """The fleets a coverage curve tries: fleet ``k`` is the first ``k`` entries of ``modes``.

    Attributes
    ----------
    name
        Label of the curve (``"car"``, ``"foot"``, ``"mixed"``).
    modes
        Mode of the 1st, 2nd, ... unit.
    crew
        People per unit by mode.
    """

    name: str
    modes: tuple[Mode, ...]
    crew: Mapping[Mode, int] = field(default_factory=lambda: DEFAULT_CREW)

    def __post_init__(self) -> None:
        if not self.modes:
            raise ValueError(f"fleet ladder {self.name!r}: modes must not be empty")
        bad = {m: c for m, c in self.crew.items() if c < 1}
        if bad:
            raise ValueError(f"fleet ladder {self.name!r}: crew sizes must be >= 1, got {bad}")

    @classmethod
    def single(
        cls, mode: Mode, max_units: int, crew: Mapping[Mode, int] | None = None
    ) -> FleetLadder:
        """Units of one mode only, 1..``max_units``."""
        _check_max_units(max_units)
        return cls(str(mode), (mode,) * max_units, crew or DEFAULT_CREW)

    @classmethod
    def mixed(
        cls,
        max_units: int,
        pattern: Sequence[Mode] = MIXED_PATTERN,
        crew: Mapping[Mode, int] | None = None,
    ) -> FleetLadder:
        """Units added in the repeating ``pattern`` (car, foot, bicycle, car, ...)."""
        _check_max_units(max_units)
        if not pattern:
            raise ValueError("pattern: expected at least one mode, got none")
        modes = tuple(pattern[i % len(pattern)] for i in range(max_units))
        return cls("mixed", modes, crew or DEFAULT_CREW)

    @property
    def max_units(self) -> int:
        return len(self.modes)

    def crew_of(self, mode: Mode) -> int:
        return int(self.crew.get(mode, DEFAULT_CREW.get(mode, 1)))

    def people(self, k: int) -> int:
        """People in the first ``k`` units."""
        return sum(self.crew_of(m) for m in self.modes[:k])

    def units_by_mode(self, k: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.modes[:k]:
            counts[str(m)] = counts.get(str(m), 0) + 1
        return counts


def _check_max_units(max_units: int) -> None:
    if max_units < 1:
        raise ValueError(f"max_units: expected at least 1, got {max_units}")


def ladder_units(
    ladder: FleetLadder,
    stations: Sequence[str],
    shift_start_s: int,
    shift_end_s: int,
    *,
    break_min: int = DEFAULT_BREAK_MIN,
) -> tuple[Unit, ...]:
    """The ladder's largest fleet as units; fleet ``k`` is its first ``k`` units.

    Units are spread over ``stations`` in turn and take a ``break_min`` meal break starting 3
    to 5 hours into shifts of 6 hours or more (as :func:`planner.shift.default_units`).
    """
    if not stations:
        raise ValueError("stations: expected at least one station id, got none")
    breaks = default_break(shift_start_s, shift_end_s, break_min)
    counts: dict[Mode, int] = {}
    units: list[Unit] = []
    for i, mode in enumerate(ladder.modes):
        counts[mode] = counts.get(mode, 0) + 1
        station = stations[i % len(stations)]
        units.append(
            Unit(
                unit_id=f"{mode.value[0].upper()}{counts[mode]}",
                mode=mode,
                start_station=station,
                end_station=station,
                shift_start_s=shift_start_s,
                shift_end_s=shift_end_s,
                breaks=breaks,
                crew=ladder.crew_of(mode),
            )
        )
    return tuple(units)


@dataclass(frozen=True)
class WorkloadOptions:
    """How the coverage curve is computed.

    Attributes
    ----------
    target_share
        Share of risk the workload minimum must cover (0.8).
    time_limit_s
        Solver budget per point of the curve.
    max_iterations
        Bound on search iterations per point, for reproducible curves.
    seed
        Seed of every search.
    stop_after_target
        Points computed after the first one reaching the target (``None``: the whole ladder).
    """

    target_share: float = 0.8
    time_limit_s: float = 3.0
    max_iterations: int | None = 3000
    seed: int = 0
    stop_after_target: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.target_share <= 1.0:
            raise ValueError(f"target_share: expected a share in (0, 1], got {self.target_share}")
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s: expected seconds > 0, got {self.time_limit_s}")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise ValueError(f"max_iterations: expected >= 1 or None, got {self.max_iterations}")
        if self.stop_after_target is not None and self.stop_after_target < 0:
            raise ValueError(
                f"stop_after_target: expected >= 0 or None, got {self.stop_after_target}"
            )


@dataclass(frozen=True)
class CurvePoint:
    """One fleet size on a coverage curve.

    Attributes
    ----------
    units
        Units in the fleet.
    people
        People in it (crew sizes summed).
    units_by_mode
        ``{mode: count}``.
    feasible
        Whether the fleet can serve every required task (as found by the planner).
    risk_share
        Share of risk covered, never lower than the previous point's (see module docstring);
        0 when infeasible and no smaller fleet was feasible.
    presence_min
        Minutes at stops, carried like ``risk_share``.
    raw_risk_share
        What the search found with this fleet (``None`` when infeasible).
    marginal_share, marginal_presence_min
        Gain over the previous point (the value of the added unit).
    carried
        The point shows the previous fleet's plan (its own search found less or nothing).
    dropped_required
        Required tasks the planner could not serve with this fleet, as it reported them.
    reason
        Why the fleet is infeasible, or ``""``.
    seconds
        Time the point took.
    """

    units: int
    people: int
    units_by_mode: Mapping[str, int]
    feasible: bool
    risk_share: float
    presence_min: float
    raw_risk_share: float | None
    marginal_share: float
    marginal_presence_min: float
    carried: bool
    reason: str
    seconds: float


@dataclass(frozen=True)
class CoverageCurve:
    """Share of risk covered and presence for 1..N units, and the workload minimum.

    Attributes
    ----------
    fleet
        Name of the fleet ladder.
    shift
        The shift (band) planned.
    scope
        The area the tasks came from (``"all"`` for the whole district).
    target_share
        The target the minimum is measured against.
    points
        One per fleet size, in order.
    minimum_units, minimum_people
        The smallest fleet reaching the target and serving every required task (``None``
        when no fleet of the ladder does).
    notes
        How the curve was made and what it means.
    """

    fleet: str
    shift: str
    scope: str
    target_share: float
    points: tuple[CurvePoint, ...]
    minimum_units: int | None
    minimum_people: int | None
    notes: tuple[str, ...]

    @property
    def minimum_by_mode(self) -> Mapping[str, int] | None:
        if self.minimum_units is None:
            return None
        return self.points[self.minimum_units - 1].units_by_mode

    @property
    def seconds(self) -> float:
        return float(sum(p.seconds for p in self.points))


#: Plans a problem: ``(problem) -> plan``; raises :class:`PlanningError` when infeasible.
Planner = Callable[[PatrolProblem], PatrolPlan]


def coverage_curve(
    problem: PatrolProblem,
    travel: TravelProvider,
    ladder: FleetLadder,
    options: WorkloadOptions | None = None,
    *,
    shift: str = "",
    scope: str = "all",
    units: Sequence[Unit] | None = None,
    planner: Planner | None = None,
) -> CoverageCurve:
    """Plan ``problem`` with 1..N units of ``ladder`` and find the workload minimum.

    Parameters
    ----------
    problem
        Tasks and stations of one shift; its units are replaced by the ladder's fleets.
    travel
        Travel model.
    ladder
        The fleets to try.
    options
        Target, time limit per point, seed.
    shift, scope
        Labels of the curve.
    units
        The ladder's largest fleet as units (default: :func:`ladder_units` over the
        problem's stations and the shift of its first unit).
    planner
        Plans one fleet (default: :func:`plan_patrols` with the options' budget, no street
        paths); tests may inject their own.

    Returns
    -------
    CoverageCurve
    """
    opts = options or WorkloadOptions()
    if units is None:
        if not problem.units:
            raise ValueError("problem: needs at least one unit to take the shift times from")
        first = problem.units[0]
        units = ladder_units(
            ladder, sorted(problem.stations), first.shift_start_s, first.shift_end_s
        )
    if len(units) < ladder.max_units:
        raise ValueError(
            f"units: the ladder {ladder.name!r} has {ladder.max_units} units but only "
            f"{len(units)} were given"
        )

    def _default_planner(p: PatrolProblem) -> PatrolPlan:
        return plan_patrols(
            p,
            travel,
            time_limit_s=opts.time_limit_s,
            seed=opts.seed,
            with_paths=False,
            max_iterations=opts.max_iterations,
        )

    run = planner or _default_planner
    if not problem.tasks:
        return CoverageCurve(
            ladder.name,
            shift,
            scope,
            opts.target_share,
            (),
            0,
            0,
            (f"No task in {scope} for {shift or 'the shift'}: no unit is needed for it.",),
        )
    points: list[CurvePoint] = []
    best_share, best_presence, any_feasible = 0.0, 0.0, False
    precheck_failed: tuple[set[tuple[Mode, str]], str] | None = None
    reached_at: int | None = None
    for k in range(1, ladder.max_units + 1):
        fleet = tuple(units[:k])
        started = time.perf_counter()
        raw: float | None = None
        presence = 0.0
        reason = ""
        new_kind = (fleet[-1].mode, fleet[-1].start_station)
        if any_feasible and best_share >= 1.0 - 1e-12:
            # Every task is already covered: more units cannot add risk (the point is carried).
            reason = ""
        elif precheck_failed is not None and new_kind in precheck_failed[0]:
            # The pre-check looks at what each unit can reach; a unit of a mode and station
            # already present cannot change its verdict.
            reason = precheck_failed[1]
        else:
            try:
                plan = run(replace(problem, units=fleet))
                raw = plan.risk_share
                presence = plan.dwell_s / 60.0
            except VerificationError:
                raise
            except PlanningError as exc:
                reason = str(exc)
                if isinstance(exc, InfeasibleError) and exc.status == "PRECHECK":
                    precheck_failed = ({(u.mode, u.start_station) for u in fleet}, reason)
                elif precheck_failed is not None:
                    precheck_failed = None
        if raw is not None and precheck_failed is not None:
            precheck_failed = None
        feasible = raw is not None or any_feasible
        carried = (raw is None and any_feasible) or (raw is not None and raw < best_share - 1e-12)
        share = max(best_share, raw) if raw is not None else best_share
        shown_presence = presence if raw is not None and not carried else best_presence
        prev_share = points[-1].risk_share if points else 0.0
        prev_presence = points[-1].presence_min if points else 0.0
        points.append(
            CurvePoint(
                units=k,
                people=ladder.people(k),
                units_by_mode=MappingProxyType(ladder.units_by_mode(k)),
                feasible=feasible,
                risk_share=share,
                presence_min=shown_presence,
                raw_risk_share=raw,
                marginal_share=share - prev_share,
                marginal_presence_min=shown_presence - prev_presence,
                carried=carried,
                reason=reason,
                seconds=time.perf_counter() - started,
            )
        )
        if raw is not None:
            any_feasible = True
        best_share, best_presence = share, shown_presence
        if reached_at is None and feasible and share >= opts.target_share - 1e-12:
            reached_at = k
        if (
            reached_at is not None
            and opts.stop_after_target is not None
            and k - reached_at >= opts.stop_after_target
        ):
            break
    notes = [
        f"Curve '{ladder.name}' for {shift or 'the shift'} ({scope}): each point is a plan by "
        f"the routing planner ({opts.time_limit_s:g} s, seed {opts.seed}"
        + (f", at most {opts.max_iterations} iterations" if opts.max_iterations else "")
        + ").",
        "Fleets are nested, so a larger fleet can always repeat a smaller fleet's plan; where "
        "the search found less, the curve carries the smaller fleet's values (marked carried).",
    ]
    full = [p.units for p in points if p.carried and p.raw_risk_share is None and p.reason == ""]
    if full:
        notes.append(
            f"All risk is covered with {full[0] - 1} unit(s): larger fleets were not planned "
            "(their points carry that plan)."
        )
    if reached_at is None:
        best = max((p.risk_share for p in points), default=0.0)
        notes.append(
            f"No fleet of up to {len(points)} units reaches the target "
            f"{opts.target_share:.0%} (best {best:.0%}); try more units."
        )
    infeasible = [p.units for p in points if not p.feasible]
    if infeasible:
        notes.append(
            f"Fleets of {_ranges(infeasible)} unit(s) cannot serve every required task: "
            f"{points[infeasible[-1] - 1].reason}"
        )
    return CoverageCurve(
        fleet=ladder.name,
        shift=shift,
        scope=scope,
        target_share=opts.target_share,
        points=tuple(points),
        minimum_units=reached_at,
        minimum_people=None if reached_at is None else ladder.people(reached_at),
        notes=tuple(notes),
    )


def _ranges(values: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    out: list[str] = []
    start = prev = values[0]
    for v in [*values[1:], None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(out)


def area_of_tasks(
    problem: PatrolProblem, areas: gpd.GeoDataFrame, *, id_column: str = AREA_ID
) -> dict[str, str | None]:
    """The area each task lies in: its own ``area_id`` if set, else the polygon holding it.

    Parameters
    ----------
    problem
        The tasks (working CRS).
    areas
        Area polygons in the same CRS with ``id_column``.

    Returns
    -------
    dict
        ``{task_id: area_id or None}`` (``None``: outside every area).
    """
    if id_column not in areas.columns:
        raise ValueError(f"areas: id column {id_column!r} not found; has {list(areas.columns)}")
    out: dict[str, str | None] = {}
    loose = [t for t in problem.tasks if t.area_id is None]
    for t in problem.tasks:
        if t.area_id is not None:
            out[t.task_id] = t.area_id
    if loose and len(areas):
        points = shapely.points([t.x for t in loose], [t.y for t in loose])
        tree = shapely.STRtree(areas.geometry.to_numpy())
        which, poly = tree.query(points, predicate="intersects")
        ids = areas[id_column].astype(str).to_numpy()
        first: dict[int, str] = {}
        for w, p in zip(which.tolist(), poly.tolist(), strict=True):
            # A point on a shared border goes to the first area listed, so once only.
            first.setdefault(int(w), str(ids[p]))
        for i, t in enumerate(loose):
            out[t.task_id] = first.get(i)
    else:
        for t in loose:
            out[t.task_id] = None
    return out


def restrict_to_area(
    problem: PatrolProblem, area_id: str, area_of_task: Mapping[str, str | None]
) -> PatrolProblem:
    """The problem with only the tasks lying in ``area_id`` (see :func:`area_of_tasks`)."""
    tasks = tuple(t for t in problem.tasks if area_of_task.get(t.task_id) == area_id)
    return replace(
        problem, tasks=tasks, notes=(*problem.notes, f"Tasks restricted to area {area_id}.")
    )
