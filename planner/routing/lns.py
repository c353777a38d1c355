"""Greedy construction and large-neighbourhood search for the routing core.

The search works on stop orders (one list of nodes per vehicle). Insertions are evaluated
for all free nodes and all positions of a route at once with numpy, using each route's
forward slack (the classic wait / max-shift bookkeeping of orienteering heuristics), which
is exact for windows and shifts. Breaks and minimum gaps are not captured by the slack, so
when a problem has them every move is confirmed by :func:`schedule_routes` before use.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass

import numpy as np

from planner.routing.model import IntArray, RoutingProblem
from planner.routing.schedule import schedule_route, schedule_routes

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
    """

    def __init__(
        self,
        problem: RoutingProblem,
        seed: int,
        avoid_arcs: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        self.p = problem
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
        useful = (problem.prize > 0) | problem.required
        allowed = np.zeros((self.nv, self.n), dtype=bool)
        for v in range(self.nv):
            for j in range(self.n):
                if j in problem.depots or not useful[j] or not problem.vehicle_may_visit(v, j):
                    continue
                allowed[v, j] = self._state(v, [j]) is not None
        self.allowed = allowed
        self.candidates = np.nonzero(allowed.any(axis=0))[0]
        self.required = [int(j) for j in np.nonzero(problem.required)[0]]
        self.required_set = set(self.required)
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
            return schedule_routes(self.p, routes) is not None
        return all(self._state(v, r) is not None for v, r in enumerate(routes))

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
        one pass so the search explores other nodes).
        """
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
                score = np.where(delta < _BIG, weight[None, :] / (np.maximum(delta, 0) + 1.0), -1.0)
                if noise > 0:
                    score = score * (1.0 + noise * self.nrng.random(score.shape))
                flat = int(np.argmax(score))
                v, j = divmod(flat, self.n)
                if score[v, j] < 0:
                    return True
            p = int(pos[v, j])
            trial = [*routes[v][:p], j, *routes[v][p:]]
            if self.slow:
                placed = self._slow_place(routes, v, j, states[v])
                if placed is None:
                    delta[v, j] = _BIG
                    continue
                trial = placed
            routes[v] = trial
            free_mask[j] = False
            delta[:, j] = _BIG
            states[v] = self._state(v, trial)
            refresh(v)

    def _slow_place(
        self, routes: list[list[int]], v: int, j: int, state: _RouteState | None
    ) -> list[int] | None:
        """Cheapest position of ``j`` in route ``v`` that survives breaks and gaps, if any."""
        assert state is not None
        row = self._insertion_matrix(v, state, np.array([j], dtype=np.int64))[0]
        for p in np.argsort(row, kind="stable"):
            if row[p] >= _BIG:
                break
            trial = [*routes[v][: int(p)], j, *routes[v][int(p) :]]
            if schedule_routes(self.p, [*routes[:v], trial, *routes[v + 1 :]]) is not None:
                return trial
        return None

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
        for v in changed:
            if len(out[v]) < 3:
                continue
            cand = self.two_opt(v, out[v]) if self.two_opt_ok else self.relocate(v, out[v])
            if cand != out[v] and (not self.slow or self.feasible([*out[:v], cand, *out[v + 1 :]])):
                out[v] = cand
        return out

    # ------------------------------------------------------------------ driver
    def construct(self, attempts: int = 20) -> Incumbent | None:
        """Greedy insertion from empty routes; several ratio exponents, best kept."""
        best: Incumbent | None = None
        settings = [(1.0, 0.0), (2.0, 0.0), (1.5, 0.0)]
        settings += [(self.rng.choice((1.0, 2.0)), 0.3) for _ in range(attempts)]
        for k, (alpha, noise) in enumerate(settings):
            routes: list[list[int]] = [[] for _ in range(self.nv)]
            if not self.repair(routes, alpha, noise):
                continue
            routes = self.polish(routes, set(range(self.nv)))
            self.repair(routes, alpha, 0.0)
            prize, travel = self.objective(routes)
            inc = Incumbent(routes, prize, travel)
            if best is None or inc.key() > best.key():
                best = inc
            if best is not None and k >= 2:
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
        t0 = time.perf_counter()
        span = max(deadline - t0, 1e-9)
        best = Incumbent([list(r) for r in start.routes], start.prize, start.travel)
        cur = Incumbent([list(r) for r in best.routes], best.prize, best.travel)
        positive = self.prize_f[self.candidates]
        positive = positive[positive > 0]
        temp0 = self.temp_factor * float(positive.mean()) if positive.size else 1.0
        stall = 0
        it = 0
        while True:
            if max_iterations is not None and it >= max_iterations:
                break
            now = time.perf_counter()
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
                routes = self.polish(routes, changed)
                self.repair(routes, alpha, 0.0)
                prize, travel = self.objective(routes)
            temp = temp0 * (1.0 - frac) + 1e-9
            accept = prize > cur.prize or (
                prize == cur.prize and travel <= cur.travel * self.equal_slack
            )
            if not accept and prize < cur.prize:
                accept = self.rng.random() < math.exp((prize - cur.prize) / temp)
            if accept:
                cur = Incumbent(routes, prize, travel)
                if cur.key() > best.key():
                    best = Incumbent([list(r) for r in routes], prize, travel)
                    stall = 0
            stall += 1
            if stall > self.stall_limit:
                cur = Incumbent([list(r) for r in best.routes], best.prize, best.travel)
                stall = 0
        return best, it


def single_route_ok(problem: RoutingProblem, vehicle: int, node: int) -> bool:
    """Whether ``vehicle`` could visit ``node`` alone (used by the feasibility pre-check)."""
    return schedule_route(problem, vehicle, [node]) is not None
