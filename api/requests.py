"""The plan request, defined once: the command line's options and the service's body.

:class:`PlanParameters` holds every planning option with its default (from
:mod:`planner.defaults` and :mod:`geo.grid`), bound and help text. The service's request
(:class:`api.service.schemas.PlanCreate`) extends it; the command line's ``plan``, ``map`` and
``sheets`` options are generated from it (:func:`api.cli.params.plan_parameter_options`), so
the two cannot drift. :func:`plan_options` turns a request into the planner's
:class:`~planner.shift.PlanOptions`; :func:`units_for` makes the units from counts.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from geo.analysis import AnalysisOptions
from geo.grid import DEFAULT_CELL_SIZE_M
from geo.hotspots import TimeBand
from planner.defaults import (
    DEFAULT_SEED,
    DEFAULT_SHIFT,
    DEFAULT_TIME_LIMIT_S,
    DEFAULT_TOP,
    DEFAULT_UNIT_COUNTS_TEXT,
)
from planner.shift import PlanOptions, shift_band
from planner.sources import DEFAULT_DWELL_MIN, HotspotTaskOptions
from planner.units import Unit

#: Most plans one request may ask for (``vary``): a fortnight of successive days.
MAX_VARY = 14
#: Most search iterations a request may ask for.
MAX_ITERATIONS = 10_000_000
#: Longest solver budget a request may ask for (the service caps it further).
MAX_TIME_LIMIT_S = 3600.0
#: Most units per mode in ``unit_counts``.
MAX_UNITS_PER_MODE = 50
#: Longest shift a plan may be asked for, in hours (a longer one is no patrol shift).
MAX_SHIFT_H = 16.0
#: Shortest shift a plan may be asked for, in hours.
MIN_SHIFT_H = 1.0
#: Earliest and latest local date a plan may start on (its ``vary`` days included).
MIN_PLAN_DATE = date(1970, 1, 1)
MAX_PLAN_DATE = date(2100, 12, 31)


_NOT_ZONE_NAMES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    # The zone files of the system also hold links that are no IANA zone names.
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONE_NAMES


def check_timezone(value: str) -> str:
    """``value`` if it is an IANA time zone name (``Asia/Shanghai``), else ``ValueError``.

    Only the names of :func:`zoneinfo.available_timezones` are accepted: no file paths
    (``../../../etc/localtime``), no ``localtime`` or ``posixrules``.
    """
    name = value.strip()
    if name not in _iana_names():
        raise ValueError(
            f"unknown time zone {value[:64]!r}; expected an IANA name such as 'Asia/Shanghai' "
            "or 'America/Toronto'"
        )
    return name


#: An IANA time zone name, checked wherever a request carries one.
TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(check_timezone)]


def check_band(
    value: str,
    *,
    max_hours: float | None = MAX_SHIFT_H,
    min_hours: float | None = MIN_SHIFT_H,
    argument: str = "band",
) -> str:
    """``value`` stripped if it is a band the planner can work (``16-24``, ``22-06``,
    ``07:30-15:30``), else ``ValueError`` naming what is expected.

    Refused: a band whose start and end are the same clock time (``16-16``: no time or the
    whole day?), the whole day (``00-24``; the hotspots take ``day`` for that), and with
    ``max_hours`` / ``min_hours`` a band longer or shorter than that.
    """
    text = value.strip()
    band = shift_band(text)
    if band.is_full_day:
        raise ValueError(
            f"{argument}: {text!r} is the whole day, not a shift; give a shift such as 16-24 "
            "(the hotspots take band=day for the whole day)"
        )
    if band.start_min == band.end_min % (24 * 60):
        raise ValueError(
            f"{argument}: {text!r} starts and ends at the same time; give a start and an end, "
            "e.g. 16-24"
        )
    if max_hours is not None and band.duration_h > max_hours:
        raise ValueError(
            f"{argument}: {text!r} lasts {band.duration_h:g} hours; a shift lasts at most "
            f"{max_hours:g} hours (split a day into shifts, e.g. 08-16, 16-24, 00-08)"
        )
    if min_hours is not None and band.duration_h < min_hours:
        raise ValueError(
            f"{argument}: {text!r} lasts {band.duration_h * 60:g} minutes; a shift lasts at "
            f"least {min_hours:g} hour(s)"
        )
    return text


def _cli(flag: str) -> dict[str, Any]:
    return {"cli": flag}


class PlanParameters(BaseModel):
    """How to plan one shift: band, date, units, grid, hotspot visits and the solver.

    Every field is bounded; the same fields are the command line's options (``--band``,
    ``--unit-counts`` ...) and the service's request body.
    """

    model_config = ConfigDict(extra="forbid")

    band: str = Field(
        default=DEFAULT_SHIFT,
        max_length=16,
        description="Shift band: any HH-HH or HH:MM-HH:MM local time, e.g. 08-16, 18-02, 22-06.",
        json_schema_extra=_cli("--band"),
    )
    plan_date: date | None = Field(
        default=None,
        description="Local date the shift starts (default: the day after the data).",
        json_schema_extra=_cli("--date"),
    )
    unit_counts: str = Field(
        default=DEFAULT_UNIT_COUNTS_TEXT,
        max_length=200,
        description=(
            "Units per mode when no units file is given, e.g. car=3,foot=3,bicycle=2 "
            f"(at most {MAX_UNITS_PER_MODE} per mode)."
        ),
        json_schema_extra=_cli("--unit-counts"),
    )
    cell_size_m: float = Field(
        default=DEFAULT_CELL_SIZE_M,
        ge=50.0,
        le=5000.0,
        description="Grid cell size in metres (square or hex cells).",
        json_schema_extra=_cli("--cell-size"),
    )
    grid: Literal["square", "hex", "areas"] = Field(
        default="square",
        description="Cells: square, hex, or areas (the official polygons as given).",
        json_schema_extra=_cli("--grid"),
    )
    top: int = Field(
        default=DEFAULT_TOP,
        ge=1,
        le=2000,
        description="Candidate hotspot cells.",
        json_schema_extra=_cli("--top"),
    )
    dwell_min: float = Field(
        default=DEFAULT_DWELL_MIN,
        ge=1.0,
        le=240.0,
        description="Minutes per hotspot visit (Koper curve: 10-15).",
        json_schema_extra=_cli("--dwell"),
    )
    time_limit_s: float = Field(
        default=DEFAULT_TIME_LIMIT_S,
        gt=0,
        le=MAX_TIME_LIMIT_S,
        description="Solver time limit in seconds (per plan; the service caps it).",
        json_schema_extra=_cli("--time-limit"),
    )
    seed: int = Field(
        default=DEFAULT_SEED,
        ge=0,
        le=2**31 - 1,
        description="Seed of the search.",
        json_schema_extra=_cli("--seed"),
    )
    max_iterations: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ITERATIONS,
        description="Bound on search iterations: the same seed then gives the same plan on "
        "any machine.",
        json_schema_extra=_cli("--max-iterations"),
    )
    vary: int = Field(
        default=1,
        ge=1,
        le=MAX_VARY,
        description="Number of different plans for successive days.",
        json_schema_extra=_cli("--vary"),
    )
    on_infeasible: Literal["raise", "drop"] = Field(
        default="raise",
        description="raise: stop when a required task is impossible; drop: plan the rest and "
        "report it.",
        json_schema_extra=_cli("--on-infeasible"),
    )
    risk_method: Literal["validated", "decayed"] = Field(
        default="validated",
        description="validated: each band's risk from the forecast method that did best on the "
        "district's own last 4 weeks; decayed: the fixed decayed counts (112-day half-life).",
        json_schema_extra=_cli("--risk-method"),
    )
    objective: Literal["presence", "tasks"] = Field(
        default="presence",
        description="presence: fill every unit's shift with presence where and when the risk "
        "is (by cell and hour, revisits after a recovery gap); tasks: the earlier list of "
        "hotspot visits and 5-minute sector visits.",
        json_schema_extra=_cli("--objective"),
    )

    @field_validator("band")
    @classmethod
    def _band(cls, value: str) -> str:
        return check_band(value)  # ValueError names what is expected

    @field_validator("plan_date")
    @classmethod
    def _plan_date(cls, value: date | None) -> date | None:
        if value is not None and not MIN_PLAN_DATE <= value <= MAX_PLAN_DATE:
            raise ValueError(
                f"plan_date: expected a date from {MIN_PLAN_DATE} to {MAX_PLAN_DATE}, got {value}"
            )
        return value

    @model_validator(mode="after")
    def _vary_within_dates(self) -> PlanParameters:
        if self.plan_date is not None and (MAX_PLAN_DATE - self.plan_date).days < self.vary - 1:
            raise ValueError(
                f"vary: {self.vary} days from {self.plan_date} go past {MAX_PLAN_DATE}; "
                "choose an earlier plan_date or fewer days"
            )
        return self

    @property
    def shift(self) -> TimeBand:
        return shift_band(self.band)


#: The command-line flag of each field of :class:`PlanParameters`.
PLAN_FLAGS: dict[str, str] = {
    name: str((field.json_schema_extra or {}).get("cli", "--" + name.replace("_", "-")))  # type: ignore[union-attr]
    for name, field in PlanParameters.model_fields.items()
}


def plan_options(params: PlanParameters) -> PlanOptions:
    """The planner's options for a request."""
    return PlanOptions(
        shift=params.shift,
        plan_date=params.plan_date,
        analysis=AnalysisOptions(
            cell_size_m=params.cell_size_m, grid_kind=params.grid, risk_method=params.risk_method
        ),
        hotspots=HotspotTaskOptions(top=params.top, dwell_min=params.dwell_min),
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        max_iterations=params.max_iterations,
        vary=params.vary,
        on_infeasible=params.on_infeasible,
        objective=params.objective,
    )


def units_for(
    params: PlanParameters, stations: Collection[str], *, argument: str = "unit_counts"
) -> tuple[Unit, ...]:
    """The units of ``params.unit_counts`` over ``stations`` for its shift.

    Raises
    ------
    geo.errors.GeoInputError
        Naming ``argument`` and every bad part of the counts.
    """
    from api.inputs import units_from_counts

    return units_from_counts(
        params.unit_counts,
        stations,
        params.shift,
        argument=argument,
        max_per_mode=MAX_UNITS_PER_MODE,
    )
