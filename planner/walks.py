"""Sector walks (分片巡逻) and the cells a patrol line passes through.

A sector patrol (面) is a closed walk along the sector's streets: :func:`sector_walk` starts at
the street node nearest the sector's visit point and goes depth-first along the streets inside
the sector, each street out and back, until a length budget is spent, ending where it began.
Its duration is its length at the unit's speed, like a patrol line (线). :func:`cell_path`
says which grid cells a walk passes through and for what share of its length, so presence
along a walk is counted in the cells it crosses (:func:`planner.presence.minutes_by_cell_hour`).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geo.network import StreetNetwork
from geo.schema import CELL_ID

#: Sample spacing along a line when finding the cells it crosses.
SAMPLE_M = 10.0


class SectorWalker:
    """Closed walks along the streets of sectors of one network (edges read once).

    Parameters
    ----------
    network
        The street network walks follow (the foot network).
    """

    def __init__(self, network: StreetNetwork) -> None:
        graph = network.graph
        ids = [int(n) for n in network.node_ids]
        self.x = np.asarray(network.node_x_m, dtype=float)
        self.y = np.asarray(network.node_y_m, dtype=float)
        index = {n: i for i, n in enumerate(ids)}
        seen: set[tuple[int, int]] = set()
        us: list[int] = []
        vs: list[int] = []
        self.coords: list[list[tuple[float, float]]] = []
        self.length: list[float] = []
        for u, v, data in graph.edges(data=True):
            a, b = index.get(int(u), -1), index.get(int(v), -1)
            if a < 0 or b < 0 or a == b or (min(a, b), max(a, b)) in seen:
                continue
            seen.add((min(a, b), max(a, b)))
            geom = data.get("geometry")
            if geom is not None:
                coords = [(float(px), float(py)) for px, py in geom.coords]
            else:
                coords = [(self.x[a], self.y[a]), (self.x[b], self.y[b])]
            us.append(a)
            vs.append(b)
            self.coords.append(coords)
            self.length.append(float(LineString(coords).length))
        self.u = np.asarray(us, dtype=np.int64)
        self.v = np.asarray(vs, dtype=np.int64)

    def walk(
        self, sector: BaseGeometry, start_xy: tuple[float, float], max_length_m: float
    ) -> LineString | None:
        """A closed walk along the streets inside ``sector`` of at most ``max_length_m``.

        Streets (network edges) with both ends inside the sector form the walk's graph; the
        walk leaves the node nearest ``start_xy``, follows a depth-first tree of those streets
        (each one out and back, along the street geometry) while the budget allows, and returns
        to its start. ``None`` when the sector holds no street.
        """
        if max_length_m <= 0 or len(self.u) == 0:
            return None
        inside = shapely.contains_xy(sector.buffer(1.0), self.x, self.y)
        keep = np.nonzero(inside[self.u] & inside[self.v])[0]
        if len(keep) == 0:
            return None
        adjacency: dict[int, list[tuple[int, list[tuple[float, float]], float]]] = {}
        for e in keep:
            a, b = int(self.u[e]), int(self.v[e])
            coords, length = self.coords[e], self.length[e]
            adjacency.setdefault(a, []).append((b, coords, length))
            adjacency.setdefault(b, []).append((a, coords[::-1], length))
        nodes = sorted(adjacency)
        nx_ = self.x[nodes]
        ny_ = self.y[nodes]
        start = nodes[int(np.argmin(np.hypot(nx_ - start_xy[0], ny_ - start_xy[1])))]
        for n in adjacency:
            adjacency[n].sort(key=lambda e: (e[0], e[2]))
        out: list[tuple[float, float]] = [(float(self.x[start]), float(self.y[start]))]
        seen = {start}
        spent = 0.0
        # Iterative depth-first search: the stack holds (node, edges left, way back).
        stack: list[tuple[int, list[tuple[int, list[tuple[float, float]], float]], list]] = [
            (start, list(adjacency[start]), [])
        ]
        while stack:
            _, edges, back = stack[-1]
            moved = False
            while edges:
                nxt, coords, length = edges.pop(0)
                if nxt in seen or spent + 2 * length > max_length_m:
                    continue
                seen.add(nxt)
                spent += 2 * length
                out.extend(coords[1:])
                stack.append((nxt, list(adjacency[nxt]), coords[::-1]))
                moved = True
                break
            if not moved:
                stack.pop()
                out.extend(back[1:])
        if len(out) < 3:
            return None
        return LineString(out)


def sector_walk(
    network: StreetNetwork,
    sector: BaseGeometry,
    start_xy: tuple[float, float],
    max_length_m: float,
) -> LineString | None:
    """One closed sector walk (:meth:`SectorWalker.walk`); build a :class:`SectorWalker` to
    walk many sectors of one network."""
    return SectorWalker(network).walk(sector, start_xy, max_length_m)


def cell_path(line: LineString, cells: gpd.GeoDataFrame) -> tuple[tuple[str, float], ...]:
    """The cells ``line`` passes through in order, with the share of its length in each.

    The line is sampled every :data:`SAMPLE_M` metres; consecutive samples in the same cell
    are merged. Stretches outside every cell are left out (the shares then sum to less than
    one). ``cells`` has ``cell_id`` and polygons in the line's CRS.
    """
    length = float(line.length)
    if length <= 0:
        hit = _cells_at(cells, [Point(line.coords[0])])
        return ((hit[0], 1.0),) if hit[0] is not None else ()
    n = max(2, int(np.ceil(length / SAMPLE_M)))
    # Midpoints of n equal pieces: each stands for 1/n of the length.
    points = [line.interpolate((k + 0.5) * length / n) for k in range(n)]
    ids = _cells_at(cells, points)
    path: list[tuple[str, float]] = []
    for cell in ids:
        if cell is None:
            continue
        if path and path[-1][0] == cell:
            path[-1] = (cell, path[-1][1] + 1.0 / n)
        else:
            path.append((cell, 1.0 / n))
    return tuple(path)


def _cells_at(cells: gpd.GeoDataFrame, points: Sequence[Point]) -> list[str | None]:
    tree = shapely.STRtree(cells.geometry.to_numpy())
    found = tree.query(np.asarray(points, dtype=object), predicate="intersects")
    ids = cells[CELL_ID].astype(str).to_numpy()
    out: list[str | None] = [None] * len(points)
    for p, c in zip(found[0], found[1], strict=True):
        if out[int(p)] is None:
            out[int(p)] = str(ids[int(c)])
    return out
