"""A route drawn from its street geometry, without web tiles, as a PNG for printed sheets.

matplotlib draws the grid cells, the street legs in the unit's colour, numbered stops and the
station, on a metric axis in the working CRS (no reprojection needed for a picture).
"""

from __future__ import annotations

import io

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from maps.routegeom import RouteGeometry
from planner.plan import UnitRoute


def route_png(
    route: UnitRoute,
    geometry: RouteGeometry,
    color: str,
    *,
    cells: gpd.GeoDataFrame | None = None,
    width_in: float = 7.0,
    height_in: float = 3.1,
    dpi: int = 150,
) -> bytes:
    """PNG bytes of ``route``: grid cells (light), street legs, numbered stops, station."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.subplots()
    try:
        xs = [p[0] for p in geometry.places]
        ys = [p[1] for p in geometry.places]
        for leg in geometry.legs:
            lx, ly = leg.xy
            xs.extend(lx)
            ys.extend(ly)
        if cells is not None and len(cells):
            cells.boundary.plot(ax=ax, color="#bbbbbb", linewidth=0.5, zorder=1)
            minx, miny, maxx, maxy = cells.total_bounds
            xs.extend([minx, maxx])
            ys.extend([miny, maxy])
        for leg, straight in zip(geometry.legs, geometry.straight, strict=True):
            lx, ly = leg.xy
            ax.plot(lx, ly, color="white", linewidth=4.5, zorder=2, solid_capstyle="round")
            ax.plot(
                lx,
                ly,
                color=color,
                linewidth=2.4,
                linestyle="--" if straight else "-",
                zorder=3,
                solid_capstyle="round",
            )
        if geometry.places:
            sx, sy = geometry.places[0]
            ax.scatter([sx], [sy], marker="s", s=110, color="#08306b", edgecolor="white", zorder=5)
            ax.annotate(
                "P", (sx, sy), color="white", ha="center", va="center", fontsize=7, zorder=6
            )
        for stop in route.stops:
            ax.scatter([stop.x], [stop.y], s=150, color=color, edgecolor="white", zorder=5)
            ax.annotate(
                str(stop.order),
                (stop.x, stop.y),
                color="white",
                ha="center",
                va="center",
                fontsize=6.5,
                fontweight="bold",
                zorder=6,
            )
        if xs:
            pad = max(max(xs) - min(xs), max(ys) - min(ys), 200.0) * 0.04
            ax.set_xlim(min(xs) - pad, max(xs) + pad)
            ax.set_ylim(min(ys) - pad, max(ys) + pad)
        ax.set_aspect("equal")
        ax.xaxis.set_major_locator(NullLocator())
        ax.yaxis.set_major_locator(NullLocator())
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.xaxis.get_offset_text().set_visible(False)
        ax.yaxis.get_offset_text().set_visible(False)
        _scale_bar(ax)
        fig.tight_layout(pad=0.2)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        fig.clear()


def _scale_bar(ax: Axes) -> None:
    """A round-length scale bar at the bottom left (axes are metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    length = next((v for v in (50, 100, 200, 250, 500, 1000, 2000, 5000) if v >= target), 10000)
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, zorder=7)
    label = f"{length} m" if length < 1000 else f"{length // 1000} km"
    ax.annotate(
        label,
        (bx + length / 2, by),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize=7,
        zorder=7,
    )
