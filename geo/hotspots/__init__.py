"""Hotspots by place and hour: risk per cell and time band, Gi*, trends, forecasts, backtests.

Pure stages on incidents that carry a ``cell_id`` (``geo.assign``) and the grid's cells:

- :func:`compute_risk` -> :class:`RiskTable` (score, rank, Gi* z/p, significance per band)
- :func:`hotspot_table` -> the planner's table (counts by category, peak hours, stop point)
- :func:`trend_table`, :func:`rank_areas_by_rise` -> 环比 / 同比 per cell or area
- :func:`run_backtest` -> :class:`BacktestResult` (hit rate, PAI, PEI* per method)
"""

from geo.hotspots.backtest import BacktestResult, MethodScores, resolve_band, run_backtest
from geo.hotspots.bands import (
    DAY_BAND,
    DEFAULT_BANDS,
    TimeBand,
    assign_band,
    band,
    band_membership,
    bands_from_spec,
    hour_of_week_profile,
    hour_profile,
    peak_hours,
)
from geo.hotspots.forecast import (
    DEFAULT_METHOD,
    DecayForecaster,
    ETASForecaster,
    Forecaster,
    History,
    KDEForecaster,
    NaiveForecaster,
    default_methods,
    forecaster_from_name,
)
from geo.hotspots.gistar import benjamini_hochberg, gi_star, significance_classes
from geo.hotspots.metrics import DEFAULT_SHARES, hit_rate, pai, pei, pooled_metrics
from geo.hotspots.risk import DEFAULT_HALF_LIFE_DAYS, RiskTable, compute_risk, decay_weights
from geo.hotspots.table import Snap, hotspot_table
from geo.hotspots.trends import KEY_CATEGORIES, rank_areas_by_rise, trend_table
from geo.hotspots.weights import DEFAULT_WEIGHTS, UNIFORM, CategoryWeights

__all__ = [
    "DAY_BAND",
    "DEFAULT_BANDS",
    "DEFAULT_HALF_LIFE_DAYS",
    "DEFAULT_METHOD",
    "DEFAULT_SHARES",
    "DEFAULT_WEIGHTS",
    "KEY_CATEGORIES",
    "UNIFORM",
    "BacktestResult",
    "CategoryWeights",
    "DecayForecaster",
    "ETASForecaster",
    "Forecaster",
    "History",
    "KDEForecaster",
    "MethodScores",
    "NaiveForecaster",
    "RiskTable",
    "Snap",
    "TimeBand",
    "assign_band",
    "band",
    "band_membership",
    "bands_from_spec",
    "benjamini_hochberg",
    "compute_risk",
    "decay_weights",
    "default_methods",
    "forecaster_from_name",
    "gi_star",
    "hit_rate",
    "hotspot_table",
    "hour_of_week_profile",
    "hour_profile",
    "pai",
    "peak_hours",
    "pei",
    "pooled_metrics",
    "rank_areas_by_rise",
    "resolve_band",
    "run_backtest",
    "significance_classes",
    "trend_table",
]
