"""Hotspots by place and hour: risk per cell and time band, Gi*, trends, forecasts, backtests.

Pure stages on incidents that carry a ``cell_id`` (``geo.assign``) and the grid's cells:

- :func:`compute_risk` -> :class:`RiskTable` (score, rank, Gi* z/p, significance per band)
- :func:`hotspot_table` -> the planner's table (counts by category, peak hours, stop point)
- :func:`trend_table`, :func:`rank_areas_by_rise` -> 环比 / 同比 per cell or area
- :func:`run_backtest` -> :class:`BacktestResult` (hit rate, PAI, PEI* per method, bootstrap
  intervals against the baseline); :func:`backtest_bands` per shift band
"""

from geo.hotspots.backtest import (
    BacktestResult,
    BandBacktests,
    Comparison,
    MethodScores,
    backtest_bands,
    backtest_events,
    resolve_band,
    run_backtest,
    shift_time,
)
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
from geo.hotspots.blend import (
    DEFAULT_METHOD,
    BlendForecaster,
    Choice,
    FeatureSpec,
    ValidatedForecaster,
    blend_features,
    default_methods,
)
from geo.hotspots.choice import RISK_METHODS, MethodChoice, validated_band_risk
from geo.hotspots.forecast import (
    SIMPLE_DEFAULT,
    DecayForecaster,
    ETASForecaster,
    Forecaster,
    History,
    KDEForecaster,
    NaiveForecaster,
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
    "RISK_METHODS",
    "SIMPLE_DEFAULT",
    "UNIFORM",
    "BacktestResult",
    "BandBacktests",
    "BlendForecaster",
    "CategoryWeights",
    "Choice",
    "Comparison",
    "DecayForecaster",
    "ETASForecaster",
    "FeatureSpec",
    "Forecaster",
    "History",
    "KDEForecaster",
    "MethodChoice",
    "MethodScores",
    "NaiveForecaster",
    "RiskTable",
    "Snap",
    "TimeBand",
    "ValidatedForecaster",
    "assign_band",
    "backtest_bands",
    "backtest_events",
    "band",
    "band_membership",
    "bands_from_spec",
    "benjamini_hochberg",
    "blend_features",
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
    "shift_time",
    "significance_classes",
    "trend_table",
    "validated_band_risk",
]
