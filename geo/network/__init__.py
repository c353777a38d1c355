"""Street networks per patrol mode and travel times on them.

Load a network offline from an OSM file or GraphML (:func:`load_network`; built networks are
kept in :mod:`geo.network.cache`), then snap points, compute travel-time matrices and street
paths; fall back to labelled straight-line estimates. The names below are imported on first
use, so ``import geo.network.modes`` does not load osmnx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from geo.network.cache import NetworkCache as NetworkCache
    from geo.network.cache import NetworkCacheWarning as NetworkCacheWarning
    from geo.network.cache import default_cache as default_cache
    from geo.network.graph import OsmStreets as OsmStreets
    from geo.network.graph import StreetNetwork as StreetNetwork
    from geo.network.graph import Way as Way
    from geo.network.graph import graph_for_mode as graph_for_mode
    from geo.network.graph import graph_from_streets as graph_from_streets
    from geo.network.graph import network_from_graph as network_from_graph
    from geo.network.load import load_network as load_network
    from geo.network.load import load_networks as load_networks
    from geo.network.load import read_osm_streets as read_osm_streets
    from geo.network.matrix import DEFAULT_MAX_SNAP_M as DEFAULT_MAX_SNAP_M
    from geo.network.matrix import Snapped as Snapped
    from geo.network.matrix import TravelTimes as TravelTimes
    from geo.network.matrix import distance_matrix_m as distance_matrix_m
    from geo.network.matrix import snap as snap
    from geo.network.matrix import straight_line_matrix as straight_line_matrix
    from geo.network.matrix import street_path as street_path
    from geo.network.matrix import street_paths as street_paths
    from geo.network.matrix import travel_time_matrix as travel_time_matrix
    from geo.network.matrix import travel_times as travel_times
    from geo.network.modes import DEFAULT_CAR_SPEEDS_KMH as DEFAULT_CAR_SPEEDS_KMH
    from geo.network.modes import Mode as Mode
    from geo.network.modes import ModeSpeeds as ModeSpeeds
    from geo.network.modes import allows as allows
    from geo.network.modes import as_mode as as_mode
    from geo.network.modes import directions as directions
    from geo.network.modes import parse_maxspeed_kmh as parse_maxspeed_kmh

_EXPORTS = {
    "NetworkCache": "geo.network.cache",
    "NetworkCacheWarning": "geo.network.cache",
    "default_cache": "geo.network.cache",
    "OsmStreets": "geo.network.graph",
    "StreetNetwork": "geo.network.graph",
    "Way": "geo.network.graph",
    "graph_for_mode": "geo.network.graph",
    "graph_from_streets": "geo.network.graph",
    "network_from_graph": "geo.network.graph",
    "load_network": "geo.network.load",
    "load_networks": "geo.network.load",
    "read_osm_streets": "geo.network.load",
    "DEFAULT_MAX_SNAP_M": "geo.network.matrix",
    "Snapped": "geo.network.matrix",
    "TravelTimes": "geo.network.matrix",
    "distance_matrix_m": "geo.network.matrix",
    "snap": "geo.network.matrix",
    "straight_line_matrix": "geo.network.matrix",
    "street_path": "geo.network.matrix",
    "street_paths": "geo.network.matrix",
    "travel_time_matrix": "geo.network.matrix",
    "travel_times": "geo.network.matrix",
    "DEFAULT_CAR_SPEEDS_KMH": "geo.network.modes",
    "Mode": "geo.network.modes",
    "ModeSpeeds": "geo.network.modes",
    "allows": "geo.network.modes",
    "as_mode": "geo.network.modes",
    "directions": "geo.network.modes",
    "parse_maxspeed_kmh": "geo.network.modes",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
