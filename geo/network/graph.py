"""Building per-mode street networks: osmnx-style graphs and the :class:`StreetNetwork` type.

Pure functions: parsed OSM ways (:class:`OsmStreets`, read by :mod:`geo.network.load`) or a
loaded osmnx graph in, a projected, strongly connected network with a CSR travel-time matrix
out. osmnx does simplification, components, lengths and projection.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from pyproj import CRS
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from geo.crs import is_metric, utm_crs_for_lonlat
from geo.errors import NetworkError
from geo.network.modes import Mode, ModeSpeeds, allows, as_mode, directions

__all__ = [
    "OsmStreets",
    "StreetNetwork",
    "Way",
    "graph_for_mode",
    "graph_from_streets",
    "network_from_graph",
]

# Dijkstra in scipy needs strictly positive weights to tell an edge from "no edge"; a
# zero-length segment (duplicated coordinates in OSM) costs this much instead.
_MIN_EDGE_COST = 1e-6


#: OSM name tags kept on the edges: ``name`` and the Chinese and English names that
#: :mod:`geo.naming` prefers in outputs of those languages.
NAME_TAGS: tuple[str, ...] = ("name", "name:zh", "name:zh-Hans", "name:en")


@dataclass(frozen=True)
class Way:
    """One OSM way (or a piece of one split at missing nodes) carrying a ``highway`` tag.

    Attributes
    ----------
    osmid
        The OSM way id.
    node_ids
        OSM node ids in way order, every one with a known location, no consecutive repeats.
    tags
        The way's OSM tags.
    """

    osmid: int
    node_ids: tuple[int, ...]
    tags: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class OsmStreets:
    """The highway ways of an OSM file and the locations of their nodes.

    Attributes
    ----------
    source
        File name the data came from (used in messages).
    ways
        Highway ways, split where they referenced nodes missing from the file.
    lonlat
        ``{node id: (lon, lat)}`` for every node the ways use.
    missing_node_refs
        Way-node references whose node is not in the file (dropped, ways split there).
    missing_nodes
        Distinct node ids among those references.
    """

    source: str
    ways: Sequence[Way]
    lonlat: Mapping[int, tuple[float, float]]
    missing_node_refs: int = 0
    missing_nodes: int = 0


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """A routable street network for one patrol mode, in a metric working CRS.

    Node ``i`` of the CSR matrices is ``node_ids[i]`` at ``(node_x_m[i], node_y_m[i])``.

    Attributes
    ----------
    mode
        The patrol mode the network and its speeds are for.
    graph
        The projected, simplified osmnx ``MultiDiGraph`` (edge attributes ``length`` in m,
        ``speed_kph``, ``travel_time`` in s, ``geometry`` on simplified edges).
    crs
        The working CRS of ``graph`` and of the node coordinates.
    node_ids
        OSM node ids in matrix order (int64).
    node_x_m, node_y_m
        Node coordinates in ``crs`` (metres).
    travel_time_csr
        ``n × n`` sparse matrix of edge travel times in seconds (fastest parallel edge).
    length_csr
        ``n × n`` sparse matrix of edge lengths in metres (shortest parallel edge).
    access_speed_kmh
        Speed charged for the distance between a point and its snapped node.
    source
        The file (or description) the network was built from.
    dropped_nodes
        Nodes of the simplified graph outside the largest strongly connected component.
    missing_node_refs
        References to nodes absent from the source file (see :class:`OsmStreets`).
    notes
        Facts about the network a user should be told.
    """

    mode: Mode
    graph: nx.MultiDiGraph
    crs: CRS
    node_ids: np.ndarray
    node_x_m: np.ndarray
    node_y_m: np.ndarray
    travel_time_csr: csr_matrix
    length_csr: csr_matrix
    access_speed_kmh: float
    source: str
    dropped_nodes: int = 0
    missing_node_refs: int = 0
    notes: tuple[str, ...] = ()
    tree: cKDTree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tree", cKDTree(np.column_stack([self.node_x_m, self.node_y_m])))

    @property
    def n_nodes(self) -> int:
        return int(self.node_ids.size)

    @property
    def n_edges(self) -> int:
        return int(self.graph.number_of_edges())

    def summary(self) -> str:
        """One line describing the network, for logs and the CLI."""
        return (
            f"{self.mode.value} network from {self.source}: {self.n_nodes:,} nodes, "
            f"{self.n_edges:,} edges in {self.crs.to_string()}; {self.dropped_nodes:,} nodes "
            "outside the largest strongly connected component dropped"
        )


def graph_from_streets(
    streets: OsmStreets, mode: Mode | str, speeds: ModeSpeeds | None = None
) -> nx.MultiDiGraph:
    """Build the unsimplified osmnx-style graph of the ways ``mode`` may use.

    Parameters
    ----------
    streets
        Parsed highway ways and node locations.
    mode
        Which ways to keep and in which directions (see :func:`geo.network.modes.allows`
        and :func:`geo.network.modes.directions`).
    speeds
        Speeds per mode; the defaults of :class:`ModeSpeeds` when ``None``.

    Returns
    -------
    networkx.MultiDiGraph
        Graph in EPSG:4326 (node attributes ``x`` = lon, ``y`` = lat) with edge attributes
        ``osmid``, ``highway``, ``oneway``, ``reversed`` (against the way's node order),
        ``length`` (m, great circle), ``speed_kph``, ``travel_time`` (s) and ``name`` /
        ``maxspeed`` where tagged.

    Raises
    ------
    NetworkError
        If no way of the file is usable by ``mode``.
    """
    mode = as_mode(mode)
    speeds = speeds or ModeSpeeds()
    graph = nx.MultiDiGraph(crs="epsg:4326", created_with=f"gridpatrol ({mode.value})")
    used: set[int] = set()
    for way in streets.ways:
        if len(way.node_ids) < 2 or not allows(mode, way.tags, speeds):
            continue
        forward, backward = directions(mode, way.tags)
        attrs: dict[str, Any] = {
            "osmid": way.osmid,
            "highway": way.tags["highway"],
            "oneway": not (forward and backward),
            "speed_kph": speeds.way_speed_kmh(mode, way.tags),
        }
        for key in (*NAME_TAGS, "maxspeed"):
            if key in way.tags:
                attrs[key] = way.tags[key]
        pairs = list(itertools.pairwise(way.node_ids))
        if forward:
            graph.add_edges_from(pairs, **attrs, reversed=False)
        if backward:
            graph.add_edges_from([(v, u) for u, v in pairs], **attrs, reversed=True)
        used.update(way.node_ids)
    if graph.number_of_edges() == 0:
        raise NetworkError(
            f"{streets.source}: no street usable by {mode.value} among "
            f"{len(streets.ways):,} highway ways"
        )
    graph.add_nodes_from((n, {"x": streets.lonlat[n][0], "y": streets.lonlat[n][1]}) for n in used)
    import osmnx as ox  # only building needs it; cached networks load without it

    graph = ox.distance.add_edge_lengths(graph)
    _set_travel_times(graph)
    return graph


def graph_for_mode(
    graph: nx.MultiDiGraph,
    mode: Mode | str,
    speeds: ModeSpeeds | None = None,
    *,
    source: str = "graph",
) -> nx.MultiDiGraph:
    """Restrict a loaded osmnx graph (e.g. from GraphML) to ``mode`` and set its speeds.

    Only the edge attributes osmnx keeps are available, so the rules are coarser than for OSM
    files: an edge is kept when every one of its ``highway`` classes is allowed for the mode
    (no access tags), the foot network gets a reverse edge for each one-way edge, and car
    speeds come from ``maxspeed`` (the lowest of several) or the class table. One-way
    information is whatever the graph kept: a graph built for walking has none left.

    Parameters
    ----------
    graph
        osmnx graph with ``highway`` and ``length`` edge attributes.
    mode, speeds
        As in :func:`graph_from_streets`.
    source
        Name used in error messages.
    """
    mode = as_mode(mode)
    speeds = speeds or ModeSpeeds()
    kept = nx.MultiDiGraph(**graph.graph)
    kept.add_nodes_from(graph.nodes(data=True))
    missing_length = 0
    for u, v, data in graph.edges(data=True):
        classes = _as_list(data.get("highway"))
        if not classes or not all(allows(mode, {"highway": str(c)}, speeds) for c in classes):
            continue
        if "length" not in data:
            missing_length += 1
            continue
        maxspeeds = [str(m) for m in _as_list(data.get("maxspeed"))]
        per_class = [
            speeds.way_speed_kmh(mode, {"highway": str(c), "maxspeed": m})
            for c in classes
            for m in maxspeeds or [""]
        ]
        attrs = {**data, "speed_kph": min(per_class)}
        kept.add_edge(u, v, **attrs)
        if mode is Mode.FOOT and data.get("oneway") in (True, "True"):
            back = {**attrs, "reversed": not data.get("reversed", False), "oneway": False}
            if "geometry" in back:
                back["geometry"] = back["geometry"].reverse()
            kept.add_edge(v, u, **back)
    if missing_length:
        raise NetworkError(f"{source}: {missing_length:,} edges have no 'length' attribute")
    kept.remove_nodes_from([n for n in list(kept.nodes) if kept.degree(n) == 0])
    if kept.number_of_edges() == 0:
        raise NetworkError(f"{source}: no edge usable by {mode.value}")
    _set_travel_times(kept)
    return kept


def network_from_graph(
    graph: nx.MultiDiGraph,
    mode: Mode | str,
    *,
    crs: CRS | str | None = None,
    speeds: ModeSpeeds | None = None,
    source: str = "graph",
    missing_node_refs: int = 0,
    notes: Sequence[str] = (),
) -> StreetNetwork:
    """Simplify, keep the largest strongly connected component, project and index a graph.

    Parameters
    ----------
    graph
        Graph from :func:`graph_from_streets` or :func:`graph_for_mode` (edge attributes
        ``length``, ``speed_kph``, ``travel_time``); simplified by osmnx unless it already is
        (interstitial nodes removed, nodes where two OSM ways meet kept).
    mode
        The mode the graph was built for.
    crs
        Working CRS; by default the UTM zone of the centre of the nodes' extent (the rule of
        :func:`geo.crs.local_crs`).
    speeds
        Gives the speed charged for snap distances.
    source
        File name for messages.
    missing_node_refs
        Carried into the result and its notes.
    notes
        Extra notes to carry.

    Returns
    -------
    StreetNetwork

    Raises
    ------
    NetworkError
        If fewer than two nodes remain in the largest strongly connected component.
    """
    import osmnx as ox  # only building needs it; cached networks load without it

    mode = as_mode(mode)
    speeds = speeds or ModeSpeeds()
    if not graph.graph.get("simplified"):
        # keeping nodes where one OSM way meets another (corners, speed or name changes) keeps
        # speeds per way and leaves more nodes to snap points to, for ~15 % more nodes
        graph = ox.simplify_graph(graph, edge_attrs_differ=["osmid"])
    n_before = len(graph)
    graph = ox.truncate.largest_component(graph, strongly=True)
    dropped = n_before - len(graph)
    if len(graph) < 2:
        raise NetworkError(
            f"{source}: the {mode.value} network has no strongly connected part with at least "
            f"two nodes ({n_before:,} nodes before)"
        )
    working = _working_crs(graph, crs)
    graph = ox.project_graph(graph, to_crs=working)  # a new graph: safe to edit below
    for _, _, data in graph.edges(data=True):
        # simplified edges carry a list of speeds; keep the effective one
        if isinstance(data.get("speed_kph"), list):
            data["speed_kph"] = 3.6 * data["length"] / max(data["travel_time"], _MIN_EDGE_COST)
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=len(graph))
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in graph.nodes], dtype=float)
    all_notes = list(notes)
    if missing_node_refs:
        all_notes.append(
            f"{missing_node_refs:,} way-node references to nodes missing from {source} were "
            "dropped (the ways were split there)"
        )
    if dropped:
        all_notes.append(
            f"{dropped:,} of {n_before:,} {mode.value} network nodes lie outside the largest "
            "strongly connected component and were dropped"
        )
    return StreetNetwork(
        mode=mode,
        graph=graph,
        crs=working,
        node_ids=node_ids,
        node_x_m=xy[:, 0],
        node_y_m=xy[:, 1],
        travel_time_csr=_edge_matrix(graph, "travel_time"),
        length_csr=_edge_matrix(graph, "length"),
        access_speed_kmh=speeds.access_kmh(mode),
        source=source,
        dropped_nodes=dropped,
        missing_node_refs=missing_node_refs,
        notes=tuple(all_notes),
    )


def _as_list(value: Any) -> list[Any]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _set_travel_times(graph: nx.MultiDiGraph) -> None:
    # same formula as ox.routing.add_edge_travel_times, without building edge GeoDataFrames
    for _, _, data in graph.edges(data=True):
        data["travel_time"] = float(data["length"]) / (float(data["speed_kph"]) / 3.6)


def _working_crs(graph: nx.MultiDiGraph, crs: CRS | str | None) -> CRS:
    if crs is not None:
        working = CRS(crs)
        if not is_metric(working):
            raise ValueError(f"crs must be a projected CRS in metres (got {working.to_string()})")
        return working
    current = CRS(graph.graph.get("crs", "epsg:4326"))
    if is_metric(current):
        return current
    if not current.is_geographic:
        raise NetworkError(f"graph CRS {current.to_string()} is neither geographic nor metric")
    xs = np.fromiter((x for _, x in graph.nodes(data="x")), dtype=float)
    ys = np.fromiter((y for _, y in graph.nodes(data="y")), dtype=float)
    return utm_crs_for_lonlat((xs.min() + xs.max()) / 2.0, (ys.min() + ys.max()) / 2.0)


def _edge_matrix(graph: nx.MultiDiGraph, weight: str) -> csr_matrix:
    """``n × n`` CSR of ``weight`` on edges in node order, the minimum over parallel edges."""
    index = {node: i for i, node in enumerate(graph.nodes)}
    rows, cols, vals = [], [], []
    for u, v, w in graph.edges(data=weight):
        if u != v:
            rows.append(index[u])
            cols.append(index[v])
            vals.append(w)
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    w_arr = np.maximum(np.asarray(vals, dtype=float), _MIN_EDGE_COST)
    # csr_matrix would sum duplicates; keep the cheapest parallel edge instead
    order = np.lexsort((w_arr, c, r))
    r, c, w_arr = r[order], c[order], w_arr[order]
    first = np.ones(r.size, dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    n = len(index)
    return csr_matrix((w_arr[first], (r[first], c[first])), shape=(n, n))
