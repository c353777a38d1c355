"""Reading and checking geographic input: incidents, areas, boundaries, stations, duties.

Each reader collects every problem in a file and raises one :class:`geo.errors.GeoInputError`;
:func:`check_same_crs` and :func:`check_coverage` check layers against each other.
"""

from geo.io.areas import check_coverage, read_areas, read_boundary
from geo.io.common import check_same_crs
from geo.io.duties import read_duties
from geo.io.incidents import IncidentColumns, read_incidents
from geo.io.stations import read_stations

__all__ = [
    "IncidentColumns",
    "check_coverage",
    "check_same_crs",
    "read_areas",
    "read_boundary",
    "read_duties",
    "read_incidents",
    "read_stations",
]
