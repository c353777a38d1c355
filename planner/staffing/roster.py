"""Weekly roster: named people assigned to the day's shifts for 7 days, with CP-SAT.

Rules (each a named group that can be switched off to explain an infeasible roster):

- ``cover[<shift>]``: each day, exactly the demanded number of people work each shift;
- ``rest``: at least ``min_rest_h`` hours between the end of one shift and the next start;
- ``nights``: at most ``max_consecutive_nights`` night shifts in a row;
- ``days_off[<person>]``: nobody works on their days off;
- ``max_shifts``: at most ``max_shifts_per_week`` shifts per person.

One shift per person and day always holds. The objective spreads night and weekend shifts
fairly: it minimises the gap between the most and the fewest nights, and weekend shifts,
over people (then the spread of total shifts). When the rules cannot all hold, the conflict is
narrowed to a minimal set of rule groups (CP-SAT assumptions give a first core; a deletion
filter then drops every group the conflict does not need) and :class:`RosterInfeasibleError`
names them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ortools.sat.python import cp_model

from planner.errors import PlanningError
from planner.staffing.shifts import ShiftBlock, is_night

DAYS = 7
#: Seconds CP-SAT gets, at least, to find any roster when the fair one took too long.
RESCUE_TIME_LIMIT_S = 30.0
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RosterInfeasibleError(PlanningError):
    """No roster satisfies the rules; ``conflict`` names the rule groups that clash.

    Parameters
    ----------
    conflict
        Names of a minimal set of rule groups that cannot hold together.
    descriptions
        One sentence per group in ``conflict``.
    """

    def __init__(self, conflict: Sequence[str], descriptions: Sequence[str]) -> None:
        self.conflict: tuple[str, ...] = tuple(conflict)
        text = "; ".join(descriptions)
        super().__init__(
            f"no roster satisfies the rules; these rules conflict (relaxing any one of them "
            f"removes this conflict): {', '.join(self.conflict)} -- {text}"
        )


@dataclass(frozen=True)
class Person:
    """Someone to roster.

    Attributes
    ----------
    person_id, name
        Id and display name.
    days_off
        Day indices 0 (first roster day) .. 6 the person does not work.
    """

    person_id: str
    name: str
    days_off: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        bad = sorted(d for d in self.days_off if not 0 <= d < DAYS)
        if bad:
            raise ValueError(f"person {self.person_id!r}: days_off must be in 0..6, got {bad}")


@dataclass(frozen=True)
class RosterShift:
    """A shift of the day and how many people it needs.

    Attributes
    ----------
    block
        Start and length (``people`` there is ignored).
    demand
        People needed on each of the 7 days.
    """

    block: ShiftBlock
    demand: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.demand) != DAYS or any(d < 0 for d in self.demand):
            raise ValueError(
                f"shift {self.block.name}: demand must be 7 numbers >= 0, got {self.demand!r}"
            )

    @property
    def name(self) -> str:
        return self.block.name

    @classmethod
    def every_day(cls, block: ShiftBlock, people: int | None = None) -> RosterShift:
        """The same demand each day (``block.people`` by default)."""
        n = block.people if people is None else people
        return cls(block, (n,) * DAYS)


@dataclass(frozen=True)
class RosterRules:
    """The rules of a weekly roster.

    Attributes
    ----------
    min_rest_h
        Hours of rest between two shifts (11).
    max_consecutive_nights
        Night shifts in a row at most (3).
    max_shifts_per_week
        Shifts per person per week at most (5).
    night_hours
        Clock hours that make a shift a night shift (00-06).
    weekend_days
        Day indices counting as weekend (5, 6 when the roster starts on a Monday).
    cyclic
        The week repeats: rest and consecutive nights also run from day 6 into day 0.
    time_limit_s
        CP-SAT budget per solve.
    seed
        CP-SAT random seed.
    """

    min_rest_h: float = 11.0
    max_consecutive_nights: int = 3
    max_shifts_per_week: int = 5
    night_hours: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    weekend_days: tuple[int, ...] = (5, 6)
    cyclic: bool = False
    time_limit_s: float = 5.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.min_rest_h < 0:
            raise ValueError(f"min_rest_h: expected hours >= 0, got {self.min_rest_h}")
        if self.max_consecutive_nights < 0:
            raise ValueError(
                f"max_consecutive_nights: expected >= 0, got {self.max_consecutive_nights}"
            )
        if not 0 <= self.max_shifts_per_week <= DAYS:
            raise ValueError(f"max_shifts_per_week: expected 0..7, got {self.max_shifts_per_week}")
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s: expected seconds > 0, got {self.time_limit_s}")


@dataclass(frozen=True)
class RosterEntry:
    """One person working one shift on one day."""

    person_id: str
    name: str
    day: int
    date: date | None
    shift: str
    start_h: int
    length_h: int
    night: bool
    weekend: bool


@dataclass(frozen=True)
class PersonTotals:
    """Per person: shifts, nights and weekend shifts in the week."""

    person_id: str
    name: str
    shifts: int
    nights: int
    weekend: int


@dataclass(frozen=True)
class Roster:
    """A weekly roster that satisfies every rule.

    Attributes
    ----------
    entries
        Who works which shift on which day, ordered by day, shift start, person.
    totals
        Per-person totals.
    start_date
        Date of day 0 (``None``: days are only numbered).
    status
        CP-SAT status (``OPTIMAL`` or ``FEASIBLE``).
    notes
        Rules applied and the spread achieved.
    """

    entries: tuple[RosterEntry, ...]
    totals: tuple[PersonTotals, ...]
    start_date: date | None
    status: str
    notes: tuple[str, ...]

    @property
    def night_spread(self) -> int:
        nights = [t.nights for t in self.totals]
        return max(nights) - min(nights) if nights else 0

    @property
    def weekend_spread(self) -> int:
        values = [t.weekend for t in self.totals]
        return max(values) - min(values) if values else 0


class _Model:
    """The roster CP-SAT model with one enforcement literal per rule group."""

    def __init__(
        self,
        people: Sequence[Person],
        shifts: Sequence[RosterShift],
        rules: RosterRules,
        enabled: set[str] | None,
        with_objective: bool,
    ) -> None:
        self.model = cp_model.CpModel()
        self.groups: dict[str, cp_model.IntVar] = {}
        self.descriptions: dict[str, str] = {}
        m = self.model
        pp, ss = range(len(people)), range(len(shifts))
        days = range(DAYS)
        self.a = {(p, d, s): m.new_bool_var(f"a_{p}_{d}_{s}") for p in pp for d in days for s in ss}
        a = self.a
        nights = [is_night(sh.block, rules.night_hours) for sh in shifts]

        def group(name: str, text: str) -> cp_model.IntVar | None:
            if enabled is not None and name not in enabled:
                return None
            lit = m.new_bool_var(f"g_{name}")
            self.groups[name] = lit
            self.descriptions[name] = text
            return lit

        for p in pp:
            for d in days:
                m.add(sum(a[p, d, s] for s in ss) <= 1)
        for s, sh in enumerate(shifts):
            lit = group(
                f"cover[{sh.name}]",
                f"cover[{sh.name}]: {_demand_text(sh.demand)} on shift {sh.name} each day",
            )
            if lit is not None:
                for d in days:
                    m.add(sum(a[p, d, s] for p in pp) == sh.demand[d]).only_enforce_if(lit)
        lit = group("rest", f"rest: at least {rules.min_rest_h:g} h between shifts")
        if lit is not None:
            pairs = _rest_conflicts(shifts, rules.min_rest_h)
            last = DAYS if rules.cyclic else DAYS - 1
            for p in pp:
                for d in range(last):
                    e = (d + 1) % DAYS
                    for s1, s2 in pairs:
                        m.add_bool_or([a[p, d, s1].Not(), a[p, e, s2].Not()]).only_enforce_if(lit)
        k = rules.max_consecutive_nights
        lit = group("nights", f"nights: at most {k} night shift(s) in a row")
        night_shifts = [s for s in ss if nights[s]]
        if lit is not None and night_shifts:
            starts = range(DAYS) if rules.cyclic else range(DAYS - k)
            for p in pp:
                for d0 in starts:
                    window = [(d0 + i) % DAYS for i in range(k + 1)]
                    m.add(
                        sum(a[p, d, s] for d in window for s in night_shifts) <= k
                    ).only_enforce_if(lit)
        for p, person in enumerate(people):
            if not person.days_off:
                continue
            off = ", ".join(
                DAY_NAMES[d] if d < len(DAY_NAMES) else str(d) for d in sorted(person.days_off)
            )
            lit = group(
                f"days_off[{person.person_id}]",
                f"days_off[{person.person_id}]: {person.name} is off on day(s) {off}",
            )
            if lit is not None:
                for d in person.days_off:
                    for s in ss:
                        m.add(a[p, d, s] == 0).only_enforce_if(lit)
        lit = group(
            "max_shifts",
            f"max_shifts: at most {rules.max_shifts_per_week} shifts per person per week",
        )
        if lit is not None:
            for p in pp:
                m.add(
                    sum(a[p, d, s] for d in days for s in ss) <= rules.max_shifts_per_week
                ).only_enforce_if(lit)
        self.night_count = [
            sum(a[p, d, s] for d in days for s in night_shifts) if night_shifts else 0 for p in pp
        ]
        self.weekend_count = [sum(a[p, d, s] for d in rules.weekend_days for s in ss) for p in pp]
        self.total = [sum(a[p, d, s] for d in days for s in ss) for p in pp]
        if with_objective and len(people) > 1:
            terms = []
            for name, values in (
                ("night", self.night_count),
                ("weekend", self.weekend_count),
                ("total", self.total),
            ):
                hi = m.new_int_var(0, DAYS, f"max_{name}")
                lo = m.new_int_var(0, DAYS, f"min_{name}")
                for v in values:
                    m.add(hi >= v)
                    m.add(lo <= v)
                terms.append(hi - lo)
            # Nights weigh most, then weekends, then total shifts.
            m.minimize(100 * terms[0] + 10 * terms[1] + terms[2])
        m.add_assumptions(list(self.groups.values()))

    def solve(self, rules: RosterRules) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = rules.time_limit_s
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = rules.seed
        return solver, solver.solve(self.model)


def _demand_text(demand: Sequence[int]) -> str:
    if len(set(demand)) == 1:
        return f"{demand[0]} people"
    return "people " + "/".join(str(d) for d in demand)


def _rest_conflicts(shifts: Sequence[RosterShift], min_rest_h: float) -> list[tuple[int, int]]:
    """Pairs (shift on day d, shift on day d+1) with less than ``min_rest_h`` between them."""
    out = []
    for s1, a in enumerate(shifts):
        end = a.block.start_h + a.block.length_h
        for s2, b in enumerate(shifts):
            if 24 + b.block.start_h - end < min_rest_h:
                out.append((s1, s2))
    return out


def _explain(people: Sequence[Person], shifts: Sequence[RosterShift], rules: RosterRules) -> None:
    """Raise :class:`RosterInfeasibleError` naming a minimal set of conflicting rule groups."""
    full = _Model(people, shifts, rules, None, with_objective=False)
    solver, status = full.solve(rules)
    if status == cp_model.INFEASIBLE:
        names = {v.index: n for n, v in full.groups.items()}
        core = [names[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in names]
        core = core or list(full.groups)
    else:
        core = list(full.groups)
    # Deletion filter: drop each group whose removal keeps the rest infeasible.
    for name in list(core):
        trial = set(core) - {name}
        model = _Model(people, shifts, rules, trial, with_objective=False)
        _, st = model.solve(rules)
        if st == cp_model.INFEASIBLE:
            core = [c for c in core if c != name]
    descriptions = [full.descriptions[c] for c in core]
    raise RosterInfeasibleError(core, descriptions)


def build_roster(
    people: Sequence[Person],
    shifts: Sequence[RosterShift],
    rules: RosterRules | None = None,
    *,
    start_date: date | None = None,
) -> Roster:
    """Assign ``people`` to ``shifts`` for 7 days under ``rules``, spreading nights fairly.

    Parameters
    ----------
    people
        Who can be rostered (unique ids).
    shifts
        The day's shifts and people needed per day.
    rules
        Rest, consecutive nights, shifts per week, weekend days.
    start_date
        Date of day 0, for the output (weekend days are by index either way).

    Returns
    -------
    Roster

    Raises
    ------
    ValueError
        For duplicate person ids or shift names, or no people.
    RosterInfeasibleError
        Naming the rule groups that conflict.
    PlanningError
        When CP-SAT stops without an answer (status named).
    """
    r = rules or RosterRules()
    if not people:
        raise ValueError("people: expected at least one person to roster, got none")
    ids = [p.person_id for p in people]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"people: person ids must be unique, got duplicates {dupes}")
    names = [s.name for s in shifts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"shifts: shift names must be unique, got duplicates {dupes}")
    model = _Model(people, shifts, r, None, with_objective=True)
    solver, status = model.solve(r)
    fairness_skipped = False
    if status == cp_model.UNKNOWN:
        # The fairness objective can keep CP-SAT from any roster within a wall-clock limit on a
        # busy machine; one that keeps every rule is still worth more than none, so look for
        # one without the objective, with a longer budget, and say that fairness was skipped.
        rescue = replace(r, time_limit_s=max(RESCUE_TIME_LIMIT_S, 6 * r.time_limit_s))
        model = _Model(people, shifts, r, None, with_objective=False)
        solver, status = model.solve(rescue)
        fairness_skipped = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if status == cp_model.INFEASIBLE:
        _explain(people, shifts, r)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise PlanningError(
            f"roster: CP-SAT stopped without a roster (status {solver.status_name(status)}) "
            f"within time_limit_s={r.time_limit_s}"
        )
    entries: list[RosterEntry] = []
    for d in range(DAYS):
        for s, sh in sorted(enumerate(shifts), key=lambda x: x[1].block.start_h):
            for p, person in enumerate(people):
                if solver.value(model.a[p, d, s]):
                    entries.append(
                        RosterEntry(
                            person.person_id,
                            person.name,
                            d,
                            None if start_date is None else start_date + timedelta(days=d),
                            sh.name,
                            sh.block.start_h,
                            sh.block.length_h,
                            is_night(sh.block, r.night_hours),
                            d in r.weekend_days,
                        )
                    )
    totals = tuple(
        PersonTotals(
            person.person_id,
            person.name,
            sum(1 for e in entries if e.person_id == person.person_id),
            sum(1 for e in entries if e.person_id == person.person_id and e.night),
            sum(1 for e in entries if e.person_id == person.person_id and e.weekend),
        )
        for person in people
    )
    roster = Roster(tuple(entries), totals, start_date, solver.status_name(status), ())
    notes: tuple[str, ...] = (
        f"Rules: {r.min_rest_h:g} h rest between shifts, at most {r.max_consecutive_nights} "
        f"nights in a row, at most {r.max_shifts_per_week} shifts per week, days off honoured"
        + (", week repeats (cyclic)" if r.cyclic else "")
        + ".",
        f"Fairness: nights differ by at most {roster.night_spread} and weekend shifts by at "
        f"most {roster.weekend_spread} between people (CP-SAT status {roster.status}).",
    )
    if fairness_skipped:
        notes += (
            f"Fairness was not optimised: CP-SAT found no roster within time_limit_s="
            f"{r.time_limit_s:g} with the fairness objective, so this roster keeps every rule "
            "but its spread between people is not minimised (a busy machine or a large "
            "roster); run it again, or with a longer time_limit_s, for a fairer one.",
        )
    return Roster(roster.entries, totals, start_date, roster.status, notes)


def shifts_for_roster(
    blocks: Sequence[ShiftBlock], demand: Mapping[str, Sequence[int]] | None = None
) -> tuple[RosterShift, ...]:
    """Roster shifts from shift blocks: each block's ``people`` every day unless ``demand``
    gives 7 values for its name."""
    out = []
    for b in blocks:
        if demand is not None and b.name in demand:
            out.append(RosterShift(b, tuple(int(v) for v in demand[b.name])))
        else:
            out.append(RosterShift.every_day(b))
    return tuple(out)


def people_needed(shifts: Sequence[RosterShift], max_shifts_per_week: int) -> int:
    """The fewest people that can work the week's shifts at ``max_shifts_per_week`` each."""
    total = sum(sum(s.demand) for s in shifts)
    if max_shifts_per_week <= 0:
        return 0 if total == 0 else len(shifts) * DAYS
    return -(-total // max_shifts_per_week)
