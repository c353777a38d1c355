"""Review reports people read: the plan review (planned against actual) and the monthly
evaluation (每月考评), as JSON, XLSX, PDF and map pictures in English and Chinese."""

from __future__ import annotations

from maps.review.monthly_report import (
    monthly_document,
    read_history,
    write_history,
    write_monthly,
)
from maps.review.plan_report import plan_review_document, write_plan_review

__all__ = [
    "monthly_document",
    "plan_review_document",
    "read_history",
    "write_history",
    "write_monthly",
    "write_plan_review",
]
