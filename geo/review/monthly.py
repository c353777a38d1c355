"""The monthly evaluation (每月考评): key cases per area ranked by their rise, with the flags.

Each month every area's key cases (the categories the user chooses; all by default) are counted
this month, the previous month (环比) and the same month last year (同比). Areas are ranked by
the rise against the chosen basis (同比 by default). The three areas with the largest rises are
named in the monthly bulletin (通报, flag ``notice``); an area named a second month running is
given a deadline to fix it (整改, ``rectify``), a third month running a yellow card (黄牌,
``yellow_card``). Decreases of 30, 50 and 100 % earn graded rewards (tiers configurable). An area
where both months hold fewer than ``min_count`` cases is not ranked: its percentage would be
noise, and the table says "too few incidents" instead.

Whether an area was named in earlier months is taken from the history the user keeps (the
results of earlier evaluations) and, for months the history lacks, by evaluating those months
in sequence from the same incidents. Quarterly (季点评) and yearly (年定级) roll-ups sum the
months of the quarter and of the year up to the evaluated month against the same months a year
before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.strtree import STRtree

from geo.crs import local_crs
from geo.hotspots.trends import _month, month_counts
from geo.schema import AREA_ID, CELL_ID

Basis = Literal["yoy", "mom"]

FLAG_NOTICE = "notice"  # 通报
FLAG_RECTIFY = "rectify"  # 整改
FLAG_YELLOW = "yellow_card"  # 黄牌
STATUS_RANKED = "ranked"
STATUS_TOO_FEW = "too_few"

#: Reward tiers: a decrease of at least this many percent earns the tier (largest first).
DEFAULT_REWARD_TIERS: tuple[tuple[float, str], ...] = (
    (100.0, "tier3"),
    (50.0, "tier2"),
    (30.0, "tier1"),
)

#: Columns of :attr:`MonthlyEvaluation.areas`.
AREA_COLUMNS = (
    "area_id",
    "name",
    "leader",
    "count",
    "count_last_month",
    "count_last_year",
    "basis_count",
    "change",
    "change_pct",
    "mom_change",
    "mom_pct",
    "yoy_change",
    "yoy_pct",
    "status",
    "rank",
    "notice_streak",
    "flags",
    "reward",
)


@dataclass(frozen=True)
class MonthlyOptions:
    """How the monthly evaluation counts, ranks and rewards.

    Attributes
    ----------
    categories
        Key-case categories (canonical names or synonyms, as in :mod:`geo.hotspots.weights`);
        ``None`` counts every incident.
    basis
        ``"yoy"`` (同比, against the same month last year) or ``"mom"`` (环比, the previous
        month): the change areas are ranked and rewarded by.
    min_count
        An area where both this month and the basis month have fewer cases is not ranked
        ("too few incidents"); a basis month below it gives no percentage.
    notice_top
        How many of the largest rises are named in the bulletin (通报).
    reward_tiers
        ``(decrease %, tier name)``, largest decrease first.
    """

    categories: tuple[str, ...] | None = None
    basis: Basis = "yoy"
    min_count: int = 5
    notice_top: int = 3
    reward_tiers: tuple[tuple[float, str], ...] = DEFAULT_REWARD_TIERS

    def __post_init__(self) -> None:
        if self.basis not in ("yoy", "mom"):
            raise ValueError(f"basis: expected 'yoy' (同比) or 'mom' (环比), got {self.basis!r}")
        if self.min_count < 0:
            raise ValueError(f"min_count: expected >= 0, got {self.min_count}")
        if self.notice_top < 0:
            raise ValueError(f"notice_top: expected >= 0, got {self.notice_top}")
        for pct, name in self.reward_tiers:
            if not 0 < pct <= 100:
                raise ValueError(f"reward_tiers: {name!r} needs a decrease in 0..100 %, got {pct}")
        values = [p for p, _ in self.reward_tiers]
        if values != sorted(values, reverse=True):
            raise ValueError(f"reward_tiers: expected the largest decrease first, got {values}")


@dataclass(frozen=True)
class MonthlyEvaluation:
    """One month's evaluation.

    Attributes
    ----------
    month
        The month evaluated (``"2017-05"``).
    options
        How it was computed.
    areas
        One row per area (:data:`AREA_COLUMNS`), ranked areas first by rank; ``flags`` is a
        list; ``change_pct`` is NaN where the basis month has too few cases.
    quarter, year
        Roll-ups per area: ``area_id``, ``count`` (the quarter or year to date), ``count_last_year``
        (the same months a year before), ``change``, ``change_pct``, ``notices`` (months named
        in the bulletin in the period), ``months`` (the months summed, as text).
    notices
        Areas named in the bulletin per month, the evaluated month and the ones before it that
        the flags and roll-ups used (``{"2017-05": ["612", ...]}``), from history or computed.
    notes
        What the reader must know (months computed because the history lacked them).
    """

    month: str
    options: MonthlyOptions
    areas: pd.DataFrame
    quarter: pd.DataFrame
    year: pd.DataFrame
    notices: Mapping[str, tuple[str, ...]]
    notes: tuple[str, ...] = field(default=())

    @property
    def notified(self) -> tuple[str, ...]:
        """Areas named in this month's bulletin (通报), largest rise first."""
        return tuple(self.notices.get(self.month, ()))


def assign_to_areas(incidents: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    """The ``area_id`` of the area containing each incident (missing outside every area)."""
    if AREA_ID not in areas.columns:
        raise ValueError(f"areas: missing column {AREA_ID!r}")
    points = incidents.to_crs(areas.crs) if incidents.crs != areas.crs else incidents
    out = np.full(len(points), None, dtype=object)
    if len(points) and len(areas):
        tree = STRtree(np.asarray(areas.geometry.values))
        pairs = tree.query(np.asarray(points.geometry.values), predicate="intersects")
        order = np.lexsort((pairs[1], pairs[0]))
        p_idx, a_idx = pairs[0][order], pairs[1][order]
        first = np.r_[True, p_idx[1:] != p_idx[:-1]] if len(p_idx) else np.zeros(0, dtype=bool)
        ids = areas[AREA_ID].astype(str).to_numpy(dtype=object)
        out[p_idx[first]] = ids[a_idx[first]]
    return pd.Series(out, index=incidents.index, name=AREA_ID)


def area_month_counts(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    first: str | pd.Period,
    last: str | pd.Period,
    categories: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Incidents per official area and local month (:func:`geo.hotspots.trends.month_counts`
    with the areas as the cells)."""
    if len(areas) == 0:
        raise ValueError("areas: no areas to evaluate; give an areas file with polygons")
    metric = (
        areas
        if areas.crs is not None and not areas.crs.is_geographic
        else areas.to_crs(local_crs(areas))
    )
    cells = gpd.GeoDataFrame(
        {
            CELL_ID: metric[AREA_ID].astype(str).to_numpy(),
            AREA_ID: metric[AREA_ID].astype(str).to_numpy(),
        },
        geometry=metric.geometry.to_numpy(),
        crs=metric.crs,
    )
    located = incidents.copy()
    located[CELL_ID] = assign_to_areas(incidents, metric)
    return month_counts(located, cells, first=first, last=last, level="cell", categories=categories)


#: Names of the column holding the responsible post of an area (包片领导), tried in order.
LEADER_CANDIDATES = ("leader", "responsible", "负责人", "责任人", "包片领导", "网格长")


def leaders_from_table(
    table: pd.DataFrame, *, id_field: str, leader_field: str | None = None
) -> dict[str, str]:
    """``{area_id: responsible post}`` from the attribute table of an areas file.

    Parameters
    ----------
    table
        The areas file's attributes (one row per area).
    id_field
        The column holding the area ids (as given to :func:`geo.io.read_areas`).
    leader_field
        The column naming each area's responsible post; detected from
        :data:`LEADER_CANDIDATES` when ``None``. Hold a post title (包片副所长), not a person.

    Raises
    ------
    ValueError
        When ``id_field`` or a given ``leader_field`` is not a column.
    """
    columns = [str(c) for c in table.columns]
    if id_field not in columns:
        raise ValueError(f"id_field: {id_field!r} is not a column; columns are {columns}")
    if leader_field is None:
        lowered = {c.casefold(): c for c in columns}
        leader_field = next((lowered[n] for n in LEADER_CANDIDATES if n in lowered), None)
        if leader_field is None:
            return {}
    elif leader_field not in columns:
        raise ValueError(f"leader_field: {leader_field!r} is not a column; columns are {columns}")
    out = {}
    for area, leader in zip(table[id_field], table[leader_field], strict=True):
        if pd.notna(area) and pd.notna(leader) and str(leader).strip():
            key = str(int(area)) if isinstance(area, float) and area.is_integer() else str(area)
            out[key.strip()] = str(leader).strip()
    return out


def _pct(change: np.ndarray, base: np.ndarray, min_count: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((base > 0) & (base >= max(min_count, 1)), 100.0 * change / base, np.nan)


def _rank_month(counts: pd.DataFrame, month: pd.Period, options: MonthlyOptions) -> pd.DataFrame:
    this = counts[month].to_numpy()
    last_month = counts[month - 1].to_numpy()
    last_year = counts[month - 12].to_numpy()
    base = last_year if options.basis == "yoy" else last_month
    change = this - base
    too_few = (this < options.min_count) & (base < options.min_count)
    table = pd.DataFrame(
        {
            "area_id": counts.index.astype(str),
            "count": this,
            "count_last_month": last_month,
            "count_last_year": last_year,
            "basis_count": base,
            "change": change,
            "change_pct": _pct(change, base, options.min_count),
            "mom_change": this - last_month,
            "mom_pct": _pct(this - last_month, last_month, options.min_count),
            "yoy_change": this - last_year,
            "yoy_pct": _pct(this - last_year, last_year, options.min_count),
            "status": np.where(too_few, STATUS_TOO_FEW, STATUS_RANKED),
        }
    )
    ranked = table[~too_few].sort_values(
        ["change", "count", "area_id"], ascending=[False, False, True], kind="stable"
    )
    table["rank"] = pd.Series(np.arange(1, len(ranked) + 1), index=ranked.index).reindex(
        table.index
    )
    return table


def _notified(table: pd.DataFrame, options: MonthlyOptions) -> tuple[str, ...]:
    ranked = table[(table["status"] == STATUS_RANKED) & (table["change"] > 0)]
    ranked = ranked.sort_values("rank")
    return tuple(ranked["area_id"].head(options.notice_top).astype(str))


def _reward(pct: float, base: int, options: MonthlyOptions) -> str:
    if not np.isfinite(pct) or base < max(options.min_count, 1):
        return ""
    for threshold, name in options.reward_tiers:
        if -pct >= threshold - 1e-9:
            return name
    return ""


def evaluate_month(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    month: str | pd.Period,
    *,
    options: MonthlyOptions | None = None,
    history: Mapping[str, Sequence[str]] | None = None,
    leaders: Mapping[str, str] | None = None,
) -> MonthlyEvaluation:
    """Evaluate one month: counts, changes, ranking, flags, rewards and roll-ups per area.

    Parameters
    ----------
    incidents
        Incidents (``occurred_at`` local, ``category``, point geometry).
    areas
        The official areas (``area_id``, optional ``name``, polygons).
    month
        ``"2017-05"``.
    options
        Categories, basis, minimum count, bulletin size, reward tiers.
    history
        Areas named in the bulletin (通报) in earlier months, ``{"2017-04": ["612", ...]}``,
        as the earlier evaluations recorded them; months missing here are evaluated from the
        incidents in sequence.
    leaders
        The responsible post per area (``{"612": "包片副所长"}``), from the areas file's
        ``leader`` column.

    Raises
    ------
    ValueError
        For a malformed month, unknown categories or invalid options, each naming the argument.
    """
    opts = options or MonthlyOptions()
    period = _month(month)
    year_start = pd.Period(year=period.year, month=1, freq="M")
    first = min(year_start - 12, period - 12 - 2)
    counts = area_month_counts(
        incidents, areas, first=first, last=period, categories=opts.categories
    )
    known = {str(k): tuple(str(a) for a in v) for k, v in (history or {}).items()}
    notices: dict[str, tuple[str, ...]] = {}
    computed: list[str] = []
    lookback = sorted(set(pd.period_range(min(year_start, period - 2), period, freq="M")))
    tables: dict[pd.Period, pd.DataFrame] = {}
    for p in lookback:
        tables[p] = _rank_month(counts, p, opts)
        key = str(p)
        if p != period and key in known:
            notices[key] = known[key]
        else:
            notices[key] = _notified(tables[p], opts)
            if p != period:
                computed.append(key)
    table = tables[period]

    def streak(area: str) -> int:
        """Months running, up to this one, that ``area`` was named in the bulletin."""
        n, p = 0, period
        while True:
            named = notices.get(str(p), known.get(str(p)))
            if named is None or area not in named:
                return n
            n += 1
            p -= 1

    this_notice = set(notices[str(period)])
    streaks = [streak(a) if a in this_notice else 0 for a in table["area_id"]]
    table["notice_streak"] = streaks
    table["flags"] = [
        [f for f, need in ((FLAG_NOTICE, 1), (FLAG_RECTIFY, 2), (FLAG_YELLOW, 3)) if s >= need]
        for s in streaks
    ]
    table["reward"] = [
        _reward(float(p), int(b), opts)
        for p, b in zip(table["change_pct"], table["basis_count"], strict=True)
    ]
    names = (
        dict(zip(areas[AREA_ID].astype(str), areas["name"].astype(str), strict=True))
        if "name" in areas.columns
        else {}
    )
    table["name"] = [names.get(a, a) for a in table["area_id"]]
    table["leader"] = [(leaders or {}).get(a, "") for a in table["area_id"]]
    table = table.sort_values(
        ["rank", "area_id"], na_position="last", kind="stable", ignore_index=True
    )
    table["rank"] = table["rank"].astype("Int64")
    quarter_start = pd.Period(year=period.year, month=3 * ((period.month - 1) // 3) + 1, freq="M")
    notes = []
    if computed:
        notes.append(
            "bulletin of " + ", ".join(computed) + " computed from the incidents (not in the "
            "history given)"
        )
    return MonthlyEvaluation(
        month=str(period),
        options=opts,
        areas=table[list(AREA_COLUMNS)],
        quarter=_rollup(counts, quarter_start, period, notices),
        year=_rollup(counts, year_start, period, notices),
        notices=notices,
        notes=tuple(notes),
    )


def _rollup(
    counts: pd.DataFrame,
    start: pd.Period,
    end: pd.Period,
    notices: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    months = pd.period_range(start, end, freq="M")
    before = [m - 12 for m in months]
    now = counts[list(months)].sum(axis=1).to_numpy()
    then = counts[before].sum(axis=1).to_numpy()
    change = now - then
    ids = counts.index.astype(str)
    return pd.DataFrame(
        {
            "area_id": ids,
            "count": now,
            "count_last_year": then,
            "change": change,
            "change_pct": _pct(change, then, 1),
            "notices": [sum(1 for m in months if a in notices.get(str(m), ())) for a in ids],
            "months": f"{months[0]}..{months[-1]}",
        }
    )
