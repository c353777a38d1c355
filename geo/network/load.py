"""Reading street networks offline from OSM files (``.osm`` XML, ``.osm.pbf``) or GraphML.

With :mod:`geo.network.cache` the only modules of :mod:`geo.network` that touch files:
pyosmium reads highway ways and their node locations once, then :mod:`geo.network.graph`
builds one network per mode, kept in the network cache for the next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from geo.errors import NetworkError
from geo.network.cache import NetworkCache, NetworkKey, default_cache
from geo.network.graph import (
    OsmStreets,
    StreetNetwork,
    Way,
    graph_for_mode,
    graph_from_streets,
    network_from_graph,
)
from geo.network.modes import Mode, ModeSpeeds, as_mode

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["load_network", "load_networks", "read_osm_streets"]

_OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz", ".xml")
_GRAPHML_SUFFIXES = (".graphml",)


def read_osm_streets(path: str | Path) -> OsmStreets:
    """Read every way tagged ``highway`` and its node locations from an OSM file.

    Way-node references to nodes that are not in the file (clipped extracts have them) are
    dropped and the way is split there; the count is kept in the result.

    Parameters
    ----------
    path
        An OSM XML (``.osm``) or PBF (``.osm.pbf``) file.

    Raises
    ------
    NetworkError
        If the file does not exist, cannot be parsed, or has no highway ways; the message
        names the file.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise NetworkError(f"{path}: street network file not found")
    if path.stat().st_size == 0:
        raise NetworkError(f"{name}: the street network file is empty")
    import osmium

    ways: list[Way] = []
    lonlat: dict[int, tuple[float, float]] = {}
    missing: list[int] = []
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):  # the filters pass ways only
                continue
            tags = {tag.k: tag.v for tag in way.tags}
            piece: list[tuple[int, float, float]] = []
            for node in way.nodes:
                if node.location.valid():
                    piece.append((node.ref, node.location.lon, node.location.lat))
                    continue
                missing.append(node.ref)
                ways.extend(_way_pieces(way.id, piece, tags, lonlat))
                piece = []
            ways.extend(_way_pieces(way.id, piece, tags, lonlat))
    except RuntimeError as exc:  # pyosmium reports parse errors as RuntimeError
        raise NetworkError(f"{name}: cannot read as an OSM file ({exc})") from exc
    if not ways:
        raise NetworkError(f"{name}: no ways tagged 'highway' with two or more located nodes")
    return OsmStreets(
        source=name,
        ways=ways,
        lonlat=lonlat,
        missing_node_refs=len(missing),
        missing_nodes=len(set(missing)),
    )


def _way_pieces(
    osmid: int,
    nodes: list[tuple[int, float, float]],
    tags: dict[str, str],
    lonlat: dict[int, tuple[float, float]],
) -> list[Way]:
    """The way (or piece) as a :class:`Way` if it has two distinct nodes; records locations."""
    deduped = [next(group) for _, group in groupby(nodes, key=lambda node: node[0])]
    if len(deduped) < 2:
        return []
    lonlat.update((ref, (lon, lat)) for ref, lon, lat in deduped)
    return [Way(osmid, tuple(ref for ref, _, _ in deduped), tags)]


def load_network(
    path: str | Path,
    *,
    mode: Mode | str,
    crs: CRS | str | None = None,
    speeds: ModeSpeeds | None = None,
    cache: NetworkCache | Literal["default"] | None = "default",
) -> StreetNetwork:
    """Load the street network of one patrol mode from a file, offline.

    Parameters
    ----------
    path
        OSM XML (``.osm``), OSM PBF (``.osm.pbf``) or osmnx GraphML (``.graphml``).
    mode
        ``"foot"``, ``"bicycle"`` or ``"car"``.
    crs
        Working metric CRS; by default the UTM zone of the network's centre.
    speeds
        Mode speeds; :class:`ModeSpeeds` defaults when ``None``.
    cache
        As in :func:`load_networks`.

    Returns
    -------
    StreetNetwork
        Projected, simplified, largest strongly connected component, with CSR matrices.

    Raises
    ------
    NetworkError
        Unreadable, empty or unknown file, no highway ways, or nothing usable by ``mode``.
    """
    return load_networks(path, modes=(mode,), crs=crs, speeds=speeds, cache=cache)[as_mode(mode)]


def load_networks(
    path: str | Path,
    modes: Iterable[Mode | str] = tuple(Mode),
    *,
    crs: CRS | str | None = None,
    speeds: ModeSpeeds | None = None,
    cache: NetworkCache | Literal["default"] | None = "default",
) -> dict[Mode, StreetNetwork]:
    """Load the networks of several modes, parsing the file once.

    Parameters are those of :func:`load_network`; all networks share one working CRS.

    Parameters
    ----------
    cache
        Where built networks are kept between runs: ``"default"`` for
        :func:`geo.network.cache.default_cache` (the user cache folder, off when
        ``GRIDPATROL_NO_CACHE=1``), a :class:`~geo.network.cache.NetworkCache`, or ``None``
        to build from the file every time.

    Returns
    -------
    dict
        ``{Mode: StreetNetwork}`` in the order of ``modes``.
    """
    path = Path(path)
    wanted = [as_mode(m) for m in modes]
    if not wanted:
        raise ValueError("modes must name at least one of 'foot', 'bicycle', 'car' (got none)")
    suffix = "".join(path.suffixes[-2:]).lower()
    graphml = path.suffix.lower() in _GRAPHML_SUFFIXES
    if not graphml and not (suffix.endswith(_OSM_SUFFIXES) or path.suffix.lower() in _OSM_SUFFIXES):
        raise NetworkError(
            f"{path.name}: unknown street network format; expected .osm, .osm.pbf or .graphml"
        )
    if not path.is_file():
        raise NetworkError(f"{path}: street network file not found")
    store = default_cache() if cache == "default" else cache
    if store is None:
        return _build(path, wanted, crs, speeds, graphml)
    keys = {mode: NetworkKey.for_file(path, mode, speeds, crs) for mode in wanted}
    found = {mode: store.get(keys[mode]) for mode in wanted}
    missing = [mode for mode in wanted if found[mode] is None]
    if missing:
        # networks loaded together share a CRS: build the missing ones in that of the hits
        working = crs
        if working is None:
            working = next((n.crs for n in found.values() if n is not None), None)
        for mode, network in _build(path, missing, working, speeds, graphml).items():
            store.put(keys[mode], network)
            found[mode] = network
    return {mode: found[mode] for mode in wanted}


def _build(
    path: Path,
    wanted: list[Mode],
    crs: CRS | str | None,
    speeds: ModeSpeeds | None,
    graphml: bool,
) -> dict[Mode, StreetNetwork]:
    if graphml:
        return _load_graphml(path, wanted, crs, speeds)
    streets = read_osm_streets(path)
    working = crs
    networks: dict[Mode, StreetNetwork] = {}
    for mode in wanted:
        graph = graph_from_streets(streets, mode, speeds)
        network = network_from_graph(
            graph,
            mode,
            crs=working,
            speeds=speeds,
            source=streets.source,
            missing_node_refs=streets.missing_node_refs,
        )
        working = network.crs  # every mode in the same CRS
        networks[mode] = network
    return networks


def _load_graphml(
    path: Path, modes: list[Mode], crs: CRS | str | None, speeds: ModeSpeeds | None
) -> dict[Mode, StreetNetwork]:
    import osmnx as ox

    try:
        graph = ox.load_graphml(path)
    except Exception as exc:  # lxml, networkx and osmnx raise many types on a bad file
        raise NetworkError(f"{path.name}: cannot read as GraphML ({exc})") from exc
    if graph.number_of_edges() == 0:
        raise NetworkError(f"{path.name}: the GraphML graph has no edges")
    networks: dict[Mode, StreetNetwork] = {}
    working = crs
    for mode in modes:
        mode_graph = graph_for_mode(graph, mode, speeds, source=path.name)
        network = network_from_graph(
            mode_graph,
            mode,
            crs=working,
            speeds=speeds,
            source=path.name,
            notes=("GraphML input: access tags are not available, modes filter by class only",),
        )
        working = network.crs
        networks[mode] = network
    return networks
