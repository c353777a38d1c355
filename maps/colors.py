"""Colours shared by maps and sheets: one per unit, classed risk, Gi* classes."""

from __future__ import annotations

#: Distinct unit colours that stand out on the yellow-to-red risk cells (no reds or oranges
#: first), reused cyclically.
UNIT_COLORS = (
    "#1f4e9e",
    "#1b7837",
    "#6a3d9a",
    "#0097a7",
    "#222222",
    "#c51b7d",
    "#8c510a",
    "#4d9221",
    "#2166ac",
    "#762a83",
)

#: ColorBrewer YlOrRd, 9 classes, light to dark.
YLORRD_9 = (
    "#ffffcc",
    "#ffeda0",
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#fc4e2a",
    "#e31a1c",
    "#bd0026",
    "#800026",
)

NO_DATA = "#d9d9d9"

#: Gi* significance classes (geo.hotspots.gistar.CLASSES) → colour.
SIGNIFICANCE_COLORS = {
    "hot 99%": "#b2182b",
    "hot 95%": "#ef8a62",
    "hot 90%": "#fddbc7",
    "cold 90%": "#d1e5f0",
    "cold 95%": "#67a9cf",
    "cold 99%": "#2166ac",
}


def unit_color(index: int) -> str:
    """The colour of the ``index``-th unit of a plan."""
    return UNIT_COLORS[index % len(UNIT_COLORS)]


def risk_colors(k: int) -> list[str]:
    """``k`` colours from light to dark YlOrRd (2 <= k <= 9)."""
    if not 2 <= k <= len(YLORRD_9):
        raise ValueError(f"k must be between 2 and {len(YLORRD_9)} classes, got {k!r}")
    step = (len(YLORRD_9) - 2) / (k - 1)
    return [YLORRD_9[1 + round(i * step)] for i in range(k)]
