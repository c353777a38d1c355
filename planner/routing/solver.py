r"""Solve patrol routing problems: pre-check, construction, LNS, OR-Tools polish, verification.

The optimisation model
----------------------
Nodes :math:`i \in N` (depots :math:`D \subset N` excluded from visits), vehicles
:math:`v \in V` with start and end depots :math:`s_v, e_v`, shift :math:`[a_v, b_v]`,
travel matrix :math:`t^v` (its profile) and breaks :math:`k \in K_v` of duration
:math:`d_k` starting in :math:`[\underline{\beta}_k, \overline{\beta}_k]`. Node :math:`i`
has prize :math:`p_i \ge 0`, service :math:`\sigma_i`, window :math:`[o_i, c_i]`, allowed
vehicles :math:`A_i`; :math:`R \subseteq N` are required; gaps
:math:`(a, b, g) \in G`. Variables: :math:`y_{iv} \in \{0,1\}` (vehicle :math:`v` visits
:math:`i`), :math:`x_{ijv} \in \{0,1\}` (arc), service start :math:`\tau_i`, break
start :math:`\beta_k`.

.. math::

    \max \; W \sum_{v}\sum_{i} p_i\, y_{iv} \;-\; \sum_v \sum_{i,j} t^v_{ij}\, x_{ijv}

subject to

* each vehicle leaves :math:`s_v` once and reaches :math:`e_v` once; flow conservation
  at visited nodes; :math:`\sum_v y_{iv} \le 1`, and :math:`= 1` for :math:`i \in R`;
* :math:`y_{iv} = 0` for :math:`v \notin A_i` (skills);
* :math:`\tau_j \ge \tau_i + \sigma_i + t^v_{ij} + \sum_{k \text{ in leg } ij} d_k` when
  :math:`x_{ijv} = 1` (waiting allowed), :math:`o_i \le \tau_i \le c_i`,
  :math:`\tau_{s_v} \ge a_v`, :math:`\tau_{e_v} \le b_v`;
* each break is taken once, in one leg, inside its start window, never during a visit;
* :math:`\tau_b \ge \tau_a + g` for :math:`(a, b, g) \in G` when both are visited.

:math:`W` exceeds any possible total travel, so prize strictly dominates and travel only
breaks ties.

The search
----------
1. An explicit pre-check proves the obvious infeasibilities (a required node no allowed
   vehicle can reach within its window and shift; a break that cannot fit the shift) and
   raises :class:`~planner.errors.InfeasibleError` naming them.
2. Greedy insertion by prize / extra time (required nodes first), then destroy-and-repair
   large-neighbourhood search with simulated-annealing acceptance (:mod:`.lns`).
3. Optionally OR-Tools routing local search with guided local search, warm-started from the
   best routes (``ortools_fraction`` of the budget); it keeps the result only if better.
4. Routes are timed by :mod:`.schedule` and checked by :func:`.verify.verify`; a plan that
   fails the check raises :class:`~planner.errors.VerificationError`.

Determinism: with ``max_iterations`` set (and reached before ``time_limit_s``), the LNS is
fully determined by ``seed``, and the OR-Tools phase is bounded by a solution count instead
of time, so two runs return identical plans. With only a time limit, results depend on
machine speed.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

from planner.errors import InfeasibleError, PlanningError, VerificationError
from planner.routing.lns import Incumbent, Search
from planner.routing.model import Route, RoutingProblem, RoutingSolution, Stop
from planner.routing.schedule import schedule_routes
from planner.routing.verify import verify


def precheck(problem: RoutingProblem) -> None:
    """Raise when a required node or a break is infeasible on its own, naming them.

    Only conditions that no plan can satisfy are reported, so passing this check does not
    prove feasibility (required nodes may still not fit together).

    Raises
    ------
    InfeasibleError
        With status ``"PRECHECK"`` and every offending node and vehicle in the message.
    """
    reasons: list[str] = []
    bad_nodes: list[int] = []
    for v, veh in enumerate(problem.vehicles):
        direct = int(problem.travel(v)[veh.start_node, veh.end_node])
        if veh.shift_start_s + direct > veh.shift_end_s:
            reasons.append(
                f"{veh.label(v)} cannot even go from its start depot (node {veh.start_node}) "
                f"to its end depot (node {veh.end_node}) within its shift: travel {direct} s "
                f"> shift length {veh.shift_end_s - veh.shift_start_s} s"
            )
        for b, brk in enumerate(veh.breaks):
            if (
                brk.latest_start_s < veh.shift_start_s
                or brk.earliest_start_s + brk.duration_s > veh.shift_end_s
            ):
                reasons.append(
                    f"{veh.label(v)} break {b} (start window [{brk.earliest_start_s}, "
                    f"{brk.latest_start_s}], {brk.duration_s} s) does not fit the shift "
                    f"[{veh.shift_start_s}, {veh.shift_end_s}]"
                )
    for node in (int(j) for j in problem.required.nonzero()[0]):
        allowed = [v for v in range(len(problem.vehicles)) if problem.vehicle_may_visit(v, node)]
        if not allowed:
            reasons.append(f"required {problem.node_label(node)}: no vehicle is allowed to visit")
            bad_nodes.append(node)
            continue
        best: tuple[int, str] | None = None
        for v in allowed:
            veh = problem.vehicles[v]
            t = problem.travel(v)
            arrive = max(
                int(problem.window_open_s[node]), veh.shift_start_s + int(t[veh.start_node, node])
            )
            back = arrive + int(problem.service_s[node]) + int(t[node, veh.end_node])
            close = int(problem.window_close_s[node])
            if arrive <= close and back <= veh.shift_end_s:
                best = None
                break
            if arrive > close:
                why = f"earliest arrival {arrive} is after its window closes at {close}"
                over = arrive - close
            else:
                why = f"back at the end depot at {back}, after the shift ends at {veh.shift_end_s}"
                over = back - veh.shift_end_s
            if best is None or over < best[0]:
                best = (over, f"{veh.label(v)}: {why}")
        else:
            assert best is not None
            reasons.append(
                f"required {problem.node_label(node)} is unreachable by every allowed vehicle "
                f"(closest: {best[1]})"
            )
            bad_nodes.append(node)
    if reasons:
        raise InfeasibleError("; ".join(reasons), "PRECHECK", bad_nodes)


def build_solution(
    problem: RoutingProblem, routes: Sequence[Sequence[int]], status: str, seed: int
) -> RoutingSolution | None:
    """Time stop orders into a :class:`RoutingSolution`; ``None`` when they cannot be timed."""
    times = schedule_routes(problem, routes)
    if times is None:
        return None
    out: list[Route] = []
    visited: set[int] = set()
    for rt in times:
        stops = tuple(
            Stop(node, a, d)
            for node, a, d in zip(rt.nodes, rt.arrival_s, rt.departure_s, strict=True)
        )
        visited.update(rt.nodes)
        out.append(
            Route(
                vehicle=rt.vehicle,
                stops=stops,
                breaks=rt.breaks,
                depart_s=rt.depart_s,
                return_s=rt.return_s,
                travel_s=rt.travel_s,
                prize=int(sum(int(problem.prize[n]) for n in rt.nodes)),
            )
        )
    dropped = tuple(
        j for j in range(problem.n_nodes) if j not in visited and j not in problem.depots
    )
    return RoutingSolution(
        routes=tuple(out),
        total_prize=sum(r.prize for r in out),
        total_travel_s=sum(r.travel_s for r in out),
        dropped=dropped,
        status=status,
        seed=seed,
    )


def solve(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    max_iterations: int | None = None,
    ortools_fraction: float = 0.0,
    avoid_arcs: frozenset[tuple[int, int]] = frozenset(),
) -> RoutingSolution:
    """Plan routes that collect the most prize, visiting every required node.

    Parameters
    ----------
    problem
        The routing problem.
    time_limit_s
        Wall-clock budget for the whole call (pre-check and verification included).
    seed
        Seed of the search's random choices.
    max_iterations
        Bound on LNS iterations; set it for reproducible plans (see module docstring).
    ortools_fraction
        Share of the budget given to OR-Tools local search warm-started from the LNS
        result (0 disables it).
    avoid_arcs
        Node pairs ``(a, b)`` whose use counts as extra travel when breaking ties between
        plans of equal prize (used by :func:`solve_varied`; prize is never traded for it).

    Returns
    -------
    RoutingSolution
        A plan that passed :func:`verify`.

    Raises
    ------
    InfeasibleError
        When the pre-check proves a required node or break infeasible, or no search finds a
        plan visiting every required node (status named).
    VerificationError
        When a plan fails the independent check (a bug).
    """
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s: expected a positive number of seconds, got {time_limit_s}")
    if not 0.0 <= ortools_fraction <= 1.0:
        raise ValueError(f"ortools_fraction: expected a value in [0, 1], got {ortools_fraction}")
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    precheck(problem)
    search = Search(problem, seed, avoid_arcs)
    start = search.construct()
    status = "LNS"
    best: Incumbent | None = None
    if start is not None:
        lns_deadline = t0 + time_limit_s * (1.0 - ortools_fraction) * 0.97
        best, _ = search.run(start, lns_deadline, max_iterations)
    if best is None or ortools_fraction > 0:
        from planner.routing.ortools_search import improve_with_ortools

        remaining = max(0.05, (deadline - time.perf_counter()) * 0.9)
        found = improve_with_ortools(
            problem,
            None if best is None else best.routes,
            time_limit_s=remaining,
            solution_limit=None if max_iterations is None else max(1, max_iterations),
        )
        if found.routes is not None and search.feasible(found.routes):
            prize, travel = search.objective(found.routes)
            candidate = Incumbent(found.routes, prize, travel)
            covered = {j for r in found.routes for j in r}
            if search.required_set <= covered and (best is None or candidate.key() > best.key()):
                best, status = candidate, f"ORTOOLS_{found.status}"
        if best is None:
            raise InfeasibleError(
                "no plan visits all required nodes "
                f"{[problem.node_label(j) for j in search.required]} together within the "
                "vehicles' windows, shifts and breaks",
                found.status,
                search.required,
            )
    solution = build_solution(problem, best.routes, status, seed)
    if solution is None:
        raise VerificationError([f"the search's routes {best.routes} cannot be timed"])
    violations = verify(problem, solution)
    if violations:
        raise VerificationError(violations)
    return solution


def solve_varied(
    problem: RoutingProblem,
    n: int,
    *,
    time_limit_s: float,
    seed: int = 0,
    tolerance: float = 0.03,
    max_iterations: int | None = None,
) -> list[RoutingSolution]:
    """Up to ``n`` plans with different stop orders, each within ``tolerance`` of the best.

    Runs :func:`solve` with successive seeds (at most ``2 n`` runs sharing ``time_limit_s``),
    each run avoiding, among plans of equal prize, the arcs of all earlier plans, and keeps
    distinct stop orders whose prize is at least ``(1 - tolerance)`` times the best found.
    The first plan is the best; fewer than ``n`` come back when the search
    keeps finding the same orders.

    Raises
    ------
    PlanningError
        When ``n`` is not positive or ``tolerance`` is outside ``[0, 1)``; the errors of
        :func:`solve`.
    """
    if n < 1:
        raise PlanningError(f"n: expected at least 1 plan, got {n}")
    if not 0.0 <= tolerance < 1.0:
        raise PlanningError(f"tolerance: expected a value in [0, 1), got {tolerance}")
    runs = 2 * n
    per_run = time_limit_s / runs
    found: dict[tuple[tuple[int, ...], ...], RoutingSolution] = {}
    used: set[tuple[int, int]] = set()
    for k in range(runs):
        sol = solve(
            problem,
            time_limit_s=per_run,
            seed=seed + k,
            max_iterations=max_iterations,
            avoid_arcs=frozenset(used),
        )
        found.setdefault(sol.signature(), sol)
        for route in sol.routes:
            veh = problem.vehicles[route.vehicle]
            seq = [veh.start_node, *route.nodes, veh.end_node]
            used.update(itertools.pairwise(seq))
        top = max(s.total_prize for s in found.values())
        good = [s for s in found.values() if s.total_prize >= (1.0 - tolerance) * top]
        if len(good) >= n:
            break
    top = max(s.total_prize for s in found.values())
    good = [s for s in found.values() if s.total_prize >= (1.0 - tolerance) * top]
    good.sort(key=lambda s: (-s.total_prize, s.total_travel_s, s.seed))
    return good[:n]
