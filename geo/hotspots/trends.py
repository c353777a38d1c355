"""Month-on-month (环比) and year-on-year (同比) trends per cell and per official area.

Counts are of incidents (unweighted: key-case counts as in the monthly evaluation), by local
calendar month. Changes are ``this - previous``; percentages are ``100 * change / previous``
and ``NaN`` where the previous count is 0 (a rise from nothing has no percentage).
:func:`rank_areas_by_rise` gives the monthly ranking of areas by the rise in key categories;
:func:`month_counts` the counts of a run of months, on which the monthly evaluation
(:mod:`geo.review.monthly`) builds its months, quarters and years.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots.columns import (
    KEY,
    LAST_MONTH,
    MOM_CHANGE,
    MOM_PCT,
    RANK,
    SAME_MONTH_LAST_YEAR,
    THIS_MONTH,
    YOY_CHANGE,
    YOY_PCT,
)
from geo.hotspots.events import events_from_incidents, layout_from_cells
from geo.hotspots.weights import CategoryWeights, normalise_name

#: Key categories of the monthly ranking: robbery and snatching (两抢), burglary and thefts.
KEY_CATEGORIES: tuple[str, ...] = (
    "robbery",
    "burglary",
    "vehicle_theft",
    "bicycle_theft",
    "theft",
)

Level = Literal["cell", "area"]


def trend_table(
    incidents: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    month: str | pd.Period,
    level: Level = "cell",
    categories: Iterable[str] | None = None,
    weights: CategoryWeights | None = None,
) -> pd.DataFrame:
    """Counts this month, last month and the same month last year, with 环比 and 同比.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and ``cell_id``.
    cells
        The grid; ``level="area"`` needs its ``area_id`` column.
    month
        The month reported, ``"2012-11"`` or a monthly :class:`pandas.Period`.
    level
        ``"cell"`` (one row per cell) or ``"area"`` (one row per ``area_id``).
    categories
        Only these categories (canonical or source names, matched as in
        :mod:`geo.hotspots.weights`); ``None`` for all.
    weights
        Synonym table used to match ``categories`` (default table when ``None``).

    Returns
    -------
    DataFrame with ``key`` (cell or area id), ``this_month``, ``last_month``,
    ``same_month_last_year``, ``mom_change``, ``mom_pct``, ``yoy_change``, ``yoy_pct``; every
    cell or area is listed, also with zero counts.
    """
    period = _month(month)
    if level not in ("cell", "area"):
        raise ValueError(f"level must be 'cell' or 'area', got {level!r}")
    table = weights if weights is not None else CategoryWeights()
    layout = layout_from_cells(cells)
    events = events_from_incidents(incidents, layout, weights=table)
    keep = np.ones(events.n, dtype=bool)
    if categories is not None:
        wanted = _canonical_names(categories, table)
        keep = np.isin(events.category, list(wanted))
    months = events.wall.dt.to_period("M").to_numpy()
    if level == "cell":
        keys = layout.cell_ids.to_numpy()
        event_keys = keys[events.cell]
        all_keys = pd.Index(keys)
    else:
        if layout.area_ids is None:
            raise ValueError("level='area' needs an 'area_id' column in cells; it has none")
        event_keys = layout.area_ids[events.cell]
        all_keys = pd.Index(pd.unique(pd.Series(layout.area_ids).dropna()))
        keep &= pd.notna(event_keys)

    def count(p: pd.Period) -> pd.Series:
        mask = keep & (months == p)
        counts = pd.Series(event_keys[mask]).value_counts()
        return counts.reindex(all_keys, fill_value=0).astype(int)

    this = count(period)
    last = count(period - 1)
    year = count(period - 12)
    out = pd.DataFrame(
        {
            KEY: all_keys,
            THIS_MONTH: this.to_numpy(),
            LAST_MONTH: last.to_numpy(),
            SAME_MONTH_LAST_YEAR: year.to_numpy(),
        }
    )
    out[MOM_CHANGE] = out[THIS_MONTH] - out[LAST_MONTH]
    out[MOM_PCT] = _pct(out[MOM_CHANGE], out[LAST_MONTH])
    out[YOY_CHANGE] = out[THIS_MONTH] - out[SAME_MONTH_LAST_YEAR]
    out[YOY_PCT] = _pct(out[YOY_CHANGE], out[SAME_MONTH_LAST_YEAR])
    return out


def month_counts(
    incidents: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    first: str | pd.Period,
    last: str | pd.Period,
    level: Level = "cell",
    categories: Iterable[str] | None = None,
    weights: CategoryWeights | None = None,
) -> pd.DataFrame:
    """Incidents per cell or area and local calendar month, from ``first`` to ``last``.

    The counts are those of :func:`trend_table` (same category matching, same local months),
    for a run of months at once: the monthly evaluation's months, quarters and years are sums
    of this table's columns.

    Returns
    -------
    DataFrame indexed by cell or area id (every one, also with no incidents), one integer
    column per monthly :class:`pandas.Period` from ``first`` to ``last``.
    """
    start, end = _month(first), _month(last)
    if end < start:
        raise ValueError(f"last: {end} is before first: {start}")
    if level not in ("cell", "area"):
        raise ValueError(f"level must be 'cell' or 'area', got {level!r}")
    table = weights if weights is not None else CategoryWeights()
    layout = layout_from_cells(cells)
    events = events_from_incidents(incidents, layout, weights=table)
    keep = np.ones(events.n, dtype=bool)
    if categories is not None:
        keep = np.isin(events.category, list(_canonical_names(categories, table)))
    months = events.wall.dt.to_period("M")
    if level == "cell":
        keys = layout.cell_ids.to_numpy()
        event_keys = keys[events.cell]
        all_keys = pd.Index(keys)
    else:
        if layout.area_ids is None:
            raise ValueError("level='area' needs an 'area_id' column in cells; it has none")
        event_keys = layout.area_ids[events.cell]
        all_keys = pd.Index(pd.unique(pd.Series(layout.area_ids).dropna()))
        keep &= pd.notna(event_keys)
    periods = pd.period_range(start, end, freq="M")
    frame = pd.DataFrame({"key": event_keys[keep], "month": months.to_numpy()[keep]})
    frame = frame[(frame["month"] >= start) & (frame["month"] <= end)]
    counts = frame.groupby(["key", "month"]).size().unstack("month", fill_value=0)
    counts = counts.reindex(index=all_keys, columns=periods, fill_value=0).fillna(0)
    return counts.astype(int)


def rank_areas_by_rise(
    incidents: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    month: str | pd.Period,
    categories: Iterable[str] | None = KEY_CATEGORIES,
    by: Literal["mom", "yoy"] = "mom",
    weights: CategoryWeights | None = None,
) -> pd.DataFrame:
    """The monthly ranking of areas by the rise in key categories (rank 1 = largest rise).

    Ties in the change are broken by this month's count (higher first), then by area id.
    Returns :func:`trend_table` at area level with a ``rank`` column, sorted by rank.
    """
    if by not in ("mom", "yoy"):
        raise ValueError(f"by must be 'mom' (环比) or 'yoy' (同比), got {by!r}")
    table = trend_table(
        incidents, cells, month=month, level="area", categories=categories, weights=weights
    )
    change = MOM_CHANGE if by == "mom" else YOY_CHANGE
    ordered = table.sort_values(
        [change, THIS_MONTH, KEY], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    ordered.insert(0, RANK, np.arange(1, len(ordered) + 1))
    return ordered


def _month(month: str | pd.Period) -> pd.Period:
    if isinstance(month, str) and re.fullmatch(r"\d{4}-\d{2}", month.strip()) is None:
        raise ValueError(f"month: expected 'YYYY-MM', got {month!r}")
    try:
        period = pd.Period(month, freq="M")
    except (ValueError, TypeError) as err:
        raise ValueError(f"month: expected 'YYYY-MM', got {month!r}") from err
    return period


def _canonical_names(categories: Iterable[str], table: CategoryWeights) -> set[str]:
    names = list(categories)
    canon = table.canonical(pd.Series(names, dtype="string"))
    unknown = [n for n, c in zip(names, canon, strict=True) if c == "unknown"]
    if unknown:
        raise ValueError(
            f"categories: {unknown!r} match no known category; expected canonical names "
            f"{sorted(table.weights)!r} or their synonyms"
        )
    return {normalise_name(c).replace(" ", "_") for c in canon}


def _pct(change: pd.Series, previous: pd.Series) -> pd.Series:
    prev = previous.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(prev > 0, 100.0 * change.to_numpy(dtype=float) / prev, np.nan)
    return pd.Series(values, index=change.index)
