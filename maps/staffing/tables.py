"""A staffing proposal as tables: the staffing table, coverage curves, hours, roster, page input.

Every output (CSV, XLSX, the PDF page, the service's JSON table) is built from these frames, so
they all show the same numbers under the same headings. People missing and people more than
needed are two columns, ``shortage`` and ``surplus``, both counted up from zero; unknown
values are empty (``<NA>``), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from maps.staffing.page import SHIFT_COLUMNS, TEAM_COLUMNS, StaffingInput
from planner.staffing import (
    DISTRICT,
    CoverageCurve,
    Roster,
    StaffingProposal,
    StaffingResult,
    StaggeredShifts,
)
from planner.staffing.roster import DAY_NAMES

#: Columns of the staffing table, in order.
STAFFING_COLUMNS = (
    "area_id",
    "area",
    "shift",
    "headcount_per",
    "population",
    "norm_fulltime",
    "norm_volunteers",
    "norm_monthly_pay",
    "workload_units",
    "workload_people",
    "required",
    "current",
    "shortage",
    "surplus",
    "basis",
)
_INTEGER_COLUMNS = (
    "norm_fulltime",
    "norm_volunteers",
    "workload_people",
    "required",
    "current",
    "shortage",
    "surplus",
)


def proposal_table(proposal: StaffingProposal) -> pd.DataFrame:
    """The staffing table of ``proposal``: one row per area × shift, then each area's team row.

    ``headcount_per`` says what a row counts: ``"shift"`` (people on duty at the same time)
    or ``"week"`` (people on the team); rows of the two kinds must not be added together.
    """
    frame = pd.DataFrame(
        [
            {
                "area_id": r.area_id,
                "area": r.area_name,
                "shift": r.shift,
                "headcount_per": r.headcount_per,
                "population": r.population,
                "norm_fulltime": r.norm_fulltime,
                "norm_volunteers": r.norm_volunteers,
                "norm_monthly_pay": r.norm_monthly_pay,
                "workload_units": r.workload_units,
                "workload_people": r.workload_people,
                "required": r.required,
                "current": r.current,
                "shortage": r.shortage,
                "surplus": r.surplus,
                "basis": r.basis,
            }
            for r in proposal.rows
        ],
        columns=list(STAFFING_COLUMNS),
    )
    frame = frame.astype({c: "Int64" for c in _INTEGER_COLUMNS})
    return frame.astype({"population": "Float64", "norm_monthly_pay": "Float64"})


def staffing_table(result: StaffingResult) -> pd.DataFrame:
    """The staffing table of a run (see :func:`proposal_table`)."""
    return proposal_table(result.proposal)


def curves_frame(curves: Sequence[CoverageCurve]) -> pd.DataFrame:
    """Every point of every coverage curve, one row each."""
    rows = []
    for c in curves:
        for p in c.points:
            rows.append(
                {
                    "scope": c.scope,
                    "shift": c.shift,
                    "fleet": c.fleet,
                    "units": p.units,
                    "people": p.people,
                    "units_by_mode": ", ".join(f"{m} {n}" for m, n in p.units_by_mode.items()),
                    "feasible": p.feasible,
                    "risk_share": round(p.risk_share, 4),
                    "marginal_share": round(p.marginal_share, 4),
                    "presence_min": round(p.presence_min, 1),
                    "marginal_presence_min": round(p.marginal_presence_min, 1),
                    "raw_risk_share": None
                    if p.raw_risk_share is None
                    else round(p.raw_risk_share, 4),
                    "carried": p.carried,
                    "is_minimum": c.minimum_units == p.units,
                    "target_share": c.target_share,
                    "seconds": round(p.seconds, 2),
                    "reason": p.reason,
                }
            )
    return pd.DataFrame(rows)


def shifts_frame(shifts: StaggeredShifts) -> pd.DataFrame:
    """Hour by hour: risk weight, need, people on duty with fixed and proposed shifts."""
    return pd.DataFrame(
        {
            "hour": range(24),
            "risk_weight": [round(w, 4) for w in shifts.weights],
            "need": list(shifts.need),
            "fixed_on_duty": list(shifts.fixed.on_duty),
            "proposed_on_duty": list(shifts.proposed.on_duty),
        }
    )


def roster_frame(roster: Roster) -> pd.DataFrame:
    """The roster as a long table (one row per person, day and shift)."""
    return pd.DataFrame(
        [
            {
                "day": e.day,
                "weekday": DAY_NAMES[e.day] if e.date is None else e.date.strftime("%a"),
                "date": "" if e.date is None else e.date.isoformat(),
                "shift": e.shift,
                "start": f"{e.start_h:02d}:00",
                "hours": e.length_h,
                "person_id": e.person_id,
                "name": e.name,
                "night": e.night,
                "weekend": e.weekend,
            }
            for e in roster.entries
        ]
    )


def roster_grid(roster: Roster) -> pd.DataFrame:
    """Person × day grid with the shift worked ("" = off) and the person's totals."""
    labels = [
        DAY_NAMES[d] if roster.start_date is None else _day_label(roster, d) for d in range(7)
    ]
    cells = {(e.person_id, e.day): e.shift for e in roster.entries}
    rows = []
    for t in roster.totals:
        row: dict[str, object] = {"person_id": t.person_id, "name": t.name}
        for d, label in enumerate(labels):
            row[label] = cells.get((t.person_id, d), "")
        row.update({"shifts": t.shifts, "nights": t.nights, "weekend": t.weekend})
        rows.append(row)
    return pd.DataFrame(rows)


def _day_label(roster: Roster, d: int) -> str:
    assert roster.start_date is not None
    day = roster.start_date + pd.Timedelta(days=d).to_pytimedelta()
    return f"{day:%a} {day:%m-%d}"


def notes_frame(notes: Sequence[str]) -> pd.DataFrame:
    """Notes as a one-column sheet."""
    return pd.DataFrame({"note": list(notes)})


def page_curve(proposal: StaffingProposal) -> CoverageCurve | None:
    """The district curve the PDF page draws: the one chosen for the first shift (else the
    first district curve); ``None`` without one."""
    district = [c for c in proposal.curves if c.scope == DISTRICT and c.points]
    if not district:
        return None
    first_shift = district[0].shift
    fleet = proposal.chosen.get((DISTRICT, first_shift), district[0].fleet)
    return next((c for c in district if c.shift == first_shift and c.fleet == fleet), district[0])


def staffing_page_input(result: StaffingResult, title: str = "") -> StaffingInput:
    """The one-page staffing PDF's input: team rows, shift rows and one district curve."""
    table = staffing_table(result)
    renamed = table.rename(
        columns={
            "norm_fulltime": "norm_headcount",
            "workload_people": "workload_headcount",
        }
    ).assign(is_district=table["area_id"] == DISTRICT)
    team = renamed["headcount_per"] == "week"
    teams = renamed.loc[team, [*TEAM_COLUMNS, "is_district"]]
    shifts = renamed.loc[~team, [*SHIFT_COLUMNS, "is_district"]]
    # Where the workload is missing, was a curve computed that never reached the target?
    proposal = result.proposal
    reached = {
        (c.scope, c.shift): c.minimum_people is not None
        for c in proposal.curves
        if proposal.chosen.get((c.scope, c.shift)) == c.fleet
    }
    keys = zip(table.loc[~team, "area_id"], shifts["shift"], strict=True)
    shifts = shifts.assign(
        target_reached=pd.Series([reached.get(k) for k in keys], index=shifts.index, dtype=object)
    )
    curve = page_curve(proposal)
    points = curve.points if curve is not None else ()
    coverage = pd.DataFrame(
        {
            "units": [p.units for p in points],
            # As in the curves table: float sums can land a hair above 1.
            "risk_share": [round(p.risk_share, 4) for p in points],
        }
    )
    return StaffingInput(
        teams=teams.reset_index(drop=True),
        shifts=shifts.reset_index(drop=True),
        coverage=coverage,
        district=title or result.district,
        coverage_fleet=curve.fleet if curve is not None else "",
        coverage_shift=curve.shift if curve is not None else "",
        shifts_per_person_week=result.proposal.shifts_per_person_week,
        left_out=result.proposal.left_out,
    )
