"""Staffing norms: the headcount an area's resident population calls for.

The norms (DOMAIN.md) are a floor: a full-time patrol team of 1.5 per 1,000 actual residents
(专职巡防队 1.5‰), volunteers at about 8 % of residents (义务巡防) and a monthly pay norm per
full-time member. Rates may differ per area type (urban, suburban, rural) and per
jurisdiction. Areas without population data get no norm: they are reported, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from geo.schema import AREA_ID, AREA_NAME, POPULATION

#: Optional columns of the areas table that choose the norm rates.
AREA_TYPE = "area_type"
JURISDICTION = "jurisdiction"

# Headcounts are rounded up (a norm is a floor); this guards against 1.5 * 2000 / 1000 = 3.0000001.
_EPS = 1e-9


@dataclass(frozen=True)
class NormRates:
    """The norm rates applied to one area.

    Attributes
    ----------
    fulltime_per_1000
        Full-time patrol members per 1,000 residents (1.5).
    volunteer_share
        Volunteers as a share of residents (0.08).
    monthly_pay_per_fulltime
        Pay norm per full-time member and month (800).
    currency
        Currency of the pay norm.
    """

    fulltime_per_1000: float = 1.5
    volunteer_share: float = 0.08
    monthly_pay_per_fulltime: float = 800.0
    currency: str = "yuan"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.fulltime_per_1000) and self.fulltime_per_1000 >= 0):
            raise ValueError(
                f"fulltime_per_1000: expected a number >= 0, got {self.fulltime_per_1000!r}"
            )
        if not (math.isfinite(self.volunteer_share) and 0.0 <= self.volunteer_share <= 1.0):
            raise ValueError(
                f"volunteer_share: expected a share in [0, 1], got {self.volunteer_share!r}"
            )
        if not (
            math.isfinite(self.monthly_pay_per_fulltime) and self.monthly_pay_per_fulltime >= 0
        ):
            raise ValueError(
                "monthly_pay_per_fulltime: expected a number >= 0, got "
                f"{self.monthly_pay_per_fulltime!r}"
            )


@dataclass(frozen=True)
class NormPolicy:
    """Which rates apply where.

    The most specific entry wins: ``(jurisdiction, area_type)``, then ``(jurisdiction, None)``,
    then ``(None, area_type)``, then :attr:`default`.

    Attributes
    ----------
    default
        Rates where no override applies.
    overrides
        ``{(jurisdiction or None, area_type or None): NormRates}``.
    """

    default: NormRates = field(default_factory=NormRates)
    overrides: Mapping[tuple[str | None, str | None], NormRates] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def rates_for(self, area_type: str | None, jurisdiction: str | None) -> NormRates:
        """The rates of an area of ``area_type`` in ``jurisdiction`` (either may be ``None``)."""
        for key in ((jurisdiction, area_type), (jurisdiction, None), (None, area_type)):
            if key == (None, None):
                continue
            if key in self.overrides:
                return self.overrides[key]
        return self.default


@dataclass(frozen=True)
class AreaNorm:
    """The norm headcount of one area.

    Attributes
    ----------
    area_id, name
        The area.
    population
        Residents, ``None`` when unknown.
    fulltime_exact
        Population × rate before rounding (``None`` without population).
    fulltime
        Full-time patrol members, rounded up (``None`` without population).
    volunteers
        Volunteers, rounded up (``None`` without population).
    monthly_pay
        ``fulltime`` × pay norm (``None`` without population).
    area_type, jurisdiction
        What chose the rates (``None`` when not given).
    rates
        The rates applied.
    """

    area_id: str
    name: str
    population: float | None
    fulltime_exact: float | None
    fulltime: int | None
    volunteers: int | None
    monthly_pay: float | None
    area_type: str | None
    jurisdiction: str | None
    rates: NormRates

    @property
    def known(self) -> bool:
        return self.population is not None


@dataclass(frozen=True)
class NormTable:
    """Norms of every area, totals over the areas with population, and what is missing.

    The totals (:attr:`fulltime`, :attr:`volunteers`, :attr:`monthly_pay`, :attr:`population`)
    are ``None`` when no area has population data.

    Attributes
    ----------
    areas
        One entry per area, in input order.
    notes
        Sentences for the report (areas without population, rates used).
    """

    areas: tuple[AreaNorm, ...]
    notes: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Ids of the areas without population data."""
        return tuple(a.area_id for a in self.areas if not a.known)

    @property
    def with_population(self) -> tuple[AreaNorm, ...]:
        """The areas with population data (the only ones with a norm)."""
        return tuple(a for a in self.areas if a.known)

    @property
    def population(self) -> float | None:
        """Residents of the areas with population data; ``None`` when no area has any."""
        known = self.with_population
        return float(sum(a.population or 0.0 for a in known)) if known else None

    # The totals are over the areas with population only, and ``None`` (never 0) when no
    # area has population: an unknown norm is not a norm of nobody.
    @property
    def fulltime(self) -> int | None:
        known = self.with_population
        return int(sum(a.fulltime or 0 for a in known)) if known else None

    @property
    def volunteers(self) -> int | None:
        known = self.with_population
        return int(sum(a.volunteers or 0 for a in known)) if known else None

    @property
    def monthly_pay(self) -> float | None:
        known = self.with_population
        return float(sum(a.monthly_pay or 0.0 for a in known)) if known else None

    def by_id(self) -> dict[str, AreaNorm]:
        return {a.area_id: a for a in self.areas}


def norm_for_population(
    population: float | None, rates: NormRates | None = None
) -> tuple[float | None, int | None, int | None, float | None]:
    """Full-time (exact and rounded up), volunteers and monthly pay for ``population`` residents.

    Returns ``(None, None, None, None)`` when ``population`` is ``None`` or NaN.

    Examples
    --------
    >>> norm_for_population(12_000)
    (18.0, 18, 960, 14400.0)
    """
    r = rates or NormRates()
    if population is None or (isinstance(population, float) and math.isnan(population)):
        return None, None, None, None
    if population < 0:
        raise ValueError(f"population: expected a number >= 0, got {population!r}")
    exact = population * r.fulltime_per_1000 / 1000.0
    fulltime = int(math.ceil(exact - _EPS)) if exact > 0 else 0
    vol_exact = population * r.volunteer_share
    volunteers = int(math.ceil(vol_exact - _EPS)) if vol_exact > 0 else 0
    return exact, fulltime, volunteers, fulltime * r.monthly_pay_per_fulltime


def _optional_str(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def norms_from_areas(
    areas: pd.DataFrame,
    policy: NormPolicy | None = None,
    *,
    id_column: str = AREA_ID,
    name_column: str = AREA_NAME,
) -> NormTable:
    """Norm headcount per area from its resident population.

    Parameters
    ----------
    areas
        One row per area with ``id_column``, ``population`` (NaN where unknown) and optionally
        ``name``, ``area_type`` and ``jurisdiction`` (they choose the rates, see
        :class:`NormPolicy`).
    policy
        Rates; the defaults of :class:`NormRates` everywhere when ``None``.
    id_column, name_column
        Columns holding the area id and name.

    Returns
    -------
    NormTable

    Raises
    ------
    ValueError
        When ``id_column`` is missing or a population is negative (naming the area).
    """
    pol = policy or NormPolicy()
    if id_column not in areas.columns:
        raise ValueError(f"areas: id column {id_column!r} not found; has {list(areas.columns)}")
    population = (
        pd.to_numeric(areas[POPULATION], errors="coerce").astype(float)
        if POPULATION in areas.columns
        else pd.Series(np.nan, index=areas.index)
    )
    out: list[AreaNorm] = []
    for (idx, row), pop in zip(areas.iterrows(), population, strict=True):
        area_id = str(row[id_column])
        area_type = _optional_str(row.get(AREA_TYPE))
        jurisdiction = _optional_str(row.get(JURISDICTION))
        rates = pol.rates_for(area_type, jurisdiction)
        value = None if math.isnan(pop) else float(pop)
        if value is not None and value < 0:
            raise ValueError(f"areas: population of area {area_id!r} (row {idx}) is {value}, < 0")
        exact, fulltime, volunteers, pay = norm_for_population(value, rates)
        name = _optional_str(row.get(name_column)) or area_id
        out.append(
            AreaNorm(
                area_id,
                name,
                value,
                exact,
                fulltime,
                volunteers,
                pay,
                area_type,
                jurisdiction,
                rates,
            )
        )
    notes: list[str] = []
    missing = [a.area_id for a in out if not a.known]
    if not out:
        notes.append("No areas given: no staffing norm can be computed.")
    elif len(missing) == len(out):
        notes.append(
            f"None of the {len(out)} areas has resident population data: no norm headcount is "
            "computed (population is not guessed); give areas with a population column."
        )
    elif missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        notes.append(
            f"{len(missing)} of {len(out)} areas have no population data and get no norm "
            f"(not guessed): {shown}."
        )
    if len({a.rates for a in out}) <= 1:
        r = out[0].rates if out else pol.default
        notes.append(
            f"Norm rates: {r.fulltime_per_1000:g} full-time per 1,000 residents, volunteers "
            f"{r.volunteer_share:.0%} of residents, pay {r.monthly_pay_per_fulltime:g} "
            f"{r.currency} per full-time member per month."
        )
    else:
        notes.append("Norm rates differ by area type or jurisdiction (see each area's rates).")
    return NormTable(tuple(out), tuple(notes))
