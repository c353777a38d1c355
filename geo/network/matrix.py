"""Snapping points to a street network, travel-time and distance matrices, street paths.

Pure computation on a :class:`~geo.network.graph.StreetNetwork`: many-to-many Dijkstra with
``scipy.sparse.csgraph`` over the network's CSR matrix. Without a network, a straight-line
estimate is available and labelled as such (:class:`TravelTimes`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.sparse.csgraph import dijkstra
from shapely import LineString

from geo.errors import NetworkError
from geo.network.graph import StreetNetwork
from geo.network.modes import Mode, ModeSpeeds, as_mode

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "Snapped",
    "TravelTimes",
    "distance_matrix_m",
    "snap",
    "straight_line_matrix",
    "street_path",
    "street_paths",
    "travel_time_matrix",
    "travel_times",
]

#: Points farther than this from every network node are reported, not silently snapped.
DEFAULT_MAX_SNAP_M = 500.0
#: Float noise allowed below a whole second before rounding up (80.0000000001 s -> 80 s).
_ROUND_TOLERANCE_S = 1e-6
#: Cap on Dijkstra result cells held at once (rows × nodes), about 32 MB of float64.
_CHUNK_CELLS = 4_000_000
_MAX_LISTED = 10


@dataclass(frozen=True, eq=False)
class Snapped:
    """Points attached to their nearest network node.

    Attributes
    ----------
    node_index
        Index of the nearest node in the network's matrices (int64), one per point.
    snap_distance_m
        Straight-line distance from each point to that node (metres).
    max_snap_m
        The threshold used for :attr:`too_far`.
    """

    node_index: np.ndarray
    snap_distance_m: np.ndarray
    max_snap_m: float

    @property
    def too_far(self) -> np.ndarray:
        """Indices of points farther than ``max_snap_m`` from the network."""
        return np.flatnonzero(self.snap_distance_m > self.max_snap_m)

    def raise_if_too_far(self, mode: Mode) -> None:
        """Raise :class:`NetworkError` naming every point beyond ``max_snap_m``."""
        far = self.too_far
        if far.size == 0:
            return
        listed = ", ".join(
            f"#{i} ({self.snap_distance_m[i]:,.0f} m)" for i in far[:_MAX_LISTED].tolist()
        )
        more = f" and {far.size - _MAX_LISTED} more" if far.size > _MAX_LISTED else ""
        raise NetworkError(
            f"{far.size} point(s) lie farther than {self.max_snap_m:,.0f} m from the "
            f"{mode.value} network: {listed}{more}; expected points near its streets (check "
            "their coordinates and CRS, and that the network extract covers them)"
        )


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """A travel-time matrix and how it was obtained.

    Attributes
    ----------
    travel_time_s
        ``N × N`` int64 seconds, row = from, column = to, diagonal 0.
    source
        ``"network"`` (shortest paths on streets) or ``"straight-line"`` (an estimate).
    note
        One sentence for users saying how the times were computed (the planner and CLI print
        it).
    """

    travel_time_s: np.ndarray
    source: Literal["network", "straight-line"]
    note: str


def _coords(x: np.ndarray | Sequence[float], y: np.ndarray | Sequence[float]) -> np.ndarray:
    xa = np.asarray(x, dtype=float).reshape(-1)
    ya = np.asarray(y, dtype=float).reshape(-1)
    if xa.shape != ya.shape:
        raise ValueError(f"x and y must have the same length (got {xa.size} and {ya.size})")
    bad = np.flatnonzero(~(np.isfinite(xa) & np.isfinite(ya)))
    if bad.size:
        raise ValueError(f"x/y must be finite coordinates (points {bad[:_MAX_LISTED].tolist()})")
    return np.column_stack([xa, ya])


def snap(
    network: StreetNetwork,
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> Snapped:
    """Attach points to their nearest network node (a k-d tree on projected node coordinates).

    Parameters
    ----------
    network
        The network to snap to.
    x, y
        Point coordinates in the network's working CRS (metres).
    max_snap_m
        Points farther than this are listed in :attr:`Snapped.too_far`.

    Returns
    -------
    Snapped
    """
    points = _coords(x, y)
    distance_m, index = network.tree.query(points) if len(points) else (np.empty(0), np.empty(0))
    return Snapped(
        node_index=np.asarray(index, dtype=np.int64),
        snap_distance_m=np.asarray(distance_m, dtype=float),
        max_snap_m=float(max_snap_m),
    )


def _node_costs(network: StreetNetwork, weight: Literal["time", "length"], nodes: np.ndarray):
    """Many-to-many shortest costs among ``nodes`` (unique), in chunks of sources."""
    csr = network.travel_time_csr if weight == "time" else network.length_csr
    out = np.empty((nodes.size, nodes.size), dtype=float)
    chunk = max(1, _CHUNK_CELLS // max(network.n_nodes, 1))
    for start in range(0, nodes.size, chunk):
        rows = dijkstra(csr, directed=True, indices=nodes[start : start + chunk])
        out[start : start + chunk] = rows[:, nodes]
    return out


def _point_matrix(
    network: StreetNetwork,
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    weight: Literal["time", "length"],
    max_snap_m: float,
) -> np.ndarray:
    snapped = snap(network, x, y, max_snap_m=max_snap_m)
    snapped.raise_if_too_far(network.mode)
    nodes, inverse = np.unique(snapped.node_index, return_inverse=True)
    between = _node_costs(network, weight, nodes)[np.ix_(inverse, inverse)]
    access = snapped.snap_distance_m
    if weight == "time":
        access = access / (network.access_speed_kmh / 3.6)
    total = access[:, None] + between + access[None, :]
    np.fill_diagonal(total, 0.0)
    unreachable = np.argwhere(~np.isfinite(total))
    if unreachable.size:
        pairs = ", ".join(f"{i}->{j}" for i, j in unreachable[:_MAX_LISTED].tolist())
        raise NetworkError(
            f"{len(unreachable)} point pair(s) are not connected on the {network.mode.value} "
            f"network of {network.source}: {pairs}"
        )
    return total


def travel_time_matrix(
    network: StreetNetwork,
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> np.ndarray:
    """Travel times between all pairs of points on the street network, in whole seconds.

    Each point is snapped to its nearest node; the time is the snap leg at the network's
    access speed, the fastest street route between the nodes (scipy Dijkstra from each
    distinct node), and the snap leg at the other end, rounded **up** to whole seconds.
    Points on the same node share one Dijkstra run.

    Parameters
    ----------
    network
        The mode's network.
    x, y
        Point coordinates in the network's working CRS (metres).
    max_snap_m
        Maximum snap distance.

    Returns
    -------
    numpy.ndarray
        ``N × N`` int64 seconds, row = from, column = to, diagonal 0.

    Raises
    ------
    NetworkError
        If a point is farther than ``max_snap_m`` from the network, or a pair is not
        connected (both named in the message).
    """
    total_s = _point_matrix(network, x, y, "time", max_snap_m)
    return np.ceil(total_s - _ROUND_TOLERANCE_S).clip(min=0).astype(np.int64)


def distance_matrix_m(
    network: StreetNetwork,
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> np.ndarray:
    """Shortest street distances between all pairs of points (metres, float64).

    Shortest by length (which may differ from the fastest route) plus both snap legs;
    otherwise as :func:`travel_time_matrix`.
    """
    return _point_matrix(network, x, y, "length", max_snap_m)


def straight_line_matrix(
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    speed_kmh: float,
    detour_factor: float = 1.3,
) -> np.ndarray:
    """Travel times estimated from straight-line distances, for when there is no network.

    ``time = euclidean distance × detour_factor / speed``, rounded up to whole seconds.

    Parameters
    ----------
    x, y
        Point coordinates in a metric CRS.
    speed_kmh
        Travel speed.
    detour_factor
        Ratio of street distance to straight-line distance (about 1.3 in street grids).

    Returns
    -------
    numpy.ndarray
        ``N × N`` int64 seconds, symmetric, diagonal 0.
    """
    if not (np.isfinite(speed_kmh) and speed_kmh > 0):
        raise ValueError(f"speed_kmh must be a positive number (got {speed_kmh!r})")
    if not (np.isfinite(detour_factor) and detour_factor >= 1):
        raise ValueError(f"detour_factor must be at least 1 (got {detour_factor!r})")
    points = _coords(x, y)
    distance_m = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    total_s = distance_m * detour_factor / (speed_kmh / 3.6)
    return np.ceil(total_s - _ROUND_TOLERANCE_S).clip(min=0).astype(np.int64)


def travel_times(
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    network: StreetNetwork | None,
    mode: Mode | str,
    speeds: ModeSpeeds | None = None,
    detour_factor: float = 1.3,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> TravelTimes:
    """Travel-time matrix on the network when there is one, else a labelled straight-line one.

    Parameters
    ----------
    x, y
        Points in the working CRS (metres).
    network
        The mode's street network, or ``None`` to estimate from straight lines.
    mode
        The patrol mode; must match ``network.mode`` when a network is given.
    speeds
        Speeds for the straight-line estimate.
    detour_factor, max_snap_m
        As in :func:`straight_line_matrix` and :func:`travel_time_matrix`.

    Returns
    -------
    TravelTimes
    """
    mode = as_mode(mode)
    if network is not None:
        if network.mode is not mode:
            raise ValueError(f"network is for {network.mode.value}, not {mode.value}")
        matrix = travel_time_matrix(network, x, y, max_snap_m=max_snap_m)
        note = (
            f"{mode.value} travel times along streets of {network.source} "
            f"({network.n_nodes:,} nodes), points snapped to the nearest intersection"
        )
        return TravelTimes(matrix, "network", note)
    speed_kmh = (speeds or ModeSpeeds()).straight_line_kmh(mode)
    matrix = straight_line_matrix(x, y, speed_kmh=speed_kmh, detour_factor=detour_factor)
    note = (
        f"no street network: {mode.value} travel times estimated from straight-line distance "
        f"× {detour_factor:g} at {speed_kmh:g} km/h"
    )
    return TravelTimes(matrix, "straight-line", note)


def _edge_line(network: StreetNetwork, u: int, v: int) -> list[tuple[float, float]]:
    """Coordinates of the fastest edge between matrix nodes ``u`` and ``v``, from u to v."""
    graph = network.graph
    nu, nv = int(network.node_ids[u]), int(network.node_ids[v])
    data = min(graph[nu][nv].values(), key=lambda d: d["travel_time"])
    geometry = data.get("geometry")
    if geometry is None:
        return [
            (network.node_x_m[u], network.node_y_m[u]),
            (network.node_x_m[v], network.node_y_m[v]),
        ]
    coords = list(geometry.coords)
    start = np.array([network.node_x_m[u], network.node_y_m[u]])
    # osmnx orders simplified geometries from u to v; guard against a reversed one
    if np.hypot(*(np.array(coords[-1]) - start)) < np.hypot(*(np.array(coords[0]) - start)):
        coords.reverse()
    return [(float(cx), float(cy)) for cx, cy in coords]


def _path_line(
    network: StreetNetwork,
    predecessors: np.ndarray,
    source: int,
    target: int,
    start_xy: tuple[float, float],
    end_xy: tuple[float, float],
) -> LineString:
    nodes = [target]
    while nodes[-1] != source:
        previous = int(predecessors[nodes[-1]])
        if previous < 0:
            raise NetworkError(f"no {network.mode.value} route between the points")
        nodes.append(previous)
    nodes.reverse()
    coords: list[tuple[float, float]] = [start_xy]
    for u, v in itertools.pairwise(nodes):
        coords.extend(_edge_line(network, u, v))
    coords.append(end_xy)
    # drop consecutive repeats (a node shared by two edges, a point exactly on its node)
    deduped = [coords[0]] + [c for p, c in itertools.pairwise(coords) if c != p]
    if len(deduped) == 1:
        deduped.append(deduped[0])
    return LineString(deduped)


def street_paths(
    network: StreetNetwork,
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> list[LineString]:
    """Street geometry of the fastest route between each pair of consecutive points.

    Each line starts at point ``i``, runs straight to its snapped node, follows the street
    edges (their full geometry where osmnx simplified them) and ends straight at point
    ``i + 1``; coordinates are in the network's working CRS.

    Parameters
    ----------
    network
        The mode's network.
    x, y
        The stops of a route in visiting order (at least two), working CRS.
    max_snap_m
        Maximum snap distance.

    Returns
    -------
    list of shapely.LineString
        ``N - 1`` lines, one per leg.
    """
    points = _coords(x, y)
    if len(points) < 2:
        raise ValueError(f"street_paths needs at least two points (got {len(points)})")
    snapped = snap(network, points[:, 0], points[:, 1], max_snap_m=max_snap_m)
    snapped.raise_if_too_far(network.mode)
    sources, inverse = np.unique(snapped.node_index[:-1], return_inverse=True)
    lines: dict[int, LineString] = {}
    chunk = max(1, _CHUNK_CELLS // max(network.n_nodes, 1))
    for start in range(0, sources.size, chunk):
        _, predecessors = dijkstra(
            network.travel_time_csr,
            directed=True,
            indices=sources[start : start + chunk],
            return_predecessors=True,
        )
        for leg in np.flatnonzero((inverse >= start) & (inverse < start + chunk)).tolist():
            lines[leg] = _path_line(
                network,
                predecessors[inverse[leg] - start],
                int(snapped.node_index[leg]),
                int(snapped.node_index[leg + 1]),
                (float(points[leg, 0]), float(points[leg, 1])),
                (float(points[leg + 1, 0]), float(points[leg + 1, 1])),
            )
    return [lines[leg] for leg in range(len(points) - 1)]


def street_path(
    network: StreetNetwork,
    from_xy: tuple[float, float],
    to_xy: tuple[float, float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> LineString:
    """Street geometry of the fastest route from ``from_xy`` to ``to_xy`` (working CRS).

    See :func:`street_paths`.
    """
    return street_paths(
        network, [from_xy[0], to_xy[0]], [from_xy[1], to_xy[1]], max_snap_m=max_snap_m
    )[0]
