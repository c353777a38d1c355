"""Column names of the hotspot tables (risk, trends, hotspot table), defined once.

Input columns (cells and incidents) come from :mod:`geo.schema`; these are the columns the
hotspot stages add.
"""

from __future__ import annotations

BAND = "band"
SCORE = "score"
RANK = "rank"
GI_Z = "gi_z"
GI_P = "gi_p"
SIGNIFICANCE = "significance"
COUNT = "count"  # unweighted incidents behind a score

# Hotspot table
PEAK_HOURS = "peak_hours"
REP_X = "rep_x"
REP_Y = "rep_y"
SNAPPED = "snapped"
PATROL_SHARE = "patrol_share"  # share of the cell's incidents found by patrol
COUNT_PREFIX = "n_"  # one column per canonical category: ``n_robbery``, ``n_burglary``, ...

# Trends
KEY = "key"  # the cell id or the area id the trend row is about
THIS_MONTH = "this_month"
LAST_MONTH = "last_month"
SAME_MONTH_LAST_YEAR = "same_month_last_year"
MOM_CHANGE = "mom_change"  # 环比: this month - last month
MOM_PCT = "mom_pct"
YOY_CHANGE = "yoy_change"  # 同比: this month - the same month a year before
YOY_PCT = "yoy_pct"

RISK_COLUMNS = (BAND, SCORE, RANK, GI_Z, GI_P, SIGNIFICANCE, COUNT)
