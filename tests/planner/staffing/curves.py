"""Coverage curves, norm tables and a staffing result written by hand, for tests of the
proposal and its outputs (no planner run)."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

import pandas as pd

from planner.staffing import (
    DISTRICT,
    TEAM,
    CoverageCurve,
    CurvePoint,
    NormTable,
    StaffingResult,
    build_proposal,
    norms_from_areas,
)


def curve(
    shift: str,
    shares: Sequence[float],
    *,
    fleet: str = "foot",
    scope: str = DISTRICT,
    crew: int = 1,
    target: float = 0.8,
) -> CoverageCurve:
    """A curve of ``len(shares)`` fleet sizes of one-mode units with ``crew`` people each."""
    points = []
    previous = 0.0
    for k, share in enumerate(shares, start=1):
        points.append(
            CurvePoint(
                units=k,
                people=k * crew,
                units_by_mode=MappingProxyType({fleet: k}),
                feasible=True,
                risk_share=share,
                presence_min=12.0 * k,
                raw_risk_share=share,
                marginal_share=share - previous,
                marginal_presence_min=12.0,
                carried=False,
                reason="",
                seconds=0.01,
            )
        )
        previous = share
    reached = next((p for p in points if p.risk_share >= target), None)
    return CoverageCurve(
        fleet=fleet,
        shift=shift,
        scope=scope,
        target_share=target,
        points=tuple(points),
        minimum_units=None if reached is None else reached.units,
        minimum_people=None if reached is None else reached.people,
        notes=(),
    )


def norms(populations: dict[str, float | None]) -> NormTable:
    """Norms of areas ``{area_id: population}`` named ``Area <id>``."""
    return norms_from_areas(
        pd.DataFrame(
            {
                "area_id": list(populations),
                "name": [f"Area {a}" for a in populations],
                "population": [float("nan") if p is None else p for p in populations.values()],
            }
        )
    )


def hand_result(populations: dict[str, float | None] | None = None) -> StaffingResult:
    """District needing 1 on duty 08-16 and 3 on duty 16-24 (4 now and 1 now), a team of 5
    now; areas a (12,000 residents), b (no population data), c (2,000 residents)."""
    proposal = build_proposal(
        norms(populations or {"a": 12_000, "b": None, "c": 2000}),
        [curve("08-16", [0.9]), curve("16-24", [0.3, 0.6, 0.85])],
        ["08-16", "16-24"],
        current={(DISTRICT, "08-16"): 4, (DISTRICT, "16-24"): 1, (DISTRICT, TEAM): 5},
    )
    return StaffingResult(
        proposal=proposal,
        district="Hand district",
        roster_error=None,
        notes=proposal.notes,
        seconds={"total": 0.0},
    )
