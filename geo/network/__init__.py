"""Street networks per patrol mode and travel times on them.

Load a network offline from an OSM file or GraphML (:func:`load_network`), then snap points,
compute travel-time matrices and street paths; fall back to labelled straight-line estimates.
"""

from geo.network.graph import (
    OsmStreets,
    StreetNetwork,
    Way,
    graph_for_mode,
    graph_from_streets,
    network_from_graph,
)
from geo.network.load import load_network, load_networks, read_osm_streets
from geo.network.matrix import (
    DEFAULT_MAX_SNAP_M,
    Snapped,
    TravelTimes,
    distance_matrix_m,
    snap,
    straight_line_matrix,
    street_path,
    street_paths,
    travel_time_matrix,
    travel_times,
)
from geo.network.modes import (
    DEFAULT_CAR_SPEEDS_KMH,
    Mode,
    ModeSpeeds,
    allows,
    as_mode,
    directions,
    parse_maxspeed_kmh,
)

__all__ = [
    "DEFAULT_CAR_SPEEDS_KMH",
    "DEFAULT_MAX_SNAP_M",
    "Mode",
    "ModeSpeeds",
    "OsmStreets",
    "Snapped",
    "StreetNetwork",
    "TravelTimes",
    "Way",
    "allows",
    "as_mode",
    "directions",
    "distance_matrix_m",
    "graph_for_mode",
    "graph_from_streets",
    "load_network",
    "load_networks",
    "network_from_graph",
    "parse_maxspeed_kmh",
    "read_osm_streets",
    "snap",
    "straight_line_matrix",
    "street_path",
    "street_paths",
    "travel_time_matrix",
    "travel_times",
]
