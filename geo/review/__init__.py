"""Reviews of what happened in a district: the monthly evaluation (每月考评) of areas.

:mod:`geo.review.monthly` counts key cases per area by month against the same month last year
(同比) and the previous month (环比), ranks areas by their rise, gives the bulletin flags and
the reward tiers, and rolls months up into quarters and years.
"""

from __future__ import annotations

from geo.review.monthly import (
    DEFAULT_REWARD_TIERS,
    MonthlyEvaluation,
    MonthlyOptions,
    area_month_counts,
    assign_to_areas,
    evaluate_month,
)

__all__ = [
    "DEFAULT_REWARD_TIERS",
    "MonthlyEvaluation",
    "MonthlyOptions",
    "area_month_counts",
    "assign_to_areas",
    "evaluate_month",
]
