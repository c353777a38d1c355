"""The review cycle below the plan: planned against actual, and what changed since yesterday.

:mod:`planner.review.compare` matches a plan's stops with the units' GPS tracks and counts
presence the same way for both; :mod:`planner.review.daily` compares two plan documents of the
same shift; :mod:`planner.review.simulate` makes tracks with known truth for tests and demos.
"""

from __future__ import annotations

from planner.review.compare import (
    PlanReview,
    ReviewOptions,
    cell_of_points,
    planned_intervals,
    review_plan,
    track_intervals,
    wall_seconds_of,
)

__all__ = [
    "PlanReview",
    "ReviewOptions",
    "cell_of_points",
    "planned_intervals",
    "review_plan",
    "track_intervals",
    "wall_seconds_of",
]
