"""The routing model in OR-Tools, used from scratch or warm-started from given routes.

Arc cost is travel; each optional node is a disjunction whose penalty is its prize times a
weight larger than any total travel, so dropping prize never pays for saved travel. Time is
a dimension with transit = travel + service at the origin, node windows on the cumuls,
breaks as fixed-duration intervals and minimum gaps as conditional cumul constraints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.routing.model import RoutingProblem


@dataclass(frozen=True)
class OrToolsResult:
    """Stop orders per vehicle (``None`` when no solution) and the solver status name."""

    routes: list[list[int]] | None
    status: str


def improve_with_ortools(
    problem: RoutingProblem,
    initial_routes: Sequence[Sequence[int]] | None,
    *,
    time_limit_s: float,
    solution_limit: int | None = None,
) -> OrToolsResult:
    """Run OR-Tools guided local search, from ``initial_routes`` when given.

    Parameters
    ----------
    problem
        The routing problem.
    initial_routes
        Stop orders per vehicle to start from, or ``None`` to build a first solution.
    time_limit_s
        Wall-clock limit of the search.
    solution_limit
        Optional bound on the number of solutions explored, for reproducible runs.
    """
    n = problem.n_nodes
    nv = len(problem.vehicles)
    starts = [v.start_node for v in problem.vehicles]
    ends = [v.end_node for v in problem.vehicles]
    manager = pywrapcp.RoutingIndexManager(n, nv, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    service = [int(x) for x in problem.service_s]
    arc_cb: dict[int, int] = {}
    time_cb: dict[int, int] = {}
    for p, mat in enumerate(problem.travel_s):
        rows = mat.tolist()
        arc_cb[p] = routing.RegisterTransitMatrix(rows)
        time_cb[p] = routing.RegisterTransitMatrix(
            [[rows[i][j] + service[i] for j in range(n)] for i in range(n)]
        )
    for v, veh in enumerate(problem.vehicles):
        routing.SetArcCostEvaluatorOfVehicle(arc_cb[veh.profile], v)
    horizon = max(v.shift_end_s for v in problem.vehicles)
    routing.AddDimensionWithVehicleTransits(
        [time_cb[v.profile] for v in problem.vehicles], horizon, horizon, False, "time"
    )
    dim = routing.GetDimensionOrDie("time")
    weight = sum(v.shift_end_s - v.shift_start_s for v in problem.vehicles) + 1
    for node in range(n):
        if node in problem.depots:
            continue
        index = manager.NodeToIndex(node)
        lo, hi = int(problem.window_open_s[node]), min(int(problem.window_close_s[node]), horizon)
        if lo <= hi:
            dim.CumulVar(index).SetRange(lo, hi)
        elif problem.required[node]:
            return OrToolsResult(None, "ROUTING_INFEASIBLE")
        else:
            # Opens after every shift: never visited (an empty range would fail the model).
            routing.ActiveVar(index).SetValue(0)
        if not problem.required[node]:
            routing.AddDisjunction([index], int(problem.prize[node]) * weight)
        allowed = None if problem.allowed_vehicles is None else problem.allowed_vehicles[node]
        if allowed is not None:
            # Vehicle -1 means "not visited" (SetAllowedVehiclesForIndex rejects Python lists
            # in OR-Tools 9.15's wrapper); a required node cannot take it.
            values = sorted(allowed) if problem.required[node] else [-1, *sorted(allowed)]
            routing.VehicleVar(index).SetValues(values)
    visit_transit = [0] * routing.Size()
    for index in range(routing.Size()):
        node = manager.IndexToNode(index)
        if node not in problem.depots:
            visit_transit[index] = service[node]
    for v, veh in enumerate(problem.vehicles):
        dim.CumulVar(routing.Start(v)).SetRange(veh.shift_start_s, veh.shift_end_s)
        dim.CumulVar(routing.End(v)).SetRange(veh.shift_start_s, veh.shift_end_s)
        if veh.breaks:
            intervals = [
                solver.FixedDurationIntervalVar(
                    b.earliest_start_s, b.latest_start_s, b.duration_s, False, f"break {v}.{k}"
                )
                for k, b in enumerate(veh.breaks)
            ]
            dim.SetBreakIntervalsOfVehicle(intervals, v, visit_transit)
    for gap in problem.min_gaps:
        ia, ib = manager.NodeToIndex(gap.node_a), manager.NodeToIndex(gap.node_b)
        both = routing.ActiveVar(ia) * routing.ActiveVar(ib)
        solver.Add((dim.CumulVar(ib) - dim.CumulVar(ia) - gap.gap_s) * both >= 0)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    routing.CloseModelWithParameters(params)
    initial = None
    if initial_routes is not None:
        idx_routes = [[manager.NodeToIndex(j) for j in r] for r in initial_routes]
        initial = routing.ReadAssignmentFromRoutes(idx_routes, True)
    if initial is not None:
        assignment = routing.SolveFromAssignmentWithParameters(initial, params)
    else:
        assignment = routing.SolveWithParameters(params)
    status = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    if assignment is None:
        return OrToolsResult(None, status)
    routes: list[list[int]] = []
    for v in range(nv):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return OrToolsResult(routes, status)
