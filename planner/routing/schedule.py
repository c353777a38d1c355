r"""Timing of given stop orders: earliest service starts, break placement and minimum gaps.

Used by the search (to accept or reject routes, and as the incremental state its insertion
checks read) and to turn node orders into timed plans. The independent check of finished
plans lives in :mod:`planner.routing.verify`.

Breaks as items
---------------
A break :math:`(d, [e, l])` taken in the leg :math:`i \to j` is an item of the route with
zero travel on both sides, start window :math:`[e - t_{ij}, l]` and duration
:math:`t_{ij} + d`: if the unit is free at :math:`x`, the item starts at
:math:`\max(x, e - t_{ij}) \le l` and the unit reaches :math:`j` at
:math:`\max(x + t_{ij}, e) + d`, which is exactly the earliest arrival when the break may
start anywhere in the leg (at :math:`\max(x, e)`, before, during or after the drive). A
second break in the same leg follows the first with window :math:`[e, l]` and duration
:math:`d`. With breaks as items, a route is a plain sequence with windows, so the classic
forward pass (earliest starts) and backward pass (how much later each arrival may become,
``cap``) apply unchanged.

Which leg takes a break is chosen per route: with the other breaks placed, every leg is
tried in O(1) against the caps of the route without that break, and the leg leaving the
most slack is kept. For one break per unit this finds a timing whenever one exists.

Minimum gaps
------------
A gap :math:`\tau_b \ge \tau_a + g` between two stops of the same route raises
:math:`b`'s earliest start during the forward pass and caps how much later :math:`a` may
start (:math:`\tau_b - g`). Across routes, the partner's current start turns the gap into a
window bound (``lower`` / ``upper``); :meth:`Timer.routes` iterates to the earliest times
that satisfy all gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.routing.model import BreakPlacement, RoutingProblem

#: No bound.
BIG = 1 << 60


@dataclass(frozen=True)
class RouteTimes:
    """Earliest feasible times of one vehicle's stop order."""

    vehicle: int
    nodes: tuple[int, ...]
    arrival_s: tuple[int, ...]
    departure_s: tuple[int, ...]
    breaks: tuple[BreakPlacement, ...]
    depart_s: int
    return_s: int
    travel_s: int


@dataclass
class RouteState:
    """One timed route as a sequence of items: depots, stops and breaks.

    Per item ``k``: ``loc`` is the node (``-1`` for a break), ``brk`` the break index
    (``-1`` for a place), ``first`` whether it is the first break of its leg (it then
    carries the leg's travel), ``tin`` the travel from the previous item, ``open`` /
    ``close`` the effective start window (gaps and bounds included), ``svc`` the duration,
    ``start`` / ``dep`` the earliest start and departure, ``cap`` how much later the
    arrival at the item may become without breaking any window after it.
    """

    vehicle: int
    nodes: list[int]
    loc: list[int]
    brk: list[int]
    first: list[bool]
    tin: list[int]
    open: list[int]
    close: list[int]
    svc: list[int]
    start: list[int]
    dep: list[int]
    cap: list[int]
    travel: int

    def starts(self) -> dict[int, int]:
        """Service start of each stop."""
        return {n: s for n, s in zip(self.loc[1:-1], self.start[1:-1], strict=True) if n >= 0}

    def latest(self) -> dict[int, int]:
        """Latest service start of each stop that keeps every later window (this order)."""
        return {
            self.loc[k]: self.dep[k - 1] + self.tin[k] + self.cap[k]
            for k in range(1, len(self.loc) - 1)
            if self.loc[k] >= 0
        }


class Timer:
    """Times stop orders of one problem (precomputed lists for speed).

    Parameters
    ----------
    problem
        The routing problem.
    """

    def __init__(self, problem: RoutingProblem) -> None:
        self.p = problem
        #: Stops timed so far by :meth:`route` (a machine-independent measure of the work
        #: done, for budgets that must give the same answer on any machine and under load).
        self.stops_timed = 0
        self.nv = len(problem.vehicles)
        self.tl = [problem.travel(v).tolist() for v in range(self.nv)]
        self.opn = [int(x) for x in problem.window_open_s]
        self.cls = [int(x) for x in problem.window_close_s]
        self.svc = [int(x) for x in problem.service_s]
        self.breaks = [
            sorted(
                enumerate(veh.breaks),
                key=lambda ib: (ib[1].latest_start_s, ib[1].earliest_start_s),
            )
            for veh in problem.vehicles
        ]
        self.forbidden = [
            frozenset(
                j
                for j in range(problem.n_nodes)
                if j not in problem.depots and not problem.vehicle_may_visit(v, j)
            )
            for v in range(self.nv)
        ]
        # Gap partners: preds[b] = [(a, g)] (b after a), succs[a] = [(b, g)].
        self.preds: dict[int, list[tuple[int, int]]] = {}
        self.succs: dict[int, list[tuple[int, int]]] = {}
        for gap in problem.min_gaps:
            self.preds.setdefault(gap.node_b, []).append((gap.node_a, gap.gap_s))
            self.succs.setdefault(gap.node_a, []).append((gap.node_b, gap.gap_s))

    # ------------------------------------------------------------------ one route
    def _pass(
        self,
        v: int,
        seq: list[int],
        placed: dict[int, list[int]],
        lower: Mapping[int, int],
        upper: Mapping[int, int],
        members: set[int],
    ) -> RouteState | None:
        """Forward and backward pass over ``seq`` with breaks ``placed[leg]``."""
        veh = self.p.vehicles[v]
        tl = self.tl[v]
        brks = veh.breaks
        loc: list[int] = []
        brk: list[int] = []
        first: list[bool] = []
        tin: list[int] = []
        opn: list[int] = []
        cls: list[int] = []
        svc: list[int] = []
        travel = 0
        last = len(seq) - 1
        for k, node in enumerate(seq):
            if k == 0:
                loc.append(node)
                brk.append(-1)
                first.append(False)
                tin.append(0)
                opn.append(veh.shift_start_s)
                cls.append(veh.shift_start_s)
                svc.append(0)
                continue
            prev = seq[k - 1]
            leg = tl[prev][node]
            travel += leg
            in_leg = placed.get(k - 1)
            if in_leg:
                for q, b in enumerate(in_leg):
                    bb = brks[b]
                    loc.append(-1)
                    brk.append(b)
                    first.append(q == 0)
                    tin.append(0)
                    if q == 0:
                        opn.append(bb.earliest_start_s - leg)
                        svc.append(leg + bb.duration_s)
                    else:
                        opn.append(bb.earliest_start_s)
                        svc.append(bb.duration_s)
                    cls.append(bb.latest_start_s)
                leg = 0
            loc.append(node)
            brk.append(-1)
            first.append(False)
            tin.append(leg)
            if k == last:
                opn.append(veh.shift_start_s)
                cls.append(veh.shift_end_s)
                svc.append(0)
            else:
                o, c = self.opn[node], self.cls[node]
                lo = lower.get(node)
                if lo is not None and lo > o:
                    o = lo
                hi = upper.get(node)
                if hi is not None and hi < c:
                    c = hi
                opn.append(o)
                cls.append(c)
                svc.append(self.svc[node])
        m = len(loc)
        start = [0] * m
        dep = [0] * m
        wait = [0] * m
        start[0] = dep[0] = veh.shift_start_s
        preds, succs = self.preds, self.succs
        seen: dict[int, int] = {}
        for k in range(1, m):
            a = dep[k - 1] + tin[k]
            o = opn[k]
            node = loc[k]
            if node >= 0 and node in preds and k < m - 1:
                for x, g in preds[node]:
                    sx = seen.get(x)
                    if sx is not None:
                        if sx + g > o:
                            o = sx + g
                    elif x in members:
                        return None  # x must come first but is later in this route
                opn[k] = o
            s = a if a > o else o
            if s > cls[k]:
                return None
            start[k], wait[k], dep[k] = s, s - a, s + svc[k]
            if node >= 0:
                seen[node] = s
        for k in range(1, m - 1):
            node = loc[k]
            if node >= 0 and node in succs:
                for y, g in succs[node]:
                    sy = seen.get(y)
                    if sy is not None and sy - g < cls[k]:
                        cls[k] = sy - g
        cap = [0] * m
        ms = cls[m - 1] - start[m - 1]
        cap[m - 1] = wait[m - 1] + ms
        for k in range(m - 2, 0, -1):
            own = cls[k] - start[k]
            nxt = wait[k + 1] + ms
            ms = own if own < nxt else nxt
            cap[k] = wait[k] + ms
        cap[0] = 0
        return RouteState(
            v, list(seq[1:-1]), loc, brk, first, tin, opn, cls, svc, start, dep, cap, travel
        )

    def route(
        self,
        v: int,
        nodes: Sequence[int],
        lower: Mapping[int, int] | None = None,
        upper: Mapping[int, int] | None = None,
    ) -> RouteState | None:
        """Time stop order ``nodes`` of vehicle ``v`` as early as possible.

        ``lower`` / ``upper`` bound the start of given stops (gaps to other routes).
        Returns ``None`` when no timing is found (always when none exists with at most one
        break per unit; with several, the legs are chosen one break at a time).
        """
        if self.forbidden[v] and not self.forbidden[v].isdisjoint(nodes):
            return None
        self.stops_timed += len(nodes) + 2
        veh = self.p.vehicles[v]
        seq = [veh.start_node, *nodes, veh.end_node]
        members = set(nodes)
        lo = lower or {}
        hi = upper or {}
        placed: dict[int, list[int]] = {}
        tl = self.tl[v]
        for b, bb in self.breaks[v]:
            st = self._pass(v, seq, placed, lo, hi, members)
            if st is None:
                return None
            e, lat, d = bb.earliest_start_s, bb.latest_start_s, bb.duration_s
            best_leg, best_score = -1, -BIG
            k_item = 0
            for leg in range(len(seq) - 1):
                # Item index of the next place: skip the breaks already in this leg.
                nxt = k_item + 1 + len(placed.get(leg, ()))
                prev = nxt - 1
                x = st.dep[prev]
                if prev == k_item:
                    t = tl[seq[leg]][seq[leg + 1]]
                    virt = x if x > e - t else e - t
                    arrive = (x + t if x + t > e else e) + d
                    delay = arrive - (x + t)
                else:
                    virt = x if x > e else e
                    delay = virt + d - x
                if virt <= lat and delay <= st.cap[nxt]:
                    score = min(st.cap[nxt] - delay, lat - virt)
                    if score > best_score:
                        best_leg, best_score = leg, score
                k_item = nxt
            if best_leg < 0:
                return None
            placed.setdefault(best_leg, []).append(b)
        return self._pass(v, seq, placed, lo, hi, members)

    def times(self, state: RouteState) -> RouteTimes:
        """The plain timed route of a state: stop times, break placements, totals."""
        brks = self.p.vehicles[state.vehicle].breaks
        arrivals: list[int] = []
        departures: list[int] = []
        placements: list[BreakPlacement] = []
        stop = -1
        for k in range(1, len(state.loc) - 1):
            if state.loc[k] >= 0:
                arrivals.append(state.start[k])
                departures.append(state.dep[k])
                stop += 1
                continue
            bb = brks[state.brk[k]]
            if state.first[k]:
                # The item's window is shifted by the leg's travel; the break itself starts
                # once the unit is free and the break window is open, before, during or after
                # the drive.
                free = state.dep[k - 1]
                at = free if free > bb.earliest_start_s else bb.earliest_start_s
            else:
                at = state.start[k]
            placements.append(BreakPlacement(state.brk[k], at, bb.duration_s, stop))
        return RouteTimes(
            vehicle=state.vehicle,
            nodes=tuple(state.nodes),
            arrival_s=tuple(arrivals),
            departure_s=tuple(departures),
            breaks=tuple(placements),
            depart_s=state.start[0],
            return_s=state.start[-1],
            travel_s=state.travel,
        )

    # ------------------------------------------------------------------ all routes
    def bounds(
        self, v: int, nodes: Sequence[int], starts: Mapping[int, int], where: Mapping[int, int]
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Start bounds of route ``v``'s stops from their gap partners on other routes."""
        lower: dict[int, int] = {}
        upper: dict[int, int] = {}
        for node in nodes:
            for x, g in self.preds.get(node, ()):
                w = where.get(x)
                if w is not None and w != v:
                    val = starts[x] + g
                    if val > lower.get(node, -BIG):
                        lower[node] = val
            for y, g in self.succs.get(node, ()):
                w = where.get(y)
                if w is not None and w != v:
                    val = starts[y] - g
                    if val < upper.get(node, BIG):
                        upper[node] = val
        return lower, upper

    def linked(self, nodes: Sequence[int], where: Mapping[int, int]) -> set[int]:
        """Routes holding a gap partner of any of ``nodes``."""
        out: set[int] = set()
        for node in nodes:
            for x, _ in self.preds.get(node, ()):
                if x in where:
                    out.add(where[x])
            for y, _ in self.succs.get(node, ()):
                if y in where:
                    out.add(where[y])
        return out

    def routes(self, routes: Sequence[Sequence[int]]) -> list[RouteState] | None:
        """Time all routes, honouring minimum gaps across vehicles; ``None`` if infeasible.

        Gaps across routes raise the later stop's earliest start until nothing changes
        (monotone, so at most one round per gap unless gaps form a cycle, reported as
        infeasible); a last pass adds the upper bounds so the states' caps keep every gap.
        """
        states: list[RouteState | None] = [self.route(v, r) for v, r in enumerate(routes)]
        if any(s is None for s in states):
            return None
        if not self.preds:
            return states  # type: ignore[return-value]
        where = {node: v for v, r in enumerate(routes) for node in r}
        cross = [v for v, r in enumerate(routes) if self.linked(r, where) - {v}]
        if not cross:
            return states  # type: ignore[return-value]
        # Raise earliest starts from the partners' earliest starts, and bound latest starts
        # by the partners' latest ones (start + how much later it may still go) so each
        # route's break goes to a leg that leaves its partners room.
        used: dict[int, tuple[dict[int, int], dict[int, int]]] = {v: ({}, {}) for v in cross}
        starts: dict[int, int] = {}
        latest: dict[int, int] = {}
        for s in states:
            assert s is not None
            starts.update(s.starts())
            latest.update(s.latest())
        stuck: set[int] = set()
        for _ in range(len(self.p.min_gaps) + 2):
            moved = False
            # One route at a time, each against its partners' newest times.
            for v in cross:
                lo, _ = self.bounds(v, routes[v], starts, where)
                _, hi = self.bounds(v, routes[v], latest, where)
                if (lo, hi) == used[v]:
                    continue
                used[v] = (lo, hi)
                st = self.route(v, routes[v], lo, hi)
                if st is None:
                    # May clear once its partners have moved; meanwhile pass its latest
                    # starts on along chains of gaps (a -> b -> c) so they move the right way.
                    stuck.add(v)
                    loose = self.route(v, routes[v], None, hi)
                    if loose is not None:
                        latest.update(loose.latest())
                        moved = True
                    continue
                stuck.discard(v)
                states[v] = st
                starts.update(st.starts())
                latest.update(st.latest())
                moved = True
            if not moved:
                break
        if stuck:
            return None
        # Add the upper bounds (they shape the caps and may move a break); repeat until every
        # state was timed with the bounds of the final starts.
        used = {v: (used[v][0], {}) for v in cross}
        for _ in range(2 * len(self.p.min_gaps) + 4):
            starts = {}
            for s in states:
                assert s is not None
                starts.update(s.starts())
            moved = False
            for v in cross:
                bounds = self.bounds(v, routes[v], starts, where)
                if bounds == used[v]:
                    continue
                st = self.route(v, routes[v], *bounds)
                if st is None:
                    return None
                used[v] = bounds
                moved = True
                states[v] = st
                starts.update(st.starts())
            if not moved:
                return states  # type: ignore[return-value]
        return None


def schedule_route(
    problem: RoutingProblem,
    vehicle: int,
    nodes: Sequence[int],
    lower_bounds: Mapping[int, int] | None = None,
) -> RouteTimes | None:
    """Time one stop order as early as possible; ``None`` when no timing is found.

    ``lower_bounds`` are extra earliest service starts per node (e.g. from minimum gaps).
    """
    timer = Timer(problem)
    state = timer.route(vehicle, nodes, lower_bounds)
    return None if state is None else timer.times(state)


def schedule_routes(
    problem: RoutingProblem, routes: Sequence[Sequence[int]]
) -> list[RouteTimes] | None:
    """Time all routes (one stop order per vehicle) honouring minimum gaps across vehicles."""
    timer = Timer(problem)
    states = timer.routes(routes)
    return None if states is None else [timer.times(s) for s in states]
