"""Readers, adapters and floating-point checks for TOP (Chao) and OPTW (Vansteenwegen) files.

The adapters turn an instance into the planner's integer :class:`RoutingProblem`, scaling
so that an integer-feasible route is feasible in floats: TOP arc times are rounded up and
the budget down (scale 10^4); OPTW distances truncated to ``decimals`` decimals are scaled
by 10^decimals, which is exact. :func:`check_routes` re-checks routes in floating point
without using the integer data.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.routing import RoutingProblem, Vehicle

TOP_SCALE = 10_000
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Instance:
    """One benchmark instance in floating point, as published.

    ``decimals`` is ``None`` for exact Euclidean distances (TOP) or the number of decimals
    distances are truncated to (OPTW). Windows and service are all zero / unbounded for TOP.
    """

    name: str
    kind: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    score: tuple[float, ...]
    service: tuple[float, ...]
    open: tuple[float, ...]
    close: tuple[float, ...]
    n_vehicles: int
    tmax: float
    start: int
    end: int
    decimals: int | None

    @property
    def n(self) -> int:
        """Number of vertices, depots included."""
        return len(self.x)


def parse_top(text: str, name: str) -> Instance:
    """Parse a Chao TOP file (``n N``, ``m P``, ``tmax T``, then ``x y score`` lines)."""
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    head: dict[str, str] = {}
    for row in lines[:3]:
        if len(row) != 2:
            raise ValueError(f"{name}: header line {' '.join(row)!r} is not 'key value'")
        head[row[0].lower()] = row[1]
    for key in ("n", "m", "tmax"):
        if key not in head:
            raise ValueError(f"{name}: header is missing {key!r} (got {sorted(head)})")
    n = int(head["n"])
    rows = lines[3 : 3 + n]
    if len(rows) != n:
        raise ValueError(f"{name}: expected {n} vertices, got {len(rows)}")
    xs = tuple(float(r[0]) for r in rows)
    ys = tuple(float(r[1]) for r in rows)
    sc = tuple(float(r[2]) for r in rows)
    return Instance(
        name=name,
        kind="top",
        x=xs,
        y=ys,
        score=sc,
        service=(0.0,) * n,
        open=(0.0,) * n,
        close=(math.inf,) * n,
        n_vehicles=int(head["m"]),
        tmax=float(head["tmax"]),
        start=0,
        end=n - 1,
        decimals=None,
    )


def parse_optw(text: str, name: str, n_vehicles: int = 1, decimals: int = 1) -> Instance:
    """Parse a Vansteenwegen OPTW file; vertex 0 is the depot and its close is the budget.

    Vertex lines are ``i x y service score ... open close``; the fields between score and
    the window vary between families and are ignored.
    """
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 3:
        raise ValueError(f"{name}: expected two header lines and vertices, got {len(lines)} lines")
    rows = lines[2:]
    for k, r in enumerate(rows):
        if len(r) < 7:
            raise ValueError(f"{name}: vertex line {k} has {len(r)} fields, expected at least 7")
    return Instance(
        name=name,
        kind="optw",
        x=tuple(float(r[1]) for r in rows),
        y=tuple(float(r[2]) for r in rows),
        score=tuple(float(r[4]) for r in rows),
        service=tuple(float(r[3]) for r in rows),
        open=tuple(float(r[-2]) for r in rows),
        close=tuple(float(r[-1]) for r in rows),
        n_vehicles=n_vehicles,
        tmax=float(rows[0][-1]),
        start=0,
        end=0,
        decimals=decimals,
    )


def distance(inst: Instance, i: int, j: int) -> float:
    """Published travel time: Euclidean, truncated to ``inst.decimals`` when set."""
    d = math.hypot(inst.x[i] - inst.x[j], inst.y[i] - inst.y[j])
    if inst.decimals is None:
        return d
    f = 10**inst.decimals
    return math.floor(d * f) / f


def scale_of(inst: Instance) -> int:
    """Seconds per instance time unit in the integer problem."""
    return TOP_SCALE if inst.decimals is None else 10**inst.decimals


def integer_matrix(inst: Instance) -> np.ndarray:
    """Integer travel matrix: TOP rounded up (safe), OPTW truncated distances made exact."""
    xy = np.column_stack([inst.x, inst.y])
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    if inst.decimals is None:
        # The small offset absorbs float noise on exact integers; the verifier's tolerance
        # covers the 1e-11 it could hide.
        return np.ceil(d * TOP_SCALE - 1e-7).astype(np.int64)
    f = 10**inst.decimals
    out = np.empty_like(d, dtype=np.int64)
    for i in range(inst.n):
        for j in range(inst.n):
            out[i, j] = math.floor(math.hypot(inst.x[i] - inst.x[j], inst.y[i] - inst.y[j]) * f)
    return out


def to_problem(inst: Instance) -> RoutingProblem:
    """The instance as the planner's :class:`RoutingProblem` (prize = score)."""
    s = scale_of(inst)
    n = inst.n
    travel = integer_matrix(inst)
    budget = math.floor(inst.tmax * s + 1e-6)
    if inst.decimals is None:
        opn = np.zeros(n, dtype=np.int64)
        cls = np.full(n, budget, dtype=np.int64)
        service = np.zeros(n, dtype=np.int64)
    else:
        opn = np.array([math.ceil(o * s - 1e-6) for o in inst.open], dtype=np.int64)
        cls = np.array([math.floor(c * s + 1e-6) for c in inst.close], dtype=np.int64)
        service = np.array([math.ceil(v * s - 1e-6) for v in inst.service], dtype=np.int64)
    vehicles = tuple(
        Vehicle(start_node=inst.start, end_node=inst.end, shift_start_s=0, shift_end_s=budget)
        for _ in range(inst.n_vehicles)
    )
    return RoutingProblem(
        travel_s=(travel,),
        service_s=service,
        prize=np.array([round(v) for v in inst.score], dtype=np.int64),
        window_open_s=opn,
        window_close_s=np.maximum(cls, opn),
        required=np.zeros(n, dtype=bool),
        vehicles=vehicles,
    )


def check_routes(inst: Instance, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Score and violations of routes (depots excluded) recomputed in floating point."""
    out: list[str] = []
    seen: set[int] = set()
    score = 0.0
    if len(routes) > inst.n_vehicles:
        out.append(f"{len(routes)} routes for {inst.n_vehicles} vehicles")
    for v, r in enumerate(routes):
        t = inst.open[inst.start] if inst.kind == "optw" else 0.0
        length = 0.0
        prev = inst.start
        for node in r:
            if not 0 <= node < inst.n or node in (inst.start, inst.end):
                out.append(f"route {v}: bad node {node}")
                continue
            if node in seen:
                out.append(f"node {node} visited twice")
            seen.add(node)
            leg = distance(inst, prev, node)
            length += leg
            begin = max(inst.open[node], t + leg)
            if begin > inst.close[node] + 1e-6:
                out.append(f"route {v}: node {node} starts at {begin} > close {inst.close[node]}")
            t = begin + inst.service[node]
            score += inst.score[node]
            prev = node
        leg = distance(inst, prev, inst.end)
        length += leg
        t += leg
        if inst.kind == "top" and length > inst.tmax + TOLERANCE:
            out.append(f"route {v}: length {length:.6f} > Tmax {inst.tmax}")
        if inst.kind == "optw" and t > inst.close[inst.start] + 1e-6:
            out.append(f"route {v}: back at {t:.3f} > depot close {inst.close[inst.start]}")
    return (0.0 if out else score), out


def read_bks(path: Path) -> tuple[dict[str, float | None], dict[str, int]]:
    """Best-known scores (``None`` when empty) and vehicle counts (when listed) per instance."""
    bks: dict[str, float | None] = {}
    vehicles: dict[str, int] = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["instance"].strip()
            text = (row.get("bks") or "").strip()
            bks[name] = float(text) if text else None
            for key in ("vehicles", "m"):
                if (row.get(key) or "").strip():
                    vehicles[name] = int(row[key])
                    break
    return bks, vehicles


def load_instance(
    path: Path, kind: str, n_vehicles: int | None = None, decimals: int = 1
) -> Instance:
    """Read one instance file of ``kind`` ``"top"`` or ``"optw"``."""
    text = path.read_text()
    name = path.name.removesuffix(".txt")
    if kind == "top":
        return parse_top(text, name)
    if kind == "optw":
        return parse_optw(text, name, n_vehicles or 1, decimals)
    raise ValueError(f"kind: expected 'top' or 'optw', got {kind!r}")
