"""The presence (见警率) report of a plan: where and when patrols can be seen, against risk.

:func:`presence_report` counts a plan's planned presence per cell and hour
(:func:`planner.presence.minutes_by_cell_hour`), values it with the plan's objective
(:func:`planner.presence.plan_value`), bounds that value (:func:`planner.presence.
presence_bound_gap`: the plan states its gap) and summarises the spread: per area, per hotspot, per
hour, against risk and population (Lorenz curves and Gini), populated cells without presence,
night hours and each unit's share of its shift on patrol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.presence import (
    HOUR_S,
    ModeTime,
    PresenceRule,
    concentration_curve,
    gini,
    minutes_by_cell_hour,
    plan_value,
    presence_bound_gap,
)
from planner.units import Unit

#: Clock hours counted as night (22:00-06:00), the period the field names as the main risk.
NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})
#: Hotspots listed per hour in the report.
TOP_HOTSPOTS = 5
#: A unit whose duties end earlier than this before its shift end (after its way back) is named.
IDLE_NOTE_S = 30 * 60


@dataclass(frozen=True)
class PresenceReport:
    """The presence of one plan, valued and summarised.

    Attributes
    ----------
    table
        Minutes per cell and hour (:data:`planner.presence.PRESENCE_COLUMNS`) with ``risk``.
    value, bound
        The plan's presence value and an upper bound on any plan's
        (:func:`planner.presence.presence_bound_gap`).
    risk_share
        Share of the shift's hourly risk with a full-value visit: ``sum risk(c, h) *
        min(1, minutes(c, h) / dwell) / sum risk`` (idle units lower it).
    summary
        Plain data for the plan file (:meth:`as_dict`).
    notes
        Findings a coordinator must read (units with nothing to do).
    """

    table: pd.DataFrame
    value: float
    bound: float
    risk_share: float
    summary: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        """Plan value as a share of the bound (1.0 when the bound is 0)."""
        return self.value / self.bound if self.bound > 0 else 1.0


def unit_capacity(
    units: Sequence[Unit], least_travel_s: Mapping[str, int]
) -> tuple[dict[int, float], float]:
    """Minutes units can be present per wall-clock hour, and in all.

    A unit is present at most in the minutes of each hour inside its shift; in all, at most
    its shift minus its breaks minus the least travel out of and back to its station.
    """
    hours: dict[int, float] = {}
    total = 0.0
    for unit in units:
        t = (unit.shift_start_s // HOUR_S) * HOUR_S
        while t < unit.shift_end_s:
            inside = min(unit.shift_end_s, t + HOUR_S) - max(unit.shift_start_s, t)
            hours[t] = hours.get(t, 0.0) + max(inside, 0) / 60.0
            t += HOUR_S
        free = (
            unit.shift_length_s
            - sum(b.duration_s for b in unit.breaks)
            - least_travel_s.get(unit.unit_id, 0)
        )
        total += max(free, 0) / 60.0
    return hours, total


def mode_times(
    units: Sequence[Unit], arrival_s: Mapping[str, Mapping[str, float]]
) -> list[ModeTime]:
    """Per mode, the units' shifts, minutes less breaks, breaks and the least travel into each
    hotspot cell (:class:`planner.presence.ModeTime`, for the travel-aware bound)."""
    out = []
    for mode in dict.fromkeys(u.mode for u in units):
        mine = [u for u in units if u.mode is mode]
        out.append(
            ModeTime(
                windows=tuple((float(u.shift_start_s), float(u.shift_end_s)) for u in mine),
                minutes=sum(
                    (u.shift_length_s - sum(b.duration_s for b in u.breaks)) / 60.0 for u in mine
                ),
                free_stays=sum(len(u.breaks) for u in mine),
                arrival_min={c: float(v) / 60.0 for c, v in arrival_s.get(mode.value, {}).items()},
            )
        )
    return out


def _clock(seconds: float) -> str:
    s = int(round(seconds)) % (24 * HOUR_S)
    return f"{s // HOUR_S:02d}:{(s % HOUR_S) // 60:02d}"


def presence_report(
    plan: Any,
    units: Sequence[Unit],
    hourly: pd.DataFrame,
    rule: PresenceRule,
    cells: pd.DataFrame,
    hotspot_cells: Sequence[str],
) -> PresenceReport:
    """Value, bound and spread of a plan's presence.

    Parameters
    ----------
    plan
        A :class:`planner.plan.PatrolPlan` (its ``presence`` intervals and routes).
    units
        The units on duty, in the plan's route order.
    hourly
        Risk per cell and hour (:func:`planner.hourly.hourly_risk`).
    rule
        The diminishing-returns rule of the objective.
    cells
        The grid: ``cell_id``, ``population`` (NaN unknown), ``area_id``.
    hotspot_cells
        Cells in hotspot rank order (best first).
    """
    table = minutes_by_cell_hour(plan.presence)
    value = plan_value(plan.presence, hourly, rule)
    _, total_cap = unit_capacity(units, plan.least_travel_s)
    windows = [(float(u.shift_start_s), float(u.shift_end_s)) for u in units]
    modes = mode_times(units, getattr(plan, "arrival_s", {}))
    # presence_bound_gap is a bound (proved there; tests check it against exact optima); the
    # max only guards the printed share against rounding in the last digits
    bound = max(presence_bound_gap(hourly, rule, windows, total_cap, modes=modes), value)
    merged = hourly.merge(
        table[["cell_id", "hour_start_s", "minutes"]], on=["cell_id", "hour_start_s"], how="left"
    ).fillna({"minutes": 0.0})
    total_risk = float(merged["risk"].sum())
    covered = float((merged["risk"] * np.minimum(1.0, merged["minutes"] / rule.dwell_min)).sum())
    risk_share = covered / total_risk if total_risk > 0 else 0.0
    risk_of = table.merge(
        hourly[["cell_id", "hour_start_s", "risk"]], on=["cell_id", "hour_start_s"], how="left"
    )
    table = risk_of.fillna({"risk": 0.0})

    grid = pd.DataFrame(cells).drop(columns=["geometry"], errors="ignore")
    grid["cell_id"] = grid["cell_id"].astype(str)
    minutes_by_cell = table.groupby("cell_id")["minutes"].sum()
    risk_by_cell = hourly.groupby("cell_id")["risk"].sum()
    cell_ids = list(grid["cell_id"])
    p = [float(minutes_by_cell.get(c, 0.0)) for c in cell_ids]
    r = [float(risk_by_cell.get(c, 0.0)) for c in cell_ids]
    xs_r, ys_r = concentration_curve(p, r)
    population = (
        grid["population"].astype(float).to_numpy()
        if "population" in grid.columns
        else np.full(len(grid), np.nan)
    )
    known = ~np.isnan(population)
    xs_p, ys_p = (
        concentration_curve(
            [v for v, k in zip(p, known, strict=True) if k], list(population[known])
        )
        if known.any() and np.nansum(population) > 0
        else ([], [])
    )
    unvisited = sorted(
        c for c, pop, m in zip(cell_ids, population, p, strict=True) if pop > 0 and m <= 0
    )
    areas: dict[str, float] = {}
    if "area_id" in grid.columns:
        area_of = dict(zip(grid["cell_id"], grid["area_id"], strict=True))
        for c, m in minutes_by_cell.items():
            area = area_of.get(str(c))
            if area is not None and not (isinstance(area, float) and np.isnan(area)):
                areas[str(area)] = areas.get(str(area), 0.0) + float(m)
    top = [str(c) for c in hotspot_cells[:TOP_HOTSPOTS]]
    hours = sorted(int(h) for h in hourly["hour_start_s"].unique())
    by_hour = []
    for h in hours:
        in_hour = table[table["hour_start_s"] == h]
        at_top = set(in_hour.loc[in_hour["cell_id"].isin(top), "cell_id"])
        by_hour.append(
            {
                "hour_start_s": h,
                "hour": (h // HOUR_S) % 24,
                "minutes": round(float(in_hour["minutes"].sum()), 1),
                "cells": int(len(in_hour)),
                "top_hotspots_present": len(at_top),
            }
        )
    hotspots = [
        {
            "cell_id": c,
            "minutes": round(float(minutes_by_cell.get(c, 0.0)), 1),
            "hours_present": int((table["cell_id"] == c).sum()),
        }
        for c in hotspot_cells[:20]
    ]
    night = table[table["hour"].isin(NIGHT_HOURS)]
    night_risk = merged[merged["hour_start_s"].map(lambda s: (s // HOUR_S) % 24 in NIGHT_HOURS)]
    night_covered = float(
        (night_risk["risk"] * np.minimum(1.0, night_risk["minutes"] / rule.dwell_min)).sum()
    )
    night_total = float(night_risk["risk"].sum())
    notes: list[str] = []
    unit_rows = []
    for unit, route in zip(units, plan.routes, strict=True):
        breaks_s = sum(b.duration_s for b in unit.breaks)
        on_duty = unit.shift_length_s - breaks_s
        # On patrol: out of the station (travelling the streets, at places, walking), breaks
        # excepted; present: at places and on walks only.
        out_s = (route.return_s - route.depart_s - breaks_s) if route.stops else 0
        last = max((s.end_s for s in route.stops), default=None)
        back = plan.least_travel_s.get(unit.unit_id, 0)
        unit_rows.append(
            {
                "unit_id": unit.unit_id,
                "patrol_share": round(out_s / on_duty, 3) if on_duty > 0 else 0.0,
                "presence_min": round(route.patrol_s / 60.0, 1),
                "presence_share": round(route.patrol_s / on_duty, 3) if on_duty > 0 else 0.0,
                "last_duty_end_s": last,
            }
        )
        if last is None:
            notes.append(
                f"Unit {unit.unit_id} has no duty in this plan: no candidate visit was left "
                "for it (all taken, out of reach, or beyond the search's time limit)."
            )
        elif last < unit.shift_end_s - back - IDLE_NOTE_S:
            notes.append(
                f"Unit {unit.unit_id}'s last duty ends at {_clock(last)}, "
                f"{(unit.shift_end_s - last) / 60:.0f} min before its shift ends: the plan "
                "found no candidate visit left for it (all taken, out of reach, or beyond the "
                "search's time limit; a longer --time-limit may fill it)."
            )
    summary: dict[str, Any] = {
        "objective": (
            "presence by cell and hour, diminishing returns"
            if rule.recover_min is None
            else "presence by cell and hour, diminishing returns recovering after a gap"
        ),
        "rule": {
            "dwell_min": rule.dwell_min,
            "repeat_value": rule.repeat_value,
            "visits": rule.visits,
            "recover_min": rule.recover_min,
        },
        "minutes": round(float(table["minutes"].sum()), 1),
        "value": round(value, 4),
        "risk_share": round(risk_share, 4),
        "by_hour": by_hour,
        "by_area": {k: round(v, 1) for k, v in sorted(areas.items())},
        "hotspots": hotspots,
        "gini_risk": round(gini(xs_r, ys_r), 4),
        "lorenz_risk": [[round(x, 4), round(y, 4)] for x, y in zip(xs_r, ys_r, strict=True)],
        "gini_population": round(gini(xs_p, ys_p), 4) if xs_p else None,
        "lorenz_population": [[round(x, 4), round(y, 4)] for x, y in zip(xs_p, ys_p, strict=True)],
        "populated_cells": int((population > 0).sum()),
        "populated_cells_without_presence": unvisited,
        "night": {
            "minutes": round(float(night["minutes"].sum()), 1),
            "risk_share": round(night_covered / night_total, 4) if night_total > 0 else None,
        },
        "units": unit_rows,
    }
    return PresenceReport(table, value, bound, risk_share, summary, tuple(notes))
