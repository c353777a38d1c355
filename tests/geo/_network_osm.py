"""A hand-made OSM street grid for the ``geo.network`` tests, written as OSM XML in code.

::

    13                      (node 13 follows missing node 99 on footway 110: split off)
    12
    7 --- 8 --- 9           103 residential, maxspeed "50"
    |     :     |           107 steps 5-8
    4 --> 5 --> 6 --> 10    102 residential oneway, "25 mph"; 108 oneway to a dead end
    |     :     |           106 footway 2-5
    1 --- 2 --- 3           101 residential, no maxspeed
    104 tertiary "30;50" up the west side (1-4-7), 105 residential up the east side (3-6-9)

Blocks are just under 100 m of great-circle arc (on the WGS 84 ellipsoid and in UTM the
sides differ by up to 0.3 %).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

LON0, LAT0 = -122.68, 45.52
EARTH_RADIUS_M = 6_371_009.0  # the radius osmnx's great_circle uses
SPACING_M = 100.0
# osmium stores degrees to 7 decimals: round the steps down so the file holds exactly these
# coordinates and every block is just under 100 m
DLAT = math.floor(math.degrees(SPACING_M / EARTH_RADIUS_M) * 1e7) / 1e7
DLON = math.floor(DLAT / math.cos(math.radians(LAT0)) * 1e7) / 1e7

# node id -> (column, row) on the grid
GRID = {
    1: (0, 0), 2: (1, 0), 3: (2, 0),
    4: (0, 1), 5: (1, 1), 6: (2, 1), 10: (3, 1),
    7: (0, 2), 8: (1, 2), 9: (2, 2),
    12: (0, 3), 13: (0, 4),
}  # fmt: skip

WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    101: ([1, 2, 3], {"highway": "residential", "name": "South Street"}),
    102: ([4, 5, 6], {"highway": "residential", "oneway": "yes", "maxspeed": "25 mph"}),
    103: ([7, 8, 9], {"highway": "residential", "maxspeed": "50"}),
    104: ([1, 4, 7], {"highway": "tertiary", "maxspeed": "30;50"}),
    105: ([3, 6, 9], {"highway": "residential"}),
    106: ([2, 5], {"highway": "footway"}),
    107: ([5, 8], {"highway": "steps"}),
    108: ([6, 10], {"highway": "residential", "oneway": "yes"}),
    110: ([7, 12, 99, 13], {"highway": "footway"}),
    120: ([1, 3], {"building": "yes"}),
}


def lonlat(node: int) -> tuple[float, float]:
    col, row = GRID[node]
    return round(LON0 + col * DLON, 7), round(LAT0 + row * DLAT, 7)


def haversine_m(a: int, b: int) -> float:
    """Great-circle distance between two grid nodes (independent of osmnx)."""
    (lon1, lat1), (lon2, lat2) = lonlat(a), lonlat(b)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def route_s(nodes: list[int], speed_kmh: float | list[float]) -> float:
    """Travel time along consecutive grid nodes at one speed per leg (or one for all)."""
    legs = list(itertools.pairwise(nodes))
    kmh = speed_kmh if isinstance(speed_kmh, list) else [speed_kmh] * len(legs)
    return sum(haversine_m(a, b) / (v / 3.6) for (a, b), v in zip(legs, kmh, strict=True))


def osm_xml(ways: dict[int, tuple[list[int], dict[str, str]]] | None = None) -> str:
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6' generator='test'>"]
    for node in sorted(GRID):
        lon, lat = lonlat(node)
        lines.append(f"  <node id='{node}' version='1' lat='{lat:.7f}' lon='{lon:.7f}'/>")
    for way_id, (refs, tags) in (WAYS if ways is None else ways).items():
        lines.append(f"  <way id='{way_id}' version='1'>")
        lines += [f"    <nd ref='{ref}'/>" for ref in refs]
        lines += [f"    <tag k='{k}' v='{v}'/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_grid(
    directory: Path,
    name: str = "grid.osm",
    ways: dict[int, tuple[list[int], dict[str, str]]] | None = None,
) -> Path:
    path = directory / name
    path.write_text(osm_xml(ways), encoding="utf-8")
    return path
