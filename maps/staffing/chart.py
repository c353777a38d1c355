"""The coverage curves of a staffing proposal as a PNG chart, one panel per shift.

Labels are in the chosen language and set in the fonts that come with the install
(:func:`maps.fonts.apply_figure_font`), so a Chinese chart has no empty glyph boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from maps.fonts import apply_figure_font
from maps.i18n import Translator
from planner.staffing import DISTRICT, CoverageCurve


def curves_png(
    curves: Sequence[CoverageCurve], *, title: str = "", dpi: int = 120, lang: str = "en"
) -> bytes:
    """Coverage curves (share of risk covered against units) as PNG bytes, one panel per shift.

    The target is a dashed line; each curve's minimum is circled; infeasible points are
    drawn as crosses at zero. Labels, fleet and shift names are in ``lang``.
    """
    tr = Translator(lang)
    shifts = list(dict.fromkeys(c.shift for c in curves if c.points)) or [""]
    # A Figure of its own (no pyplot): no global state, safe in the service's processes.
    fig = Figure(figsize=(4.2 * len(shifts), 3.6), dpi=dpi)
    axes = fig.subplots(1, len(shifts), squeeze=False, sharey=True)
    try:
        for ax, shift in zip(axes[0], shifts, strict=True):
            target = None
            for c in curves:
                if c.shift != shift or not c.points:
                    continue
                target = c.target_share
                fleet = tr.get(f"fleet.{c.fleet}", c.fleet)
                label = fleet if c.scope == DISTRICT else f"{fleet} ({c.scope})"
                xs = [p.units for p in c.points]
                ys = [p.risk_share * 100 for p in c.points]
                (line,) = ax.plot(xs, ys, marker="o", ms=3, label=label)
                bad = [p.units for p in c.points if not p.feasible]
                if bad:
                    ax.plot(bad, [0] * len(bad), "x", color=line.get_color())
                if c.minimum_units is not None and c.minimum_units >= 1:
                    ax.plot(
                        [c.minimum_units],
                        [c.points[c.minimum_units - 1].risk_share * 100],
                        "o",
                        ms=10,
                        mfc="none",
                        color=line.get_color(),
                    )
            if target is not None:
                ax.axhline(
                    target * 100, ls="--", lw=1, color="grey", label=tr("staff.chart.target")
                )
            ax.set_title(tr("staff.chart.shift", shift=shift) if shift else tr("word.shift"))
            ax.set_xlabel(tr("staff.chart.x"))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            whole_units_axis(ax)
            ax.set_ylim(0, 102)
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7, loc="lower right")
        axes[0][0].set_ylabel(tr("staff.chart.y") + " (%)")
        if title:
            fig.suptitle(title, fontsize=10)
        apply_figure_font(fig, tr.lang)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        fig.clear()


def whole_units_axis(ax: Axes) -> None:
    """A panel with one fleet size still reads in whole units (no 0.995 … 1.005 ticks)."""
    low, high = ax.get_xlim()
    if high - low < 2:
        middle = round((low + high) / 2)
        ax.set_xlim(middle - 1, middle + 1)
