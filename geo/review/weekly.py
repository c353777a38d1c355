"""The weekly review (每周点评): incidents by area and category against last week and the same
week last year, and the areas that are new or persisting hotspots.

Weeks are ISO weeks (``"2024-W10"``: Monday 4 to Sunday 10 March 2024) of the incidents' local
time. The same week last year is the ISO week with the same number (``2023-W10``), so both weeks
hold the same weekdays. With the grid cells (the week's plans' grid, or one laid over the
areas), the pack also lists the hotspot *cells*: the week's top cells by count, *persisting*
when they were among last week's top cells too, else *new*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots.trends import _canonical_names
from geo.hotspots.weights import CategoryWeights
from geo.review.monthly import assign_to_areas
from geo.schema import AREA_ID, CATEGORY, CELL_ID, CELL_NAME, OCCURRED_AT

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")

#: Columns of :attr:`WeeklyIncidents.cells`.
CELL_COLUMNS = ("cell_id", "name", "area_id", "count", "count_last_week", "change_week", "hotspot")
#: A cell needs at least this many incidents in a week to be one of its hotspot cells (one
#: incident in a 250 m cell is chance, not a hotspot).
MIN_CELL_COUNT = 2


def week_bounds(week: str) -> tuple[date, date]:
    """First (Monday) and last (Sunday) day of the ISO week ``"2024-W10"``.

    Raises
    ------
    ValueError
        For text that is not an ISO week, naming the argument.
    """
    match = _WEEK_RE.match(str(week).strip())
    if match is None:
        raise ValueError(f"week: expected an ISO week such as 2024-W10, got {week!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"week: {year} has no ISO week {number} (got {week!r})") from None
    return monday, monday + timedelta(days=6)


def _shift_week(week: str, weeks: int = 0, years: int = 0) -> str:
    monday, _ = week_bounds(week)
    if years:
        year, number, _ = monday.isocalendar()
        number = min(number, date(year + years, 12, 28).isocalendar()[1])
        monday = date.fromisocalendar(year + years, number, 1)
    monday += timedelta(weeks=weeks)
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


@dataclass(frozen=True)
class WeeklyIncidents:
    """One week's incidents by area.

    Attributes
    ----------
    week, previous_week, week_last_year
        The ISO weeks compared.
    by_area
        ``area_id``, ``name``, ``count``, ``count_last_week``, ``count_last_year``,
        ``change_week``, ``change_year``, ``hotspot`` (``"new"``, ``"persisting"`` or empty).
    by_category
        The same counts per ``area_id`` and ``category``.
    cells
        The hotspot cells of the week or the week before (:data:`CELL_COLUMNS`): ``hotspot``
        ``"new"`` or ``"persisting"`` for this week's, ``"ended"`` for last week's that are no
        longer; largest count first. Empty when no cells were given or none had
        :data:`MIN_CELL_COUNT` incidents.
    cells_counted
        Whether cells were given (an empty ``cells`` then means no cell was a hotspot).
    """

    week: str
    previous_week: str
    week_last_year: str
    by_area: pd.DataFrame
    by_category: pd.DataFrame
    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(CELL_COLUMNS)))
    cells_counted: bool = False


def evaluate_week(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    week: str,
    *,
    categories: Iterable[str] | None = None,
    hotspot_top: int = 3,
    cells: gpd.GeoDataFrame | None = None,
    cell_top: int = 10,
) -> WeeklyIncidents:
    """Count a week's incidents per area and category against last week and a year before.

    An area is a hotspot of a week when it is among the ``hotspot_top`` areas by count (with at
    least one incident); it is *persisting* when it was one the week before too, else *new*.
    With ``cells`` (grid cells: ``cell_id``, optionally ``name``, polygons), the same for the
    ``cell_top`` cells by count with at least :data:`MIN_CELL_COUNT` incidents.
    """
    if hotspot_top < 0:
        raise ValueError(f"hotspot_top: expected >= 0, got {hotspot_top}")
    if cell_top < 0:
        raise ValueError(f"cell_top: expected >= 0, got {cell_top}")
    week_bounds(week)  # checks the text
    weeks = {
        "this": str(week).strip(),
        "last_week": _shift_week(week, weeks=-1),
        "last_year": _shift_week(week, years=-1),
    }
    weeks["before_last"] = _shift_week(week, weeks=-2)
    table = CategoryWeights()
    cell_of = None
    if cells is not None:
        if CELL_ID not in cells.columns:
            raise ValueError(f"cells: missing column {CELL_ID!r}")
        grid = gpd.GeoDataFrame(
            {AREA_ID: cells[CELL_ID].astype(str).to_numpy()}, geometry=cells.geometry.values
        ).set_crs(cells.crs)
        cell_of = assign_to_areas(incidents, grid).to_numpy()
    frame = pd.DataFrame(
        {
            "cell_id": cell_of if cell_of is not None else None,
            AREA_ID: assign_to_areas(incidents, areas).to_numpy(),
            "category": table.canonical(incidents[CATEGORY].astype("string")).to_numpy()
            if CATEGORY in incidents.columns
            else "all",
            "local": pd.to_datetime(incidents[OCCURRED_AT]).dt.tz_localize(None).to_numpy()
            if getattr(incidents[OCCURRED_AT].dt, "tz", None) is not None
            else pd.to_datetime(incidents[OCCURRED_AT]).to_numpy(),
        }
    )
    if categories is not None:
        wanted = _canonical_names(categories, table)
        frame = frame[frame["category"].str.replace(" ", "_").isin(wanted)]
    frame = frame[frame[AREA_ID].notna()]
    iso = pd.DatetimeIndex(frame["local"]).isocalendar()
    frame["week"] = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    ids = areas[AREA_ID].astype(str).tolist()
    names = (
        dict(zip(ids, areas["name"].astype(str), strict=True)) if "name" in areas.columns else {}
    )

    def count(by: list[str], which: str) -> pd.Series:
        return frame[frame["week"] == weeks[which]].groupby(by).size()

    area_counts = {k: count([AREA_ID], k).reindex(ids, fill_value=0) for k in weeks}
    by_area = pd.DataFrame(
        {
            "area_id": ids,
            "name": [names.get(a, a) for a in ids],
            "count": area_counts["this"].to_numpy(),
            "count_last_week": area_counts["last_week"].to_numpy(),
            "count_last_year": area_counts["last_year"].to_numpy(),
        }
    )
    by_area["change_week"] = by_area["count"] - by_area["count_last_week"]
    by_area["change_year"] = by_area["count"] - by_area["count_last_year"]

    def top(counts: pd.Series) -> set[str]:
        positive = counts[counts > 0].sort_index().sort_values(ascending=False, kind="stable")
        return set(positive.head(hotspot_top).index.astype(str))

    now, before = top(area_counts["this"]), top(area_counts["last_week"])
    by_area["hotspot"] = [
        ("persisting" if a in before else "new") if a in now else "" for a in by_area["area_id"]
    ]
    by_area = by_area.sort_values(
        ["count", "change_week", "area_id"], ascending=[False, False, True], ignore_index=True
    )
    keys = [AREA_ID, "category"]
    cat_counts = {k: count(keys, k) for k in ("this", "last_week", "last_year")}
    index = pd.MultiIndex.from_tuples(
        sorted(set().union(*[set(c.index) for c in cat_counts.values()])), names=keys
    )
    by_category = pd.DataFrame(
        {
            "count": cat_counts["this"].reindex(index, fill_value=0),
            "count_last_week": cat_counts["last_week"].reindex(index, fill_value=0),
            "count_last_year": cat_counts["last_year"].reindex(index, fill_value=0),
        },
        index=index,
    ).reset_index()
    by_category = by_category.rename(columns={AREA_ID: "area_id"})
    by_category[["count", "count_last_week", "count_last_year"]] = by_category[
        ["count", "count_last_week", "count_last_year"]
    ].astype(np.int64)
    hot_cells = pd.DataFrame(columns=list(CELL_COLUMNS))
    if cells is not None:
        hot_cells = _hotspot_cells(frame, cells, weeks, cell_top)
    return WeeklyIncidents(
        week=weeks["this"],
        previous_week=weeks["last_week"],
        week_last_year=weeks["last_year"],
        by_area=by_area,
        by_category=by_category,
        cells=hot_cells,
        cells_counted=cells is not None,
    )


def _hotspot_cells(
    frame: pd.DataFrame, cells: gpd.GeoDataFrame, weeks: dict[str, str], top: int
) -> pd.DataFrame:
    """This week's and last week's top cells by count, marked new, persisting or ended."""
    inside = frame[frame["cell_id"].notna()]

    def counts(which: str) -> pd.Series:
        return inside[inside["week"] == weeks[which]].groupby("cell_id").size()

    def leaders(series: pd.Series) -> list[str]:
        kept = series[series >= MIN_CELL_COUNT].sort_index()
        return [str(c) for c in kept.sort_values(ascending=False, kind="stable").head(top).index]

    now, before = counts("this"), counts("last_week")
    this_top, last_top = leaders(now), leaders(before)
    ids = cells[CELL_ID].astype(str).tolist()
    names = (
        dict(zip(ids, cells[CELL_NAME].astype(str), strict=True))
        if CELL_NAME in cells.columns
        else {}
    )
    areas = dict(zip(ids, cells[AREA_ID], strict=True)) if AREA_ID in cells.columns else {}
    # the area most of the cell's incidents of the week fell in, else the grid's
    area_of = inside.groupby("cell_id")[AREA_ID].agg(lambda a: a.mode().iloc[0]).to_dict()
    rows = []
    for cell in [*this_top, *[c for c in last_top if c not in this_top]]:
        area = area_of.get(cell, areas.get(cell))
        rows.append(
            {
                "cell_id": cell,
                "name": names.get(cell, cell),
                "area_id": None if area is None or pd.isna(area) else str(area),
                "count": int(now.get(cell, 0)),
                "count_last_week": int(before.get(cell, 0)),
                "change_week": int(now.get(cell, 0)) - int(before.get(cell, 0)),
                "hotspot": ("persisting" if cell in last_top else "new")
                if cell in this_top
                else "ended",
            }
        )
    return pd.DataFrame(rows, columns=list(CELL_COLUMNS))
