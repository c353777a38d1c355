"""Pictures of the review reports, drawn with matplotlib on the working (metric) CRS.

:func:`plan_vs_actual_png` draws every unit's planned street route (dashed) under its actual
track (solid) and crosses the missed stops; :func:`monthly_map_png` colours the areas by their
change and outlines the ones named in the bulletin.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from maps.bundle import PlanBundle
from maps.colors import unit_color
from maps.fonts import apply_figure_font
from maps.i18n import Translator


def _thin(frame: pd.DataFrame, every_s: float) -> pd.DataFrame:
    """One fix per ``every_s`` seconds per unit (a 1 Hz track draws the same at 1/10 Hz)."""
    bucket = np.floor(frame["wall_s"].to_numpy(dtype=float) / every_s)
    return frame.assign(_b=bucket).drop_duplicates(["unit_id", "_b"]).drop(columns="_b")


def plan_vs_actual_png(
    bundle: PlanBundle,
    stops: pd.DataFrame,
    fixes: pd.DataFrame,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
    width_in: float = 7.2,
    height_in: float = 6.0,
    dpi: int = 150,
) -> bytes:
    """PNG of planned routes against actual tracks.

    Parameters
    ----------
    bundle
        The plan (routes with street legs, cells).
    stops
        :attr:`planner.review.PlanReview.stops` (``visited`` per stop).
    fixes
        The fixes used (``unit_id``, ``x``, ``y``, ``wall_s``), in the bundle's CRS.
    units
        Only these units (default all).
    """
    tr = Translator(lang)
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.subplots()
    routes = bundle.routes(units)
    if bundle.cells is not None and len(bundle.cells):
        bundle.cells.boundary.plot(ax=ax, color="#cccccc", linewidth=0.3, zorder=1)
    shown = _thin(fixes, 10.0) if len(fixes) else fixes
    all_routes = bundle.routes()
    for route in routes:
        color = unit_color(next(i for i, r in enumerate(all_routes) if r.unit_id == route.unit_id))
        for leg in route.legs:
            lx, ly = leg.xy
            ax.plot(lx, ly, color=color, linewidth=1.0, linestyle=(0, (3, 2)), alpha=0.7, zorder=2)
        track = shown[shown["unit_id"] == route.unit_id].sort_values("wall_s")
        if len(track):
            breaks = np.flatnonzero(np.diff(track["wall_s"].to_numpy()) > 300) + 1
            for part in np.split(np.arange(len(track)), breaks):
                ax.plot(
                    track["x"].to_numpy()[part],
                    track["y"].to_numpy()[part],
                    color=color,
                    linewidth=1.4,
                    zorder=3,
                )
        mine = stops[stops["unit_id"] == route.unit_id]
        visited = set(mine.loc[mine["visited"], "order"].astype(int))
        for stop in route.stops:
            if stop.order in visited:
                ax.scatter([stop.x], [stop.y], s=14, color=color, edgecolor="white", zorder=4)
            else:
                ax.scatter([stop.x], [stop.y], s=40, marker="x", color="#b2182b", zorder=5)
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())
    handles = [
        Line2D([0], [0], color="#444444", linestyle=(0, (3, 2)), label=tr("review.legend.planned")),
        Line2D([0], [0], color="#444444", linewidth=1.6, label=tr("review.legend.actual")),
        Line2D(
            [0], [0], marker="x", color="#b2182b", linestyle="", label=tr("review.legend.missed")
        ),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.85)
    apply_figure_font(fig, tr.lang)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def monthly_map_png(
    areas: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    lang: str = "en",
    width_in: float = 6.0,
    height_in: float = 4.6,
    dpi: int = 150,
) -> bytes:
    """PNG of the areas coloured by their change (red rise, green fall, grey not ranked),
    labelled with their rank; areas named in the bulletin have a thick outline."""
    tr = Translator(lang)
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.subplots()
    by_id = table.set_index(table["area_id"].astype(str))
    frame = areas.copy()
    frame["_id"] = frame["area_id"].astype(str)
    change = frame["_id"].map(by_id["change"]).astype(float)
    ranked = frame["_id"].map(by_id["status"]).eq("ranked")
    top = float(np.nanmax(np.abs(change[ranked]))) if ranked.any() else 1.0
    top = top or 1.0

    def colour(value: float, is_ranked: bool) -> str:
        if not is_ranked or not np.isfinite(value):
            return "#e0e0e0"
        share = min(abs(value) / top, 1.0)
        if value > 0:
            return _mix("#fee0d2", "#cb181d", share)
        if value < 0:
            return _mix("#e5f5e0", "#238b45", share)
        return "#f7f7f7"

    frame["_colour"] = [colour(v, r) for v, r in zip(change, ranked, strict=True)]
    frame.plot(ax=ax, color=frame["_colour"], edgecolor="#777777", linewidth=0.4)
    flagged = (
        frame["_id"].map(by_id["flags"]).map(lambda f: bool(f) if isinstance(f, list) else False)
    )
    if flagged.any():
        frame[flagged].boundary.plot(ax=ax, color="#111111", linewidth=1.8)
    for geom, area_id in zip(frame.geometry, frame["_id"], strict=True):
        rank = by_id.loc[area_id, "rank"] if area_id in by_id.index else None
        if rank is None or pd.isna(rank):
            continue
        point = geom.representative_point()
        ax.annotate(str(int(rank)), (point.x, point.y), ha="center", va="center", fontsize=6)
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())
    apply_figure_font(fig, tr.lang)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _mix(low: str, high: str, share: float) -> str:
    a = np.array([int(low[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    b = np.array([int(high[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    c = np.round(a + (b - a) * share).astype(int)
    return "#" + "".join(f"{v:02x}" for v in c)
