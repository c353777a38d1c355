"""A unit's route drawn from its street geometry, without web tiles, as a PNG for its sheet.

The map covers the unit's own route (legs, stops, station) with a margin, not the district, so
a foot route fills the picture; the scale bar is sized to that extent. matplotlib draws the
grid cells in view (light), the named streets the route runs along with their OSM names (from
the plan file's route ``streets``), the street legs in the unit's colour, numbered stops and
the station, on a metric axis in the working CRS.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from shapely.geometry import LineString, box

from maps.fonts import FontError, apply_figure_font
from maps.routegeom import RouteGeometry
from planner.plan import UnitRoute

#: Round lengths a scale bar may take, metres.
SCALE_BAR_STEPS_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)
#: The narrowest extent a route map shows (a stop held at the station still shows its block).
MIN_SPAN_M = 300.0
#: Margin around the route, as a share of its larger side.
MARGIN = 0.08
#: At most this many street names on one map (the longest first, none over another).
MAX_STREET_LABELS = 18


@dataclass(frozen=True)
class RouteMap:
    """A drawn route map and the facts printed with it.

    Attributes
    ----------
    png
        The picture.
    extent
        ``(minx, miny, maxx, maxy)`` shown, metres in the working CRS.
    scale_bar_m
        Length of the scale bar.
    width_in, height_in
        Size of the picture in inches (at which it is printed).
    """

    png: bytes
    extent: tuple[float, float, float, float]
    scale_bar_m: int
    width_in: float
    height_in: float

    @property
    def scale(self) -> int:
        """Map scale denominator when printed at ``width_in`` (1:N), to two significant
        figures."""
        ground_m = self.extent[2] - self.extent[0]
        paper_m = self.width_in * 0.0254
        raw = ground_m / paper_m
        digits = max(0, int(math.floor(math.log10(raw))) - 1)
        return int(round(raw / 10**digits) * 10**digits)


def route_extent(
    route: UnitRoute, geometry: RouteGeometry, *, aspect: float | None = None
) -> tuple[float, float, float, float]:
    """The part of the map a unit's sheet shows: its legs, stops and station with a margin,
    at least :data:`MIN_SPAN_M` across, widened to ``aspect`` (width / height) if given."""
    xs = [p[0] for p in geometry.places] + [s.x for s in route.stops]
    ys = [p[1] for p in geometry.places] + [s.y for s in route.stops]
    for leg in geometry.legs:
        lx, ly = leg.xy
        xs.extend(lx)
        ys.extend(ly)
    if not xs:
        raise ValueError(f"route {route.unit_id}: nothing to draw (no station, stop or leg)")
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    span = max(maxx - minx, maxy - miny, MIN_SPAN_M)
    pad = span * MARGIN
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w = max(maxx - minx, MIN_SPAN_M) + 2 * pad
    h = max(maxy - miny, MIN_SPAN_M) + 2 * pad
    if aspect is not None:
        if w / h < aspect:
            w = h * aspect
        else:
            h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def scale_bar_length(width_m: float) -> int:
    """The round length of a scale bar about a fifth of a map ``width_m`` wide."""
    target = width_m / 5
    return max((v for v in SCALE_BAR_STEPS_M if v <= target), default=SCALE_BAR_STEPS_M[0])


def map_height_in(
    route: UnitRoute, geometry: RouteGeometry, width_in: float, *, low: float, high: float
) -> float:
    """Picture height that fits the route's own shape at ``width_in``, within ``[low, high]``."""
    minx, miny, maxx, maxy = route_extent(route, geometry)
    return min(high, max(low, width_in * (maxy - miny) / (maxx - minx)))


def route_map(
    route: UnitRoute,
    geometry: RouteGeometry,
    color: str,
    *,
    streets: Sequence[tuple[str, LineString]] = (),
    cells: gpd.GeoDataFrame | None = None,
    width_in: float = 7.0,
    height_in: float = 3.4,
    dpi: int = 150,
    lang: str = "en",
) -> RouteMap:
    """Draw the route map of ``route`` (see the module docstring).

    Parameters
    ----------
    route, geometry
        The route and its street legs (:func:`maps.routegeom.route_geometry`).
    color
        The unit's colour.
    streets
        ``(name, line)`` pieces of the named streets the route uses (working CRS).
    cells
        Grid cells, drawn light where they fall in view.
    width_in, height_in, dpi
        Size of the picture.
    lang
        Language of the sheet (labels use its font; Chinese street names use the CJK font).
    """
    extent = route_extent(route, geometry, aspect=width_in / height_in)
    minx, miny, maxx, maxy = extent
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    try:
        if cells is not None and len(cells):
            view = cells[cells.intersects(box(*extent))]
            if len(view):
                view.boundary.plot(ax=ax, color="#d0d0d0", linewidth=0.5, zorder=1)
        for _, line in streets:
            lx, ly = line.xy
            ax.plot(lx, ly, color="#9a9a9a", linewidth=5.5, zorder=2, solid_capstyle="round")
        for leg, straight in zip(geometry.legs, geometry.straight, strict=True):
            lx, ly = leg.xy
            ax.plot(lx, ly, color="white", linewidth=4.0, zorder=3, solid_capstyle="round")
            ax.plot(
                lx,
                ly,
                color=color,
                linewidth=2.2,
                linestyle="--" if straight else "-",
                zorder=4,
                solid_capstyle="round",
            )
        _street_labels(ax, streets, extent)
        if geometry.places:
            sx, sy = geometry.places[0]
            ax.scatter([sx], [sy], marker="s", s=120, color="#08306b", edgecolor="white", zorder=6)
            ax.annotate(
                "P", (sx, sy), color="white", ha="center", va="center", fontsize=7, zorder=7
            )
        for stop in route.stops:
            ax.scatter([stop.x], [stop.y], s=150, color=color, edgecolor="white", zorder=6)
            ax.annotate(
                str(stop.order),
                (stop.x, stop.y),
                color="white",
                ha="center",
                va="center",
                fontsize=6.5,
                fontweight="bold",
                zorder=7,
            )
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        ax.set_aspect("equal", adjustable="box")
        ax.xaxis.set_major_locator(NullLocator())
        ax.yaxis.set_major_locator(NullLocator())
        for side in ax.spines.values():
            side.set_color("#888888")
        bar = _scale_bar(ax, extent)
        _north_arrow(ax, extent)
        chinese = lang != "en" or any(_has_cjk(name) for name, _ in streets)
        try:
            apply_figure_font(fig, "zh-CN" if chinese else "en")
        except FontError:
            # no CJK font at all: Latin labels still print; maps.fonts reports the missing font
            apply_figure_font(fig, "en")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return RouteMap(buf.getvalue(), extent, bar, width_in, height_in)
    finally:
        fig.clear()


def route_png(
    route: UnitRoute,
    geometry: RouteGeometry,
    color: str,
    *,
    cells: gpd.GeoDataFrame | None = None,
    streets: Sequence[tuple[str, LineString]] = (),
    width_in: float = 7.0,
    height_in: float = 3.4,
    dpi: int = 150,
) -> bytes:
    """PNG bytes of :func:`route_map`."""
    return route_map(
        route,
        geometry,
        color,
        streets=streets,
        cells=cells,
        width_in=width_in,
        height_in=height_in,
        dpi=dpi,
    ).png


def _has_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _street_labels(
    ax: Axes, streets: Sequence[tuple[str, LineString]], extent: tuple[float, float, float, float]
) -> None:
    """Each street's name once, along the longest piece of it in view."""
    view = box(*extent)
    longest: dict[str, LineString] = {}
    for name, line in streets:
        part = line.intersection(view)
        if part.is_empty or not isinstance(part, LineString):
            continue
        if name not in longest or part.length > longest[name].length:
            longest[name] = part
    width = extent[2] - extent[0]
    min_len = width * 0.06
    # a label takes about this much ground per character at 6 pt on a 7-inch-wide picture
    per_char = width * 6 * 0.55 / (7.0 * 72)
    placed: list[Any] = []
    for name, line in sorted(longest.items(), key=lambda kv: -kv[1].length):
        if line.length < min_len or len(placed) >= MAX_STREET_LABELS:
            continue
        mid = line.interpolate(0.5, normalized=True)
        footprint = mid.buffer(max(len(name) * per_char / 2, width * 0.02))
        if any(footprint.intersects(other) for other in placed):
            continue  # would print over a name already placed
        placed.append(footprint)
        a = line.interpolate(max(0.0, line.length / 2 - 15))
        b = line.interpolate(min(line.length, line.length / 2 + 15))
        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        ax.annotate(
            name,
            (mid.x, mid.y),
            ha="center",
            va="center",
            fontsize=6,
            color="#222222",
            rotation=angle,
            rotation_mode="anchor",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> int:
    """A round-length scale bar at the bottom left (axes are metres); its length."""
    x0, y0, x1, y1 = extent
    length = scale_bar_length(x1 - x0)
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, zorder=8)
    ax.plot([bx, bx + length / 2], [by, by], color="white", linewidth=1.2, zorder=9)
    label = f"{length} m" if length < 1000 else f"{length / 1000:g} km"
    ax.annotate(
        label,
        (bx + length / 2, by),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize=7,
        zorder=8,
        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
    )
    return length


def _north_arrow(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = extent
    x, y = x1 - (x1 - x0) * 0.03, y1 - (y1 - y0) * 0.16
    ax.annotate(
        "N",
        xy=(x, y1 - (y1 - y0) * 0.04),
        xytext=(x, y),
        ha="center",
        va="center",
        fontsize=8,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        zorder=8,
    )
