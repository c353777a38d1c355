"""Column names of the spatial tables passed between stages, defined once.

Grid cells, incidents, areas and stations are GeoDataFrames in the working (metric) CRS with
these columns. Stages refer to the constants, never to string literals.
"""

from __future__ import annotations

GEOMETRY = "geometry"

# Grid cells (``Grid``)
CELL_ID = "cell_id"
CELL_NAME = "name"
POPULATION = "population"  # residents (实有人口); NaN where unknown
AREA_ID = "area_id"  # the official area (community / district) a cell belongs to, if any

# Incidents (``Incidents``)
INCIDENT_ID = "incident_id"
OCCURRED_AT = "occurred_at"  # tz-aware timestamp; midnight local where only the date is known
TIME_KNOWN = "time_known"  # False where the source gave a date without a time of day
CATEGORY = "category"
WEIGHT = "weight"
SOURCE_ROW = "source_row"  # 1-based data row (or feature) in the file it came from
# optional: how the incident became known, "call" (call for service) or "patrol" (found by
# a patrol); patrol-found incidents follow where patrols went (see geo.hotspots.sources)
REPORTED_BY = "reported_by"

# Official areas (jurisdiction polygons, police districts, communities)
AREA_NAME = "name"

# Stations (patrol bases)
STATION_ID = "station_id"
STATION_NAME = "name"
ILLUSTRATIVE = "illustrative"  # True where the station is placed for the sample, not real

INCIDENT_COLUMNS = (INCIDENT_ID, OCCURRED_AT, TIME_KNOWN, CATEGORY, WEIGHT, SOURCE_ROW, GEOMETRY)
GRID_COLUMNS = (CELL_ID, CELL_NAME, POPULATION, AREA_ID, GEOMETRY)
STATION_COLUMNS = (STATION_ID, STATION_NAME, ILLUSTRATIVE, GEOMETRY)
