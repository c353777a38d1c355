"""Greedy construction and large-neighbourhood search for the routing core.

The search works on stop orders (one list of nodes per vehicle). Insertions are evaluated
for all free nodes and all positions of a route at once with numpy, using each route's
forward slack (the classic wait / max-shift bookkeeping of orienteering heuristics), which
is exact for windows and shifts. With breaks or minimum gaps the routes are kept as
:class:`~planner.routing.schedule.RouteState` sequences in which each break is an item with
its own window (see :mod:`.schedule`), so an insertion is still checked in O(1) per position
against the item after it; only the chosen insertion re-times its route (O(route length))
and the routes linked to it by gaps.

Every loop checks the deadline (``clock() >= deadline``): once it has passed, repair stops
inserting optional nodes (required ones are always inserted, so a plan exists), construction
keeps the best start found so far and the LNS returns its best.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from planner.routing.model import IntArray, RoutingProblem
from planner.routing.schedule import BIG, RouteState, Timer

_BIG = np.iinfo(np.int64).max // 4


@dataclass
class _RouteState:
    seq: IntArray  # start depot, stops, end depot
    dep: IntArray  # departure time at each position
    cap: IntArray  # how much later the arrival at position k (k >= 1) may become
    travel: int


@dataclass
class Incumbent:
    """A stop order per vehicle with its objective (prize first, then less travel)."""

    routes: list[list[int]]
    prize: int
    travel: int
    #: Timed routes matching ``routes`` when the search kept them (breaks or gaps).
    states: list[RouteState] | None = field(default=None, compare=False)

    def key(self) -> tuple[int, int]:
        """Sort key: larger is better."""
        return (self.prize, -self.travel)


class Search:
    """Construction and LNS state for one problem.

    Parameters
    ----------
    problem
        The routing problem.
    seed
        Seed of the private random generator; with a fixed iteration budget the search is
        deterministic.
    avoid_arcs
        Arcs whose use costs extra travel in the objective (see :func:`.solver.solve`).
    clock
        Source of the time compared with deadlines (injectable so tests can count checks).
    """

    def __init__(
        self,
        problem: RoutingProblem,
        seed: int,
        avoid_arcs: frozenset[tuple[int, int]] = frozenset(),
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.p = problem
        self.clock = clock
        self.deadline = math.inf
        self.deadline_checks = 0
        self.last_states: list[RouteState] | None = None
        self.avoid_arcs = avoid_arcs
        self.rng = random.Random(seed)
        self.nrng = np.random.default_rng(seed)
        self.n = problem.n_nodes
        self.nv = len(problem.vehicles)
        self.T = [problem.travel(v) for v in range(self.nv)]
        self.Tl = [t.tolist() for t in self.T]
        self.opn = problem.window_open_s
        self.cls = problem.window_close_s
        self.svc = problem.service_s
        self.prize = problem.prize
        self.prize_f = problem.prize.astype(float)
        self.opn_l = self.opn.tolist()
        self.cls_l = self.cls.tolist()
        self.svc_l = self.svc.tolist()
        self.slow = bool(problem.min_gaps) or any(v.breaks for v in problem.vehicles)
        self.timer = Timer(problem)
        self.ga = np.array([g.node_a for g in problem.min_gaps], dtype=np.int64)
        self.gb = np.array([g.node_b for g in problem.min_gaps], dtype=np.int64)
        self.gg = np.array([g.gap_s for g in problem.min_gaps], dtype=np.int64)
        useful = (problem.prize > 0) | problem.required
        allowed = np.zeros((self.nv, self.n), dtype=bool)
        for v in range(self.nv):
            for j in range(self.n):
                if j in problem.depots or not useful[j] or not problem.vehicle_may_visit(v, j):
                    continue
                if self.slow:
                    allowed[v, j] = self.timer.route(v, [j]) is not None
                else:
                    allowed[v, j] = self._state(v, [j]) is not None
        self.allowed = allowed
        self.candidates = np.nonzero(allowed.any(axis=0))[0]
        self.required = [int(j) for j in np.nonzero(problem.required)[0]]
        self.required_set = set(self.required)
        # A required node no vehicle can serve even alone makes every repair fail.
        self.required_possible = self.required_set <= set(self.candidates.tolist())
        sym = all(np.array_equal(t, t.T) for t in self.T)
        shift_lo = min(v.shift_start_s for v in problem.vehicles)
        shift_hi = max(v.shift_end_s for v in problem.vehicles)
        loose = bool(
            np.all(self.opn[self.candidates] <= shift_lo)
            and np.all(self.cls[self.candidates] >= shift_hi)
        )
        # 2-opt with O(1) deltas is only exact when windows never bind and arcs are symmetric.
        self.two_opt_ok = sym and loose and not self.slow
        # Search settings, tuned on the TOP and OPTW sets as a whole (not per instance).
        self.equal_slack = 1.02
        self.temp_factor = 1.5
        self.stall_limit = 400
        self.polish_always = False
        self.route_destroy = 0.05
        self.block_prob = 0.3
        # Reusing an avoided arc costs like a long detour, but only in the travel tie-break.
        self.avoid_penalty = int(max((float(t.mean()) for t in self.T), default=0.0)) + 1

    # ------------------------------------------------------------------ route bookkeeping
    def _state(self, v: int, nodes: list[int]) -> _RouteState | None:
        veh = self.p.vehicles[v]
        tl = self.Tl[v]
        seq = [veh.start_node, *nodes, veh.end_node]
        m = len(seq)
        st = [0] * m
        dep = [0] * m
        wait = [0] * m
        st[0] = dep[0] = veh.shift_start_s
        travel = 0
        for k in range(1, m):
            node = seq[k]
            leg = tl[seq[k - 1]][node]
            travel += leg
            a = dep[k - 1] + leg
            if k < m - 1:
                o, c, s = self.opn_l[node], self.cls_l[node], self.svc_l[node]
            else:
                o, c, s = 0, veh.shift_end_s, 0
            sk = a if a > o else o
            if sk > c:
                return None
            st[k], wait[k], dep[k] = sk, sk - a, sk + s
        ms = [0] * m
        ms[m - 1] = veh.shift_end_s - st[m - 1]
        for k in range(m - 2, 0, -1):
            nxt = wait[k + 1] + ms[k + 1]
            own = self.cls_l[seq[k]] - st[k]
            ms[k] = own if own < nxt else nxt
        cap = [0] + [wait[k] + ms[k] for k in range(1, m)]
        return _RouteState(
            np.array(seq, dtype=np.int64),
            np.array(dep, dtype=np.int64),
            np.array(cap, dtype=np.int64),
            travel,
        )

    def _insertion(self, v: int, state: _RouteState, free: IntArray) -> tuple[IntArray, IntArray]:
        """Best extra time and position for inserting each node of ``free`` into route ``v``."""
        if free.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        delta = self._insertion_matrix(v, state, free)
        pos = delta.argmin(axis=1)
        return delta[np.arange(free.size), pos], pos

    def _insertion_matrix(self, v: int, state: _RouteState, free: IntArray) -> IntArray:
        """Extra time of inserting each node of ``free`` at each position (``_BIG``: no)."""
        t = self.T[v]
        prev, nxt = state.seq[:-1], state.seq[1:]
        dep_p = state.dep[:-1]
        t_pj = t[np.ix_(prev, free)].T
        t_jn = t[free][:, nxt]
        start = np.maximum(self.opn[free][:, None], dep_p[None, :] + t_pj)
        delta = start + self.svc[free][:, None] + t_jn - (dep_p + t[prev, nxt])[None, :]
        ok = (start <= self.cls[free][:, None]) & (delta <= state.cap[None, 1:])
        return np.where(ok, delta, _BIG)

    def objective(self, routes: list[list[int]]) -> tuple[int, int]:
        """Total prize and travel of ``routes``."""
        prize = int(sum(int(self.prize[j]) for r in routes for j in r))
        travel = 0
        for v, r in enumerate(routes):
            tl = self.Tl[v]
            seq = [self.p.vehicles[v].start_node, *r, self.p.vehicles[v].end_node]
            travel += sum(tl[a][b] for a, b in itertools.pairwise(seq))
            if self.avoid_arcs:
                travel += self.avoid_penalty * sum(
                    1 for arc in itertools.pairwise(seq) if arc in self.avoid_arcs
                )
        return prize, travel

    def feasible(self, routes: list[list[int]]) -> bool:
        """Whether ``routes`` can be timed (all constraints but required coverage)."""
        if self.slow:
            return self.timer.routes(routes) is not None
        return all(self._state(v, r) is not None for v, r in enumerate(routes))

    def out_of_time(self) -> bool:
        """Whether the current deadline has passed (counted, for tests)."""
        self.deadline_checks += 1
        return self.clock() >= self.deadline

    # ------------------------------------------------------------------ repair
    def repair(
        self,
        routes: list[list[int]],
        alpha: float,
        noise: float,
        blocked: set[int] | None = None,
    ) -> bool:
        """Insert free nodes greedily (required ones first) in place; False if a required fails.

        ``blocked`` optional nodes are not offered (used to keep just-removed nodes out of
        one pass so the search explores other nodes). Past the deadline only required nodes
        are inserted.
        """
        if not self.required_possible:
            return False
        if self.slow:
            return self._repair_slow(routes, alpha, noise, blocked)
        routed = {j for r in routes for j in r}
        free_mask = np.zeros(self.n, dtype=bool)
        free_mask[self.candidates] = True
        if routed:
            free_mask[list(routed)] = False
        if blocked:
            free_mask[[j for j in blocked if j not in self.required_set]] = False
        states = [self._state(v, r) for v, r in enumerate(routes)]
        if any(s is None for s in states):
            return False
        delta = np.full((self.nv, self.n), _BIG, dtype=np.int64)
        pos = np.zeros((self.nv, self.n), dtype=np.int64)

        def refresh(v: int) -> None:
            delta[v, :] = _BIG
            free = np.nonzero(free_mask & self.allowed[v])[0]
            st = states[v]
            assert st is not None
            d, p = self._insertion(v, st, free)
            delta[v, free] = d
            pos[v, free] = p

        for v in range(self.nv):
            refresh(v)
        weight = self.prize_f**alpha
        while True:
            pending_req = [j for j in self.required if free_mask[j]]
            if pending_req:
                best_per = delta[:, pending_req].min(axis=0)
                if (best_per >= _BIG).all():
                    return False
                # The hardest required node first, so easy ones do not take its room.
                idx = int(np.argmax(np.where(best_per >= _BIG, -1, best_per)))
                j = pending_req[idx]
                v = int(np.argmin(delta[:, j]))
            else:
                if self.out_of_time():
                    return True
                score = np.where(delta < _BIG, weight[None, :] / (np.maximum(delta, 0) + 1.0), -1.0)
                if noise > 0:
                    score = score * (1.0 + noise * self.nrng.random(score.shape))
                flat = int(np.argmax(score))
                v, j = divmod(flat, self.n)
                if score[v, j] < 0:
                    return True
            p = int(pos[v, j])
            trial = [*routes[v][:p], j, *routes[v][p:]]
            routes[v] = trial
            free_mask[j] = False
            delta[:, j] = _BIG
            states[v] = self._state(v, trial)
            refresh(v)

    # ------------------------------------------------------------------ repair with breaks/gaps
    def _windows(self, start_of: IntArray) -> tuple[IntArray, IntArray]:
        """Start windows of free nodes narrowed by the current starts of their gap partners."""
        opn = self.opn.copy()
        cls = self.cls.copy()
        if self.ga.size:
            a_in = start_of[self.ga] >= 0
            np.maximum.at(opn, self.gb[a_in], start_of[self.ga[a_in]] + self.gg[a_in])
            b_in = start_of[self.gb] >= 0
            np.minimum.at(cls, self.ga[b_in], start_of[self.gb[b_in]] - self.gg[b_in])
        return opn, cls

    def _slow_rows(
        self,
        state: RouteState,
        free: IntArray,
        windows: tuple[IntArray, IntArray],
        where: dict[int, int],
    ) -> tuple[IntArray, IntArray]:
        """Best time shift and list position of inserting each of ``free`` into a timed route.

        A position is checked against the item after it (its ``cap``): between two places
        as usual; before a break the break's item absorbs the new drive (its window moves
        with the travel to the next place); after the only break of a leg, the break's item
        carries the drive to the new node. Positions between two breaks of one leg are not
        offered.
        """
        if free.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        v = state.vehicle
        brks = self.p.vehicles[v].breaks
        loc, dep, cap = state.loc, state.dep, state.cap
        g = len(loc) - 1
        lp = [0] * g
        dp = [0] * g
        alo = [0] * g
        aadd = [0] * g
        ln = [0] * g
        olo = [0] * g
        oadd = [0] * g
        ocl = [BIG] * g
        old = [0] * g
        gcap = [-1] * g
        lpos = [0] * g
        stops = 0
        for k in range(g):
            if k > 0 and loc[k] >= 0:
                stops += 1
            lpos[k] = stops
            p_real, n_real = loc[k] >= 0, loc[k + 1] >= 0
            if p_real and n_real:
                lp[k], dp[k], ln[k] = loc[k], dep[k], loc[k + 1]
                old[k], gcap[k] = dep[k] + state.tin[k + 1], cap[k + 1]
            elif p_real:
                q = k + 1
                while loc[q] < 0:
                    q += 1
                bb = brks[state.brk[k + 1]]
                lp[k], dp[k], ln[k] = loc[k], dep[k], loc[q]
                olo[k], oadd[k], ocl[k] = bb.earliest_start_s, bb.duration_s, bb.latest_start_s
                old[k], gcap[k] = dep[k + 1], cap[k + 2]
            elif n_real and state.first[k]:
                bb = brks[state.brk[k]]
                lp[k], dp[k], ln[k] = loc[k - 1], dep[k - 1], loc[k + 1]
                alo[k], aadd[k] = bb.earliest_start_s, bb.duration_s
                old[k], gcap[k] = dep[k], cap[k + 1]
        t = self.T[v]
        lp_a, ln_a = np.array(lp), np.array(ln)
        opn, cls = windows
        arrive = np.maximum(np.array(dp)[None, :] + t[np.ix_(lp_a, free)].T, np.array(alo)[None, :])
        arrive += np.array(aadd)[None, :]
        begin = np.maximum(opn[free][:, None], arrive)
        leave = begin + self.svc[free][:, None]
        nxt = np.maximum(leave + t[np.ix_(free, ln_a)], np.array(olo)[None, :])
        nxt += np.array(oadd)[None, :]
        delta = nxt - np.array(old)[None, :]
        ok = (
            (begin <= cls[free][:, None])
            & (leave <= np.array(ocl)[None, :])
            & (delta <= np.array(gcap)[None, :])
        )
        if self.ga.size:
            # A gap partner on this route fixes the side of it the node may go.
            item = {node: k for k, node in enumerate(loc) if node >= 0}
            row = {int(j): r for r, j in enumerate(free)}
            for a, b in zip(self.ga.tolist(), self.gb.tolist(), strict=True):
                if where.get(a) == v and b in row:
                    ok[row[b], : item[a]] = False
                if where.get(b) == v and a in row:
                    ok[row[a], item[b] :] = False
        delta = np.where(ok, delta, _BIG)
        best = delta.argmin(axis=1)
        return delta[np.arange(free.size), best], np.array(lpos, dtype=np.int64)[best]

    def _retime(
        self,
        routes: list[list[int]],
        changed: int,
        states: list[RouteState],
        starts: dict[int, int],
        where: dict[int, int],
    ) -> dict[int, RouteState] | None:
        """Re-time route ``changed`` and, until nothing moves, the routes linked to it by gaps.

        Returns the new states by vehicle (the inputs are not modified), or ``None`` when a
        route cannot be timed any more.
        """
        timer = self.timer
        new: dict[int, RouteState] = {}
        cur = dict(starts)
        queue = [changed]
        budget = 4 * self.nv + 4
        while queue:
            budget -= 1
            if budget < 0:
                return None
            w = queue.pop(0)
            lo, hi = timer.bounds(w, routes[w], cur, where)
            st = timer.route(w, routes[w], lo, hi)
            if st is None:
                return None
            prev = new.get(w, states[w])
            new[w] = st
            moved = [n for n, s in st.starts().items() if cur.get(n) != s]
            cur.update(st.starts())
            if w == changed and len(new) == 1:
                links = timer.linked(routes[w], where) - {w}
            elif moved or prev.start != st.start:
                links = timer.linked(moved, where) - {w}
            else:
                links = set()
            queue.extend(x for x in sorted(links) if x not in queue)
        return new

    def _repair_slow(
        self,
        routes: list[list[int]],
        alpha: float,
        noise: float,
        blocked: set[int] | None,
    ) -> bool:
        """:meth:`repair` for problems with breaks or minimum gaps (incremental states)."""
        timed = self.timer.routes(routes)
        if timed is None:
            return False
        states: list[RouteState] = timed
        where = {node: v for v, r in enumerate(routes) for node in r}
        starts: dict[int, int] = {}
        for st in states:
            starts.update(st.starts())
        start_of = np.full(self.n, -1, dtype=np.int64)
        for node, s in starts.items():
            start_of[node] = s
        free_mask = np.zeros(self.n, dtype=bool)
        free_mask[self.candidates] = True
        if where:
            free_mask[list(where)] = False
        if blocked:
            free_mask[[j for j in blocked if j not in self.required_set]] = False
        delta = np.full((self.nv, self.n), _BIG, dtype=np.int64)
        pos = np.zeros((self.nv, self.n), dtype=np.int64)
        windows = self._windows(start_of)

        def refresh(v: int, cols: IntArray | None = None) -> None:
            if cols is None:
                delta[v, :] = _BIG
                free = np.nonzero(free_mask & self.allowed[v])[0]
            else:
                delta[v, cols] = _BIG
                free = cols[self.allowed[v, cols]]
            d, p = self._slow_rows(states[v], free, windows, where)
            delta[v, free] = d
            pos[v, free] = p

        for v in range(self.nv):
            refresh(v)
        weight = self.prize_f**alpha
        while True:
            pending_req = [j for j in self.required if free_mask[j]]
            if pending_req:
                best_per = delta[:, pending_req].min(axis=0)
                if (best_per >= _BIG).all():
                    return False
                idx = int(np.argmax(np.where(best_per >= _BIG, -1, best_per)))
                j = pending_req[idx]
                v = int(np.argmin(delta[:, j]))
            else:
                if self.out_of_time():
                    break
                score = np.where(delta < _BIG, weight[None, :] / (np.maximum(delta, 0) + 1.0), -1.0)
                if noise > 0:
                    score = score * (1.0 + noise * self.nrng.random(score.shape))
                flat = int(np.argmax(score))
                v, j = divmod(flat, self.n)
                if score[v, j] < 0:
                    break
            p = int(pos[v, j])
            old_route = routes[v]
            routes[v] = [*old_route[:p], j, *old_route[p:]]
            where[j] = v
            new = self._retime(routes, v, states, starts, where)
            if new is None:
                # The O(1) check was optimistic for gaps or several breaks: try elsewhere.
                routes[v] = old_route
                del where[j]
                delta[v, j] = _BIG
                continue
            free_mask[j] = False
            delta[:, j] = _BIG
            changed_nodes = [j]
            for w, st in new.items():
                states[w] = st
                for node, s in st.starts().items():
                    if starts.get(node) != s:
                        changed_nodes.append(node)
                    starts[node] = s
                    start_of[node] = s
            for w in new:
                refresh(w)
            if self.ga.size:
                windows = self._windows(start_of)
                # Free partners of moved stops have new windows on every other route too.
                cols = [
                    x
                    for node in changed_nodes
                    for x, _ in (*self.timer.preds.get(node, ()), *self.timer.succs.get(node, ()))
                    if free_mask[x]
                ]
                if cols:
                    for w in range(self.nv):
                        if w not in new:
                            refresh(w, np.array(sorted(set(cols)), dtype=np.int64))
        self.last_states = list(states)
        return True

    def _relocate_slow(
        self, routes: list[list[int]], v: int, states: list[RouteState]
    ) -> list[RouteState] | None:
        """Move single stops of route ``v`` to positions with less travel (one pass).

        Updates ``routes[v]`` and returns the new states, or ``None`` when nothing moved.
        """
        where = {node: w for w, r in enumerate(routes) for node in r}
        starts: dict[int, int] = {}
        for st in states:
            starts.update(st.starts())
        start_of = np.full(self.n, -1, dtype=np.int64)
        for node, s in starts.items():
            start_of[node] = s
        windows = self._windows(start_of)
        best = list(routes[v])
        cur = states[v]
        moved = False
        for node in list(best):
            k = best.index(node)
            rest = best[:k] + best[k + 1 :]
            lo, hi = self.timer.bounds(v, rest, starts, where)
            st_rest = self.timer.route(v, rest, lo, hi)
            if st_rest is None:
                continue
            d, p = self._slow_rows(st_rest, np.array([node], dtype=np.int64), windows, where)
            if d[0] >= _BIG:
                continue
            cand = [*rest[: int(p[0])], node, *rest[int(p[0]) :]]
            if cand == best:
                continue
            lo, hi = self.timer.bounds(v, cand, starts, where)
            st_c = self.timer.route(v, cand, lo, hi)
            if st_c is not None and st_c.travel < cur.travel:
                best, cur, moved = cand, st_c, True
        if not moved:
            return None
        trial = [*routes[:v], best, *routes[v + 1 :]]
        new = self._retime(trial, v, states, starts, where)
        if new is None:
            return None
        routes[v] = best
        out = list(states)
        for w, st in new.items():
            out[w] = st
        return out

    # ------------------------------------------------------------------ destroy
    def destroy(self, routes: list[list[int]]) -> list[list[int]]:
        """Remove some stops (random, a segment, related or low-value ones)."""
        out = [list(r) for r in routes]
        routed = [j for r in out for j in r]
        if not routed:
            return out
        hi = max(2, min(40, int(0.35 * len(routed))))
        q = min(len(routed), self.rng.randint(1, hi))
        kind = self.rng.random()
        if kind < self.route_destroy:
            # Whole routes out: lets the repair re-shape which area each vehicle serves.
            used = [v for v, r in enumerate(out) if r]
            k = 1 if len(used) < 3 else self.rng.randint(1, 2)
            drop = {j for v in self.rng.sample(used, min(k, len(used))) for j in out[v]}
        elif kind < 0.25:
            drop = set(self.rng.sample(routed, q))
        elif kind < 0.5:
            v = self.rng.choice([v for v, r in enumerate(out) if r])
            r = out[v]
            q = min(q, len(r))
            a = self.rng.randint(0, len(r) - q)
            drop = set(r[a : a + q])
        elif kind < 0.8:
            seed_node = self.rng.choice(routed)
            t = self.T[0]
            d = t[seed_node, routed] + t[routed, seed_node]
            order = np.argsort(d, kind="stable")[:q]
            drop = {routed[int(i)] for i in order}
        else:
            scores = []
            for v, r in enumerate(out):
                tl = self.Tl[v]
                seq = [self.p.vehicles[v].start_node, *r, self.p.vehicles[v].end_node]
                for k in range(1, len(seq) - 1):
                    saving = tl[seq[k - 1]][seq[k]] + tl[seq[k]][seq[k + 1]]
                    saving -= tl[seq[k - 1]][seq[k + 1]]
                    val = (self.prize_f[seq[k]] + 1e-9) / (
                        max(saving + self.svc_l[seq[k]], 0) + 1.0
                    )
                    scores.append((val * (0.7 + 0.6 * self.rng.random()), seq[k]))
            scores.sort()
            drop = {j for _, j in scores[:q]}
        return [[j for j in r if j not in drop] for r in out]

    # ------------------------------------------------------------------ intra-route polish
    def two_opt(self, v: int, r: list[int]) -> list[int]:
        """Shorten a route with 2-opt (only used when windows never bind)."""
        veh = self.p.vehicles[v]
        tl = self.Tl[v]
        seq = [veh.start_node, *r, veh.end_node]
        m = len(seq)
        improved = True
        while improved:
            improved = False
            for i in range(1, m - 2):
                a, b = seq[i - 1], seq[i]
                tab = tl[a][b]
                for j in range(i + 1, m - 1):
                    c, d = seq[j], seq[j + 1]
                    if tl[a][c] + tl[b][d] < tab + tl[c][d]:
                        seq[i : j + 1] = seq[i : j + 1][::-1]
                        improved = True
                        b = seq[i]
                        tab = tl[a][b]
        return seq[1:-1]

    def relocate(self, v: int, r: list[int]) -> list[int]:
        """Move single stops to cheaper positions of the same route (one pass)."""
        best = list(r)
        st = self._state(v, best)
        if st is None:
            return best
        for node in list(best):
            k = best.index(node)
            rest = best[:k] + best[k + 1 :]
            st_rest = self._state(v, rest)
            if st_rest is None:
                continue
            d, p = self._insertion(v, st_rest, np.array([node], dtype=np.int64))
            if d[0] >= _BIG:
                continue
            cand = [*rest[: int(p[0])], node, *rest[int(p[0]) :]]
            st_c = self._state(v, cand)
            if st_c is not None and (st_c.travel < st.travel):
                best, st = cand, st_c
        return best

    def polish(self, routes: list[list[int]], changed: set[int]) -> list[list[int]]:
        """Shorten the changed routes without changing which nodes are visited."""
        out = [list(r) for r in routes]
        if self.slow:
            # The states of the last repair match ``routes``; keep them matching ``out``.
            states = self.last_states
            if states is None:
                return out
            for v in sorted(changed):
                if len(out[v]) >= 3:
                    states = self._relocate_slow(out, v, states) or states
            self.last_states = states
            return out
        for v in changed:
            if len(out[v]) < 3:
                continue
            cand = self.two_opt(v, out[v]) if self.two_opt_ok else self.relocate(v, out[v])
            if cand != out[v]:
                out[v] = cand
        return out

    def _incumbent(self, routes: list[list[int]]) -> Incumbent:
        prize, travel = self.objective(routes)
        states = list(self.last_states) if self.slow and self.last_states else None
        return Incumbent(routes, prize, travel, states)

    # ------------------------------------------------------------------ driver
    def construct(self, deadline: float = math.inf, attempts: int = 20) -> Incumbent | None:
        """Greedy insertion from empty routes; several ratio exponents, best kept.

        Past ``deadline`` insertion stops after the required nodes and no further setting is
        tried, so the result may visit fewer optional nodes (the LNS, if any time is left,
        fills them in).
        """
        self.deadline = deadline
        best: Incumbent | None = None
        settings = [(1.0, 0.0), (2.0, 0.0), (1.5, 0.0)]
        settings += [(self.rng.choice((1.0, 2.0)), 0.3) for _ in range(attempts)]
        for k, (alpha, noise) in enumerate(settings):
            routes: list[list[int]] = [[] for _ in range(self.nv)]
            if not self.repair(routes, alpha, noise):
                if self.out_of_time():
                    break
                continue
            if not self.out_of_time():
                polished = self.polish(routes, set(range(self.nv)))
                if self.repair(polished, alpha, 0.0):
                    routes = polished
                elif self.slow:
                    routes = polished  # unchanged by the failed repair; states from polish
            inc = self._incumbent(routes)
            if best is None or inc.key() > best.key():
                best = inc
            if k >= 2 or self.out_of_time():
                break
        return best

    def run(
        self,
        start: Incumbent,
        deadline: float,
        max_iterations: int | None,
    ) -> tuple[Incumbent, int]:
        """Destroy-and-repair loop from ``start`` until the deadline or iteration budget.

        Acceptance: better or equal prize (equal prize only with at most 2 % more travel),
        or worse prize with a simulated-annealing probability whose temperature falls with
        the fraction of the budget used; back to the best after a long stall.
        """
        self.deadline = deadline
        t0 = self.clock()
        span = max(deadline - t0, 1e-9)
        best = Incumbent([list(r) for r in start.routes], start.prize, start.travel, start.states)
        cur = Incumbent([list(r) for r in best.routes], best.prize, best.travel, best.states)
        positive = self.prize_f[self.candidates]
        positive = positive[positive > 0]
        temp0 = self.temp_factor * float(positive.mean()) if positive.size else 1.0
        stall = 0
        it = 0
        while True:
            if max_iterations is not None and it >= max_iterations:
                break
            now = self.clock()
            self.deadline_checks += 1
            if now >= deadline:
                break
            frac = (now - t0) / span
            if max_iterations is not None:
                frac = max(frac, it / max_iterations)
            it += 1
            routes = self.destroy(cur.routes)
            alpha = self.rng.choice((1.0, 1.0, 2.0, 0.5))
            noise = self.rng.choice((0.0, 0.1, 0.3))
            blocked = None
            if self.rng.random() < self.block_prob:
                kept = {j for r in routes for j in r}
                blocked = {j for r in cur.routes for j in r} - kept
            if not self.repair(routes, alpha, noise, blocked):
                continue
            if blocked:
                self.repair(routes, alpha, 0.0)
            changed = {v for v in range(self.nv) if routes[v] != cur.routes[v]}
            prize, travel = self.objective(routes)
            if changed and (self.polish_always or prize >= cur.prize):
                polished = self.polish(routes, changed)
                if self.repair(polished, alpha, 0.0) or self.slow:
                    routes = polished
                prize, travel = self.objective(routes)
            temp = temp0 * (1.0 - frac) + 1e-9
            accept = prize > cur.prize or (
                prize == cur.prize and travel <= cur.travel * self.equal_slack
            )
            if not accept and prize < cur.prize:
                accept = self.rng.random() < math.exp((prize - cur.prize) / temp)
            if accept:
                cur = self._incumbent(routes)
                if cur.key() > best.key():
                    best = Incumbent([list(r) for r in routes], prize, travel, cur.states)
                    stall = 0
            stall += 1
            if stall > self.stall_limit:
                cur = Incumbent(
                    [list(r) for r in best.routes], best.prize, best.travel, best.states
                )
                stall = 0
        return best, it
