"""A :class:`~geo.network.graph.StreetNetwork` as plain numpy arrays and JSON text, and back.

Used by the network cache (:mod:`geo.network.cache`): numbers go in typed arrays, edge
geometries in one coordinate array with offsets, and the remaining edge attributes (``osmid``,
``highway``, ``name``, ``maxspeed``, ``oneway``, ``reversed`` ... scalars or lists) as JSON
texts stored once each and indexed per edge. Nothing is pickled; rebuilding gives the same
graph (nodes, edge keys and order, attributes) as the one written.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import shapely
from pyproj import CRS
from scipy.sparse import csr_matrix

from geo.network.graph import StreetNetwork
from geo.network.modes import Mode

__all__ = ["network_from_arrays", "network_to_arrays"]

_GEOMETRY = "geometry"


def _text(value: Any) -> np.ndarray:
    return np.array(json.dumps(value, sort_keys=True, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"edge attribute value {value!r} cannot be stored in the network cache")


def _float_columns(records: list[dict[str, Any]], skip: frozenset[str]) -> list[str]:
    """Attributes every record has as a float (ints such as ``osmid`` stay exact in JSON)."""
    if not records:
        return []
    names = set(records[0]) - skip
    for data in records:
        names &= {k for k, v in data.items() if type(v) is float}
        if not names:
            break
    return sorted(names)


def _interned(rest: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct records of ``rest`` as one JSON list, and each record's index into it."""
    table: dict[str, int] = {}
    index = np.empty(len(rest), dtype=np.int32)
    for i, data in enumerate(rest):
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_json_default)
        index[i] = table.setdefault(text, len(table))
    return np.array("[" + ",".join(table) + "]"), index


def network_to_arrays(network: StreetNetwork) -> dict[str, np.ndarray]:
    """The arrays that :func:`network_from_arrays` rebuilds ``network`` from."""
    graph = network.graph
    order = {node: i for i, node in enumerate(graph.nodes)}
    if [int(n) for n in graph.nodes] != network.node_ids.tolist():
        raise ValueError("the network's node ids are not in its graph's node order")
    node_records = [dict(d) for _, d in graph.nodes(data=True)]
    node_floats = _float_columns(node_records, frozenset())
    node_texts, node_index = _interned(
        [{k: v for k, v in d.items() if k not in node_floats} for d in node_records]
    )

    u, v, keys, edge_records = [], [], [], []
    for a, b, k, data in graph.edges(keys=True, data=True):
        u.append(order[a])
        v.append(order[b])
        keys.append(k)
        edge_records.append(data)
    edge_floats = _float_columns(edge_records, frozenset({_GEOMETRY}))
    coords: list[np.ndarray] = []
    offsets = np.full(len(edge_records) + 1, 0, dtype=np.int64)
    has_geometry = np.zeros(len(edge_records), dtype=bool)
    rest = []
    for i, data in enumerate(edge_records):
        line = data.get(_GEOMETRY)
        points = np.empty((0, 2))
        if line is not None:
            has_geometry[i] = True
            points = shapely.get_coordinates(line)
        coords.append(points)
        offsets[i + 1] = offsets[i] + len(points)
        rest.append({k: x for k, x in data.items() if k not in edge_floats and k != _GEOMETRY})
    edge_texts, edge_index = _interned(rest)
    graph_attrs = {k: x for k, x in graph.graph.items() if k != "crs"}

    arrays: dict[str, np.ndarray] = {
        "meta": _text(
            {
                "mode": network.mode.value,
                "crs": network.crs.to_wkt(),
                "graph_crs": CRS(graph.graph.get("crs", network.crs)).to_wkt(),
                "graph": graph_attrs,
                "access_speed_kmh": network.access_speed_kmh,
                "source": network.source,
                "dropped_nodes": network.dropped_nodes,
                "missing_node_refs": network.missing_node_refs,
                "notes": list(network.notes),
                "node_floats": node_floats,
                "edge_floats": edge_floats,
                "nodes": network.n_nodes,
                "edges": len(edge_records),
            }
        ),
        "node_ids": np.asarray(network.node_ids, dtype=np.int64),
        "node_x_m": np.asarray(network.node_x_m, dtype=float),
        "node_y_m": np.asarray(network.node_y_m, dtype=float),
        "node_texts": node_texts,
        "node_text_index": node_index,
        "edge_u": np.asarray(u, dtype=np.int64),
        "edge_v": np.asarray(v, dtype=np.int64),
        "edge_key": np.asarray(keys, dtype=np.int64),
        "edge_texts": edge_texts,
        "edge_text_index": edge_index,
        "edge_has_geometry": has_geometry,
        "edge_coords": np.concatenate(coords) if coords else np.empty((0, 2)),
        "edge_coord_offsets": offsets,
    }
    for name in node_floats:
        arrays[f"node_float_{name}"] = np.array([d[name] for d in node_records], dtype=float)
    for name in edge_floats:
        arrays[f"edge_float_{name}"] = np.array([d[name] for d in edge_records], dtype=float)
    for name, matrix in (("travel_time", network.travel_time_csr), ("length", network.length_csr)):
        arrays[f"{name}_data"] = matrix.data
        arrays[f"{name}_indices"] = matrix.indices
        arrays[f"{name}_indptr"] = matrix.indptr
    return arrays


def _copy(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in record.items()}


def _multidigraph(
    nodes: list[tuple[int, dict[str, Any]]], edges: list[tuple[int, int, int, dict[str, Any]]]
) -> nx.MultiDiGraph:
    """A MultiDiGraph with these nodes and keyed edges, in this order.

    Fills networkx's adjacency dicts directly, the layout ``MultiDiGraph.add_edge`` makes
    (one key dict shared by ``_succ[u][v]`` and ``_pred[v][u]``): ``add_edges_from`` spends
    most of a warm start looking each edge up through its views.
    """
    graph = nx.MultiDiGraph()
    for node, attrs in nodes:
        graph._node[node] = attrs
        graph._succ[node] = {}
        graph._pred[node] = {}
    succ, pred = graph._succ, graph._pred
    for u, v, key, data in edges:
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = {}
            pred[v][u] = keydict
        keydict[key] = data
    nx._clear_cache(graph)
    return graph


def network_from_arrays(arrays: Mapping[str, np.ndarray]) -> StreetNetwork:
    """Rebuild the network written by :func:`network_to_arrays`.

    Raises
    ------
    KeyError, ValueError
        When an array is missing or inconsistent (a damaged cache entry).
    """
    # hundreds of thousands of small dicts: the cyclic collector would rescan them many
    # times over while they are made, and none of them is garbage
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _network_from_arrays(arrays)
    finally:
        if collecting:
            gc.enable()


def _network_from_arrays(arrays: Mapping[str, np.ndarray]) -> StreetNetwork:
    meta = json.loads(str(arrays["meta"]))
    node_ids = np.asarray(arrays["node_ids"], dtype=np.int64)
    n = node_ids.size
    node_texts = json.loads(str(arrays["node_texts"]))
    node_index = arrays["node_text_index"]
    node_floats = {name: arrays[f"node_float_{name}"].tolist() for name in meta["node_floats"]}
    if len(node_index) != n or any(len(c) != n for c in node_floats.values()):
        raise ValueError("node arrays of different lengths")
    ids = node_ids.tolist()
    node_columns = list(node_floats.items())
    nodes = [
        (ids[i], {**_copy(node_texts[node_index[i]]), **{k: c[i] for k, c in node_columns}})
        for i in range(n)
    ]

    u = arrays["edge_u"].tolist()
    v = arrays["edge_v"].tolist()
    keys = arrays["edge_key"].tolist()
    m = len(u)
    edge_texts = json.loads(str(arrays["edge_texts"]))
    edge_index = arrays["edge_text_index"].tolist()
    edge_floats = [(k, arrays[f"edge_float_{k}"].tolist()) for k in meta["edge_floats"]]
    has_geometry = arrays["edge_has_geometry"]
    offsets = arrays["edge_coord_offsets"]
    coords = arrays["edge_coords"]
    if len(v) != m or len(keys) != m or len(edge_index) != m or len(offsets) != m + 1:
        raise ValueError("edge arrays of different lengths")
    lines = np.full(m, None, dtype=object)
    with_line = np.flatnonzero(has_geometry)
    if with_line.size:
        counts = offsets[with_line + 1] - offsets[with_line]
        # only edges with a geometry have coordinates, stored in edge order
        lines[with_line] = shapely.linestrings(
            coords, indices=np.repeat(np.arange(with_line.size), counts)
        )
    edges = []
    for i in range(m):
        data = _copy(edge_texts[edge_index[i]])
        for name, column in edge_floats:
            data[name] = column[i]
        if lines[i] is not None:
            data[_GEOMETRY] = lines[i]
        edges.append((ids[u[i]], ids[v[i]], keys[i], data))
    graph = _multidigraph(nodes, edges)
    graph.graph.update(meta["graph"])
    graph.graph["crs"] = CRS.from_wkt(meta["graph_crs"])

    def matrix(name: str) -> csr_matrix:
        parts = (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"])
        return csr_matrix(parts, shape=(n, n))

    return StreetNetwork(
        mode=Mode(meta["mode"]),
        graph=graph,
        crs=CRS.from_wkt(meta["crs"]),
        node_ids=node_ids,
        node_x_m=np.asarray(arrays["node_x_m"], dtype=float),
        node_y_m=np.asarray(arrays["node_y_m"], dtype=float),
        travel_time_csr=matrix("travel_time"),
        length_csr=matrix("length"),
        access_speed_kmh=float(meta["access_speed_kmh"]),
        source=str(meta["source"]),
        dropped_nodes=int(meta["dropped_nodes"]),
        missing_node_refs=int(meta["missing_node_refs"]),
        notes=tuple(meta["notes"]),
    )
