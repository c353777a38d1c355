"""The staffing proposal: norms, workload and current staff side by side, per area and shift.

Rows per area and shift give the people on duty the workload curve asks for, the people on
duty now and the shortage or surplus; one "team" row per area turns that into a team size
(people on duty per shift × 7 days ÷ shifts per person per week), sets it beside the norm
headcount and takes the larger as required: norms are a floor, workload decides the rest.

Shift rows count people on duty at the same time, team rows count people on the team over the
week: the two are never added together (:attr:`StaffingRow.headcount_per`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.staffing.norms import NormTable
from planner.staffing.roster import Roster
from planner.staffing.shifts import StaggeredShifts
from planner.staffing.workload import CoverageCurve

#: The scope of rows and curves about the whole district.
DISTRICT = "all"
#: The ``shift`` label of an area's team row.
TEAM = "team (week)"


@dataclass(frozen=True)
class StaffingRow:
    """One line of the staffing table.

    Attributes
    ----------
    area_id, area_name
        The area (``"all"``: the whole district).
    shift
        A shift band, or :data:`TEAM` for the area's team row.
    population
        Residents (team rows; ``None`` when unknown or on shift rows).
    norm_fulltime, norm_volunteers, norm_monthly_pay
        Norm headcount and pay (team rows only; ``None`` without population).
    workload_units
        Units by mode of the workload minimum (``"car 2, foot 1"``), shift rows only.
    workload_people
        People on duty (shift rows) or team size (team rows) the workload asks for; ``None``
        when not computed or the target was not reached.
    required
        Team rows: the larger of norm and workload; shift rows: ``workload_people``.
    current
        People on duty now (shift rows) or the current team (team rows), if given.
    basis
        Which fleet curve the workload came from, or why it is missing.

    The people missing and the people more than needed are :attr:`shortage` and
    :attr:`surplus`, both counted up from zero.
    """

    area_id: str
    area_name: str
    shift: str
    population: float | None
    norm_fulltime: int | None
    norm_volunteers: int | None
    norm_monthly_pay: float | None
    workload_units: str
    workload_people: int | None
    required: int | None
    current: int | None
    basis: str

    @property
    def is_team(self) -> bool:
        """Whether this is an area's team row (people per week), not a shift row."""
        return self.shift == TEAM

    @property
    def headcount_per(self) -> str:
        """What the row's people are counted per: ``"shift"`` (on duty at the same time) or
        ``"week"`` (on the team)."""
        return "week" if self.is_team else "shift"

    @property
    def shortage(self) -> int | None:
        """People missing (``required - current``, 0 when there are enough); ``None`` unless
        both are known."""
        if self.required is None or self.current is None:
            return None
        return max(self.required - self.current, 0)

    @property
    def surplus(self) -> int | None:
        """People more than required (``current - required``, 0 when there are not more);
        ``None`` unless both are known."""
        if self.required is None or self.current is None:
            return None
        return max(self.current - self.required, 0)

    @property
    def is_empty(self) -> bool:
        """Whether the row carries no number at all (no population, norm, workload, current)."""
        return all(
            v is None
            for v in (
                self.population,
                self.norm_fulltime,
                self.workload_people,
                self.required,
                self.current,
            )
        )


@dataclass(frozen=True)
class StaffingProposal:
    """The three answers to "how many people, on which shift" and the table beside them.

    Attributes
    ----------
    rows
        The staffing table.
    norms
        Norm headcount per area.
    curves
        Coverage curves (per fleet, shift and scope).
    chosen
        ``{(scope, shift): fleet}`` whose minimum the table uses.
    shifts
        Staggered-shift proposal for the district's daily headcount (``None``: not made).
    roster
        Weekly roster (``None``: not made).
    shifts_per_person_week
        Shifts one person works per week, for team sizes.
    notes
        Everything a reader must know (missing population, unreached targets, ...).
    left_out
        Names of the areas with no row: no population data, no workload, no current staff.
    """

    rows: tuple[StaffingRow, ...]
    norms: NormTable
    curves: tuple[CoverageCurve, ...]
    chosen: Mapping[tuple[str, str], str]
    shifts: StaggeredShifts | None
    roster: Roster | None
    shifts_per_person_week: int
    notes: tuple[str, ...]
    left_out: tuple[str, ...] = ()

    def daily_headcount(self, scope: str = DISTRICT) -> int | None:
        """People on duty per day in ``scope`` by the workload (``None`` if any shift lacks it)."""
        values = [r.workload_people for r in self.rows if r.area_id == scope and r.shift != TEAM]
        if not values or any(v is None for v in values):
            return None
        return int(sum(v for v in values if v is not None))


def choose_curves(curves: Sequence[CoverageCurve]) -> dict[tuple[str, str], CoverageCurve]:
    """Per (scope, shift) the curve whose minimum needs the fewest people (ties: fewest units,
    then fleet name); curves that never reach the target are used only when none does."""
    best: dict[tuple[str, str], CoverageCurve] = {}
    for c in curves:
        key = (c.scope, c.shift)
        cur = best.get(key)
        if cur is None or _rank(c) < _rank(cur):
            best[key] = c
    return best


def _rank(c: CoverageCurve) -> tuple[int, float, float, str]:
    if c.minimum_people is None:
        return (1, math.inf, math.inf, c.fleet)
    return (0, float(c.minimum_people), float(c.minimum_units or 0), c.fleet)


def team_size(people_per_day: int, shifts_per_person_week: int) -> int:
    """People needed to put ``people_per_day`` on duty every day, each working
    ``shifts_per_person_week`` shifts a week (rounded up)."""
    if shifts_per_person_week < 1:
        raise ValueError(f"shifts_per_person_week: expected >= 1, got {shifts_per_person_week}")
    return -(-people_per_day * 7 // shifts_per_person_week)


def build_proposal(
    norms: NormTable,
    curves: Sequence[CoverageCurve],
    shift_names: Sequence[str],
    *,
    current: Mapping[tuple[str, str], int] | None = None,
    shifts: StaggeredShifts | None = None,
    roster: Roster | None = None,
    shifts_per_person_week: int = 5,
    notes: Sequence[str] = (),
) -> StaffingProposal:
    """Put norms, workload and current staff side by side.

    Parameters
    ----------
    norms
        Norm headcount per area.
    curves
        Coverage curves; scope ``"all"`` for the district, an area id for an area.
    shift_names
        The shift bands, in order.
    current
        ``{(area_id, shift): people}``; ``shift`` may be :data:`TEAM` for the team size.
    shifts, roster
        The staggered-shift proposal and roster, carried along.
    shifts_per_person_week
        Shifts per person per week (5), turning people on duty into a team size.
    notes
        Notes from earlier stages.

    Returns
    -------
    StaffingProposal
    """
    cur = dict(current or {})
    chosen = choose_curves(curves)
    by_area = norms.by_id()
    scopes: list[str] = [DISTRICT]
    scopes += [a.area_id for a in norms.areas]
    scopes += sorted({c.scope for c in curves} - set(scopes))
    rows: list[StaffingRow] = []
    left_out: list[str] = []
    out_notes = list(notes) + list(norms.notes)
    for scope in scopes:
        norm = by_area.get(scope)
        name = "District" if scope == DISTRICT else (norm.name if norm else scope)
        per_shift: list[int | None] = []
        has_curves = any((scope, s) in chosen for s in shift_names)
        for shift in shift_names:
            curve = chosen.get((scope, shift))
            units, people, basis = "", None, "workload not computed for this scope"
            if curve is not None:
                if curve.minimum_people is None:
                    basis = (
                        f"{curve.fleet}: target {curve.target_share:.0%} not reached with up to "
                        f"{len(curve.points)} units"
                    )
                else:
                    people = curve.minimum_people
                    by_mode = curve.minimum_by_mode or {}
                    units = ", ".join(f"{m} {n}" for m, n in by_mode.items())
                    basis = f"{curve.fleet} curve, target {curve.target_share:.0%}"
            per_shift.append(people)
            now = cur.get((scope, shift))
            if curve is not None or now is not None:
                rows.append(
                    StaffingRow(
                        area_id=scope,
                        area_name=name,
                        shift=shift,
                        population=None,
                        norm_fulltime=None,
                        norm_volunteers=None,
                        norm_monthly_pay=None,
                        workload_units=units,
                        workload_people=people,
                        required=people,
                        current=now,
                        basis=basis,
                    )
                )
        if scope == DISTRICT:
            population = norms.population
            n_full, n_vol, pay = norms.fulltime, norms.volunteers, norms.monthly_pay
        elif norm is not None:
            population, n_full, n_vol, pay = (
                norm.population,
                norm.fulltime,
                norm.volunteers,
                norm.monthly_pay,
            )
        else:
            population = n_full = n_vol = pay = None
        team_work = (
            team_size(int(sum(p for p in per_shift if p is not None)), shifts_per_person_week)
            if has_curves and all(p is not None for p in per_shift)
            else None
        )
        required_values = [v for v in (n_full, team_work) if v is not None]
        required = max(required_values) if required_values else None
        now_team = cur.get((scope, TEAM))
        basis_parts = []
        if n_full is None:
            basis_parts.append("no population data: no norm")
        elif scope == DISTRICT and norms.missing:
            basis_parts.append(
                f"norm of the {len(norms.with_population)} of {len(norms.areas)} areas with "
                "population data"
            )
        if team_work is None:
            basis_parts.append("no workload" if not has_curves else "workload incomplete")
        else:
            basis_parts.append(
                f"workload team = people on duty per day x 7 / {shifts_per_person_week}"
            )
        team = StaffingRow(
            area_id=scope,
            area_name=name,
            shift=TEAM,
            population=population,
            norm_fulltime=n_full,
            norm_volunteers=n_vol,
            norm_monthly_pay=pay,
            workload_units="",
            workload_people=team_work,
            required=required,
            current=now_team,
            basis="; ".join(basis_parts),
        )
        if team.is_empty:
            # No population, workload nor current staff: a row of blanks tells nobody anything.
            if scope != DISTRICT:
                left_out.append(scope)
        else:
            rows.append(team)
    if left_out:
        shown = ", ".join(left_out[:10]) + (" ..." if len(left_out) > 10 else "")
        out_notes.append(
            f"{len(left_out)} area(s) with no population data, no workload and no current staff "
            f"are left out of the table: {shown}."
        )
    if DISTRICT in {c.scope for c in curves} and len({c.scope for c in curves}) == 1:
        out_notes.append(
            "Workload is computed for the whole district (per-area curves were not asked for); "
            "area rows show norms only."
        )
    for c in curves:
        out_notes.extend(n for n in c.notes if n not in out_notes)
    if shifts is not None:
        out_notes.extend(shifts.notes)
    if roster is not None:
        out_notes.extend(roster.notes)
    return StaffingProposal(
        tuple(rows),
        norms,
        tuple(curves),
        {k: c.fleet for k, c in chosen.items()},
        shifts,
        roster,
        shifts_per_person_week,
        tuple(dict.fromkeys(out_notes)),
        left_out=tuple(by_area[a].name if a in by_area else a for a in left_out),
    )
