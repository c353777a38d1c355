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

The presence objective (见警率)
------------------------------
Plans are valued by presence per grid cell :math:`c` over time (:mod:`planner.presence`):
with :math:`p_c(t)` units present in cell :math:`c` at time :math:`t` (dwell at stops, and
walks along lines and sectors split over the cells they cross), the risk
:math:`\rho_c(t)` of the clock hour holding :math:`t` (:mod:`planner.hourly`) and
:math:`w_c(t)` the minutes of presence in :math:`c` during the last :math:`\Gamma` minutes
(the recovery gap, default 90; ``PresenceRule.recover_min``),

.. math::

    V = \sum_c \int \frac{\rho_c(t)}{D}\, p_c(t)\, \varphi\big(w_c(t)\big)\, dt, \qquad
    \varphi(w) = r^{\lfloor w / D \rfloor} \text{ for } w < KD, \; 0 \text{ beyond}

(dwell :math:`D` = 12 min, :math:`r` = 0.5, :math:`K` = 3): the first dwell after
:math:`\Gamma` minutes without presence counts fully, each further one half as much, and a place
recovers its full value :math:`\Gamma` minutes after the last presence, at whatever time of day
(Koper: revisits about every 1.5-2 h, not in a fixed order). Without a gap
(``recover_min=None``) :math:`w_c(t)` is the presence since the start of :math:`t`'s clock
hour and :math:`V = \sum_{c,h} \rho_{ch}\, g(m_{ch})` with
:math:`g(m) = \sum_{k<K} r^k \min(D, \max(0, m - kD))/D` (value recovers at the next hour).

The routing model above carries :math:`V` through time-expanded nodes
(:func:`planner.sources.presence_tasks`): node :math:`(c, h)` is a stay of :math:`sD`
(:math:`s` dwells, 1 unless the hotspot cells are too few to hold the units' time) whose
window keeps it inside hour :math:`h`, with prize :math:`\rho_{ch}\, g(sD)`; the stays of
one cell are chained by minimum gaps :math:`(a, b, \Gamma + sD) \in G`, so each stay a plan
makes starts with a clean window and collects exactly its prize. (Clock-hour rule:
nodes :math:`(c, h, k)` of dwell :math:`D` and prize :math:`\rho_{ch} r^k`, the increments of
:math:`g`.) Duties (posts, lines, sector walks) keep their own prizes; every plan is valued
by :math:`V` itself after the search. Every candidate hour of the shift is offered, so units
patrol until their shift ends while value remains.

The bound. :func:`planner.presence.presence_bound_gap` bounds :math:`V` over all plans
(travel ignored): for :math:`\Gamma \ge 60` min, :math:`w_c(t)` contains the presence since the
start of :math:`t`'s clock hour, so the rate never exceeds the clock-hour rule's and the
clock-hour relaxation (per-hour and total unit minutes, greedy over the concave pieces,
exact for that polymatroid) bounds :math:`V`; cutting time into blocks of length :math:`\Gamma`
gives a second relaxation (a cell's presence in a block is worth at most the block's peak
risk times :math:`g`), and the least of these bounds is reported. Tests compare it with
exact optima of instances small enough to enumerate.

The search
----------
1. An explicit pre-check proves the obvious infeasibilities (a required node no allowed
   vehicle can reach within its window and shift; a break that cannot fit the shift) and
   raises :class:`~planner.errors.InfeasibleError` naming them.
2. Greedy insertion by prize / extra time (required nodes first), then destroy-and-repair
   large-neighbourhood search with simulated-annealing acceptance (:mod:`.lns`). Breaks are
   items of the route with their own windows and gaps become window bounds
   (:mod:`.schedule`), so insertion checks stay O(1) per position with breaks and gaps too.
   Both phases check the deadline; construction past it inserts only required nodes.
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
from collections.abc import Callable, Sequence

from planner.errors import InfeasibleError, PlanningError, VerificationError
from planner.routing.lns import Incumbent, Search
from planner.routing.model import Route, RoutingProblem, RoutingSolution, Stop
from planner.routing.schedule import RouteTimes, Timer, schedule_routes
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
    problem: RoutingProblem,
    routes: Sequence[Sequence[int]],
    status: str,
    seed: int,
    times: Sequence[RouteTimes] | None = None,
) -> RoutingSolution | None:
    """Time stop orders into a :class:`RoutingSolution`; ``None`` when they cannot be timed.

    ``times`` are used when given (the search's own timing of ``routes``).
    """
    if times is None:
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
    clock: Callable[[], float] = time.perf_counter,
) -> RoutingSolution:
    """Plan routes that collect the most prize, visiting every required node.

    The time limit holds in every phase: construction stops inserting optional nodes at
    the deadline (required nodes are always inserted), the LNS stops at 97 % of the budget
    and the OR-Tools phase gets what is left. The overrun is the last insertion or LNS
    iteration in progress plus timing and verifying the plan: a few tens of milliseconds on
    ~200-node problems (documented bound: ``max(0.5 s, 10 %)`` of the limit).

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
    clock
        Time source for the deadline (seconds, monotonic). Injectable so tests can drive the
        deadline handling deterministically.

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
    t0 = clock()
    deadline = t0 + time_limit_s
    lns_deadline = t0 + time_limit_s * (1.0 - ortools_fraction) * 0.97
    precheck(problem)
    search = Search(problem, seed, avoid_arcs, clock=clock)
    start = search.construct(lns_deadline)
    status = "LNS"
    best: Incumbent | None = None
    if start is not None:
        best, _ = search.run(start, lns_deadline, max_iterations)
    if best is None or ortools_fraction > 0:
        from planner.routing.ortools_search import improve_with_ortools

        remaining = max(0.05, (deadline - clock()) * 0.9)
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
    return _finish(problem, best, status, seed)


def _finish(problem: RoutingProblem, best: Incumbent, status: str, seed: int) -> RoutingSolution:
    """Time, extract and verify the search's best routes."""
    solution = build_solution(problem, best.routes, status, seed)
    if solution is None and best.states is not None:
        timer = Timer(problem)
        solution = build_solution(
            problem, best.routes, status, seed, [timer.times(s) for s in best.states]
        )
    if solution is None:
        raise VerificationError([f"the search's routes {best.routes} cannot be timed"])
    violations = verify(problem, solution)
    if violations:
        raise VerificationError(violations)
    return solution


def _arcs(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for v, r in enumerate(routes):
        veh = problem.vehicles[v]
        out.update(itertools.pairwise([veh.start_node, *r, veh.end_node]))
    return out


def _rearrangements(routes: list[list[int]]) -> list[list[list[int]]]:
    """Same stops, other orders: each route reversed, then adjacent stops swapped."""
    out: list[list[list[int]]] = []
    for v, r in enumerate(routes):
        if len(r) >= 2:
            out.append([*routes[:v], r[::-1], *routes[v + 1 :]])
    for v, r in enumerate(routes):
        for k in range(len(r) - 1):
            swapped = [*r[:k], r[k + 1], r[k], *r[k + 2 :]]
            out.append([*routes[:v], swapped, *routes[v + 1 :]])
    return out


def _variant(
    problem: RoutingProblem,
    base: RoutingSolution,
    used: set[tuple[int, int]],
    seen: set[tuple[tuple[int, ...], ...]],
    floor: float,
    *,
    time_limit_s: float,
    seed: int,
    max_iterations: int | None,
    clock: Callable[[], float],
) -> RoutingSolution | None:
    """A plan with a new stop order and prize >= ``floor``, or ``None``.

    The LNS restarts from ``base`` with every arc used so far counted as a long detour in
    the travel tie-break, so among plans of (nearly) the best prize it drifts to other
    orders; if it still returns a known order, single rearrangements of ``base`` (a route
    reversed, two neighbours swapped) are tried, the one reusing fewest arcs first.
    """
    t0 = clock()
    search = Search(problem, seed, frozenset(used), clock=clock)
    routes = [list(r.nodes) for r in base.routes]
    if search.slow:
        # Without states the LNS still runs (each repair re-times from scratch).
        search.last_states = search.timer.routes(routes)
    start = search._incumbent(routes)
    best, _ = search.run(start, t0 + time_limit_s * 0.9, max_iterations)
    candidates = [best.routes]
    rearranged = [r for r in _rearrangements(routes) if tuple(map(tuple, r)) not in seen]
    rearranged.sort(key=lambda r: len(_arcs(problem, r) & used))
    candidates += rearranged[:50]
    for cand in candidates:
        sig = tuple(tuple(r) for r in cand)
        if sig in seen or not search.feasible(cand):
            continue
        prize, travel = search.objective(cand)
        if prize < floor or not search.required_set <= {j for r in cand for j in r}:
            continue
        return _finish(problem, Incumbent(cand, prize, travel), "LNS_VARIANT", seed)
    return None


def solve_varied(
    problem: RoutingProblem,
    n: int,
    *,
    time_limit_s: float,
    seed: int = 0,
    tolerance: float = 0.03,
    max_iterations: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[RoutingSolution]:
    """Up to ``n`` plans with different stop orders, each within ``tolerance`` of the best.

    The best plan gets ``time_limit_s / n``; each further plan restarts the LNS from it with
    every arc of the earlier plans counted as a long detour (prize still comes first), then
    falls back to reversing a route or swapping two neighbouring stops, and is kept when its
    order is new and its prize is at least ``(1 - tolerance)`` times the best. The first plan
    is the best; fewer than ``n`` come back only when no other order of (nearly) the same
    stops is found, e.g. a single stop per unit. A variant that beats the first by more than
    the tolerance becomes the best, and the search goes on from it for the days left.

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
    t0 = clock()
    first = solve(
        problem,
        time_limit_s=time_limit_s / n,
        seed=seed,
        max_iterations=max_iterations,
        clock=clock,
    )
    plans = [first]
    base = first
    # A variant may beat the first plan by more than the tolerance (the search goes on from
    # it): the plans it leaves behind are dropped and others are sought from the new best,
    # so ``n`` days still come back when ``n`` orders exist. Each search takes its share of
    # the time left; the attempts are bounded.
    for attempt in range(1, 2 * n):
        plans.sort(key=lambda s: (-s.total_prize, s.total_travel_s))
        floor = (1.0 - tolerance) * plans[0].total_prize
        plans = [s for s in plans if s.total_prize >= floor]
        if len(plans) >= n:
            break
        if base not in plans:
            base = plans[0]
        seen = {s.signature() for s in plans}
        used: set[tuple[int, int]] = set()
        for s in plans:
            used |= _arcs(problem, s.signature())
        left = t0 + time_limit_s - clock()
        found = _variant(
            problem,
            base,
            used,
            seen,
            floor,
            time_limit_s=max(left / (n - len(plans)), 0.05),
            seed=seed + attempt,
            max_iterations=max_iterations,
            clock=clock,
        )
        if found is None:
            break
        plans.append(found)
    plans.sort(key=lambda s: (-s.total_prize, s.total_travel_s))
    top = plans[0].total_prize
    return [s for s in plans if s.total_prize >= (1.0 - tolerance) * top][:n]
