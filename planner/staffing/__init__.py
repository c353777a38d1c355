"""Staffing proposals: how many people, on which shift, and what is lost with fewer.

Three answers side by side (:mod:`.proposal`): the **norms** from resident population
(:mod:`.norms`), the **workload** found with the routing planner as coverage curves
(:mod:`.workload`), and the **shifts**: staggered start times matched to the hourly risk
(:mod:`.shifts`) with a weekly **roster** of named people (:mod:`.roster`).
:func:`propose_staffing` (:mod:`.run`) makes all of it for an analysed district.
"""

from planner.staffing.norms import AreaNorm, NormPolicy, NormRates, NormTable, norms_from_areas
from planner.staffing.proposal import (
    DISTRICT,
    TEAM,
    StaffingProposal,
    StaffingRow,
    build_proposal,
    choose_curves,
    team_size,
)
from planner.staffing.roster import (
    Person,
    PersonTotals,
    Roster,
    RosterEntry,
    RosterInfeasibleError,
    RosterRules,
    RosterShift,
    build_roster,
    people_needed,
    shifts_for_roster,
)
from planner.staffing.run import (
    FLEETS,
    StaffingResult,
    StaffingRunOptions,
    norm_areas,
    propose_staffing,
    workload_curves,
)
from planner.staffing.shifts import (
    ShiftBlock,
    ShiftOptions,
    ShiftPattern,
    StaggeredShifts,
    propose_shifts,
    risk_hour_profile,
)
from planner.staffing.workload import (
    DEFAULT_CREW,
    CoverageCurve,
    CurvePoint,
    FleetLadder,
    WorkloadOptions,
    area_of_tasks,
    coverage_curve,
    ladder_units,
    restrict_to_area,
)

__all__ = [
    "DEFAULT_CREW",
    "DISTRICT",
    "FLEETS",
    "TEAM",
    "AreaNorm",
    "CoverageCurve",
    "CurvePoint",
    "FleetLadder",
    "NormPolicy",
    "NormRates",
    "NormTable",
    "Person",
    "PersonTotals",
    "Roster",
    "RosterEntry",
    "RosterInfeasibleError",
    "RosterRules",
    "RosterShift",
    "ShiftBlock",
    "ShiftOptions",
    "ShiftPattern",
    "StaffingProposal",
    "StaffingResult",
    "StaffingRow",
    "StaffingRunOptions",
    "StaggeredShifts",
    "WorkloadOptions",
    "area_of_tasks",
    "build_proposal",
    "build_roster",
    "choose_curves",
    "coverage_curve",
    "ladder_units",
    "norm_areas",
    "norms_from_areas",
    "people_needed",
    "propose_shifts",
    "propose_staffing",
    "restrict_to_area",
    "risk_hour_profile",
    "shifts_for_roster",
    "team_size",
    "workload_curves",
]
