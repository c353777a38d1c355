"""The JSON summary of a staffing run: norms, the district's rows, curves, shifts, roster, notes.

Plain JSON values only (numbers, text, lists, ``None``; dates as ISO text), and no file paths:
the command line adds the paths of what it wrote, the service stores the files instead.
"""

from __future__ import annotations

import math
from typing import Any

from planner.staffing import DISTRICT, StaffingResult


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def staffing_summary(result: StaffingResult) -> dict[str, Any]:
    """The JSON-ready summary of a staffing run.

    ``district_rows`` are the district's shift rows (people on duty at the same time,
    ``headcount_per`` ``"shift"``) and its team row (people on the team, ``"week"``), with
    ``shortage`` and ``surplus`` counted up from zero. Norm totals are ``None`` when no area
    has population data.
    """
    proposal = result.proposal
    district_rows = [
        {
            "shift": r.shift,
            "headcount_per": r.headcount_per,
            "population": r.population,
            "norm_fulltime": r.norm_fulltime,
            "workload_units": r.workload_units,
            "workload_people": r.workload_people,
            "required": r.required,
            "current": r.current,
            "shortage": r.shortage,
            "surplus": r.surplus,
            "basis": r.basis,
        }
        for r in proposal.rows
        if r.area_id == DISTRICT
    ]
    curves = [
        {
            "scope": c.scope,
            "shift": c.shift,
            "fleet": c.fleet,
            "minimum_units": c.minimum_units,
            "minimum_people": c.minimum_people,
            "risk_share": [round(p.risk_share, 3) for p in c.points],
            "feasible": [p.feasible for p in c.points],
            "seconds": round(c.seconds, 2),
        }
        for c in proposal.curves
        if c.scope == DISTRICT
    ]
    sh = proposal.shifts
    shifts = None
    if sh is not None:
        shifts = {
            "headcount": sh.headcount,
            "has_hourly_profile": sh.has_profile,
            "fixed": [f"{b.name} x{b.people}" for b in sh.fixed.blocks],
            "proposed": [f"{b.name} x{b.people}" for b in sh.proposed.blocks],
            "fixed_score": _round(sh.fixed.score, 4),
            "proposed_score": _round(sh.proposed.score, 4),
            "improvement_share": _round(sh.improvement_share, 4),
            "status": sh.status,
        }
    roster = None
    if proposal.roster is not None:
        r = proposal.roster
        roster = {
            "people": len(r.totals),
            "assignments": len(r.entries),
            "start_date": None if r.start_date is None else r.start_date.isoformat(),
            "night_spread": r.night_spread,
            "weekend_spread": r.weekend_spread,
            "status": r.status,
        }
    norms = proposal.norms
    return {
        "district": result.district,
        "norms": {
            "areas": len(norms.areas),
            "areas_without_population": len(norms.missing),
            "population": norms.population,
            "fulltime": norms.fulltime,
            "volunteers": norms.volunteers,
            "monthly_pay": norms.monthly_pay,
            "areas_left_out": list(proposal.left_out),
        },
        "people_on_duty_per_day": proposal.daily_headcount(),
        "district_rows": district_rows,
        "curves": curves,
        "shifts": shifts,
        "roster": roster,
        "roster_error": result.roster_error,
        "notes": list(result.notes),
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
    }
