"""Data types of the routing core: the problem handed to the solver and the plan it returns.

Everything is in integer seconds and node indices; nothing here knows about hotspots, posts
or units. Problems validate themselves on construction and list every malformed field at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from planner.errors import ProblemValidationError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Break:
    """A break a vehicle must take once: ``duration_s`` starting in ``[earliest, latest]``.

    The break is taken between two stops (or between a depot and a stop), never during a
    visit; the unit may travel before or after it within that leg.
    """

    duration_s: int
    earliest_start_s: int
    latest_start_s: int


@dataclass(frozen=True)
class Vehicle:
    """One unit: where it starts and ends, which travel matrix it uses and its shift.

    Parameters
    ----------
    start_node, end_node
        Depot node indices (they may be equal, and several vehicles may share them).
    profile
        Index into :attr:`RoutingProblem.travel_s` (foot, bike, car, ...).
    shift_start_s, shift_end_s
        The unit leaves its start depot at or after ``shift_start_s`` and must reach its end
        depot by ``shift_end_s``.
    breaks
        Breaks the unit must take during the shift.
    name
        Free text used in messages.
    """

    start_node: int
    end_node: int
    profile: int = 0
    shift_start_s: int = 0
    shift_end_s: int = 24 * 3600
    breaks: tuple[Break, ...] = ()
    name: str = ""

    def label(self, index: int) -> str:
        """Return ``"vehicle 3 ('car-7')"`` for messages."""
        return f"vehicle {index}" + (f" ({self.name!r})" if self.name else "")


@dataclass(frozen=True)
class MinGap:
    """Node ``b`` must start at least ``gap_s`` after node ``a`` starts, when both are visited."""

    node_a: int
    node_b: int
    gap_s: int


def _int_vector(name: str, values: object, n: int, problems: list[str]) -> IntArray:
    arr = np.asarray(values)
    if arr.shape != (n,):
        problems.append(f"{name}: expected shape ({n},), got {arr.shape}")
        return np.zeros(n, dtype=np.int64)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
        problems.append(f"{name}: expected integers, got non-integer values such as {arr[0]!r}")
    out = np.asarray(arr, dtype=np.int64).copy()
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A team orienteering problem with time windows, skills, breaks and minimum gaps.

    Nodes ``0 .. n-1`` are places; those used as a vehicle's start or end are depots and
    are never visited as stops (their prize, service and window are ignored, and they may not
    be required). All times are integer seconds.

    Parameters
    ----------
    travel_s
        One ``n x n`` integer matrix per travel profile (travel time from row to column).
    service_s
        Dwell time at each node.
    prize
        Non-negative reward for visiting each node.
    window_open_s, window_close_s
        A visit must start (after any waiting) within ``[open, close]``.
    required
        Nodes that must be visited.
    vehicles
        The units.
    allowed_vehicles
        Per node, the vehicle indices allowed to visit it, or ``None`` for any vehicle.
    min_gaps
        Precedences between repeat visits (any vehicles).
    names
        Optional node names used in messages.

    Raises
    ------
    ProblemValidationError
        Listing every malformed field with the value found.
    """

    travel_s: tuple[IntArray, ...]
    service_s: IntArray
    prize: IntArray
    window_open_s: IntArray
    window_close_s: IntArray
    required: BoolArray
    vehicles: tuple[Vehicle, ...]
    allowed_vehicles: tuple[frozenset[int] | None, ...] | None = None
    min_gaps: tuple[MinGap, ...] = ()
    names: tuple[str, ...] | None = None
    depots: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        mats = tuple(self.travel_s) if isinstance(self.travel_s, Sequence) else ()
        if not mats:
            problems.append("travel_s: expected at least one square matrix, got none")
            raise ProblemValidationError(problems)
        first = np.asarray(mats[0])
        n = first.shape[0] if first.ndim == 2 else -1
        fixed: list[IntArray] = []
        for p, m in enumerate(mats):
            arr = np.asarray(m)
            if arr.ndim != 2 or arr.shape != (n, n):
                problems.append(f"travel_s[{p}]: expected shape ({n}, {n}), got {arr.shape}")
                continue
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
                problems.append(f"travel_s[{p}]: expected integer seconds, got non-integers")
            iarr = np.asarray(arr, dtype=np.int64).copy()
            if (iarr < 0).any():
                i, j = np.argwhere(iarr < 0)[0]
                problems.append(f"travel_s[{p}][{i}, {j}]: negative travel time {iarr[i, j]}")
            iarr.setflags(write=False)
            fixed.append(iarr)
        if n <= 0:
            problems.append(f"travel_s[0]: expected a non-empty square matrix, got {first.shape}")
            raise ProblemValidationError(problems)
        object.__setattr__(self, "travel_s", tuple(fixed))
        for name in ("service_s", "prize", "window_open_s", "window_close_s"):
            arr = _int_vector(name, getattr(self, name), n, problems)
            if (arr < 0).any():
                i = int(np.argmax(arr < 0))
                problems.append(f"{name}[{i}]: negative value {arr[i]}")
            object.__setattr__(self, name, arr)
        req = np.asarray(self.required)
        if req.shape != (n,):
            problems.append(f"required: expected shape ({n},), got {req.shape}")
            req = np.zeros(n, dtype=bool)
        req = req.astype(bool).copy()
        req.setflags(write=False)
        object.__setattr__(self, "required", req)
        bad_w = np.nonzero(self.window_open_s > self.window_close_s)[0]
        for i in bad_w[:10]:
            problems.append(
                f"window_open_s[{i}] = {self.window_open_s[i]} is after "
                f"window_close_s[{i}] = {self.window_close_s[i]}"
            )
        vehicles = tuple(self.vehicles)
        object.__setattr__(self, "vehicles", vehicles)
        if not vehicles:
            problems.append("vehicles: expected at least one vehicle, got none")
        depots: set[int] = set()
        for v, veh in enumerate(vehicles):
            for attr in ("start_node", "end_node"):
                node = getattr(veh, attr)
                if not 0 <= node < n:
                    problems.append(f"vehicles[{v}].{attr}: node {node} is not in 0..{n - 1}")
                else:
                    depots.add(int(node))
            if not 0 <= veh.profile < len(fixed):
                problems.append(
                    f"vehicles[{v}].profile: {veh.profile} is not in 0..{len(fixed) - 1}"
                )
            if veh.shift_start_s < 0 or veh.shift_end_s < veh.shift_start_s:
                problems.append(
                    f"vehicles[{v}]: shift [{veh.shift_start_s}, {veh.shift_end_s}] "
                    "is negative or ends before it starts"
                )
            for b, brk in enumerate(veh.breaks):
                if brk.duration_s < 0 or brk.earliest_start_s > brk.latest_start_s:
                    problems.append(
                        f"vehicles[{v}].breaks[{b}]: duration {brk.duration_s} with start "
                        f"window [{brk.earliest_start_s}, {brk.latest_start_s}] is malformed"
                    )
        object.__setattr__(self, "depots", frozenset(depots))
        for d in sorted(depots):
            if req[d]:
                problems.append(f"required[{d}]: depot node {d} cannot be a required visit")
        if self.allowed_vehicles is not None:
            allowed = tuple(
                None if a is None else frozenset(int(x) for x in a) for a in self.allowed_vehicles
            )
            if len(allowed) != n:
                problems.append(f"allowed_vehicles: expected {n} entries, got {len(allowed)}")
            for i, a in enumerate(allowed):
                bad = sorted(x for x in (a or ()) if not 0 <= x < len(vehicles))
                if bad:
                    problems.append(f"allowed_vehicles[{i}]: unknown vehicle indices {bad}")
            object.__setattr__(self, "allowed_vehicles", allowed)
        gaps = tuple(self.min_gaps)
        object.__setattr__(self, "min_gaps", gaps)
        for g, gap in enumerate(gaps):
            if not (0 <= gap.node_a < n and 0 <= gap.node_b < n) or gap.node_a == gap.node_b:
                problems.append(
                    f"min_gaps[{g}]: nodes ({gap.node_a}, {gap.node_b}) must be two distinct "
                    f"nodes in 0..{n - 1}"
                )
            elif gap.node_a in depots or gap.node_b in depots:
                problems.append(
                    f"min_gaps[{g}]: nodes ({gap.node_a}, {gap.node_b}) include a depot"
                )
            if gap.gap_s < 0:
                problems.append(f"min_gaps[{g}].gap_s: negative gap {gap.gap_s}")
        if self.names is not None and len(self.names) != n:
            problems.append(f"names: expected {n} entries, got {len(self.names)}")
        if problems:
            raise ProblemValidationError(problems)

    @property
    def n_nodes(self) -> int:
        """Number of nodes, depots included."""
        return int(self.service_s.shape[0])

    def node_label(self, node: int) -> str:
        """Return ``"node 7 ('Market St')"`` for messages."""
        if self.names is not None:
            return f"node {node} ({self.names[node]!r})"
        return f"node {node}"

    def vehicle_may_visit(self, vehicle: int, node: int) -> bool:
        """Whether the skills allow ``vehicle`` to visit ``node``."""
        if self.allowed_vehicles is None:
            return True
        allowed = self.allowed_vehicles[node]
        return allowed is None or vehicle in allowed

    def travel(self, vehicle: int) -> IntArray:
        """The travel-time matrix of ``vehicle``'s profile."""
        return self.travel_s[self.vehicles[vehicle].profile]


@dataclass(frozen=True)
class Stop:
    """A visit: the service starts at ``arrival_s`` (after any waiting) and ends at departure."""

    node: int
    arrival_s: int
    departure_s: int


@dataclass(frozen=True)
class BreakPlacement:
    """Where a vehicle takes break ``break_index``: in the leg after stop ``after_stop``.

    ``after_stop`` is ``-1`` for the leg leaving the start depot and ``len(stops) - 1`` for
    the leg to the end depot.
    """

    break_index: int
    start_s: int
    duration_s: int
    after_stop: int


@dataclass(frozen=True)
class Route:
    """The plan of one vehicle (possibly without stops: it then stays at its depot)."""

    vehicle: int
    stops: tuple[Stop, ...]
    breaks: tuple[BreakPlacement, ...]
    depart_s: int
    return_s: int
    travel_s: int
    prize: int

    @property
    def nodes(self) -> tuple[int, ...]:
        """Visited nodes in order, depots excluded."""
        return tuple(s.node for s in self.stops)


@dataclass(frozen=True)
class RoutingSolution:
    """A verified plan: one route per vehicle, totals and the nodes left out."""

    routes: tuple[Route, ...]
    total_prize: int
    total_travel_s: int
    dropped: tuple[int, ...]
    status: str = "FEASIBLE"
    seed: int = 0

    def signature(self) -> tuple[tuple[int, ...], ...]:
        """Stop orders of all routes; two plans with the same signature visit identically."""
        return tuple(r.nodes for r in self.routes)
