"""The coverage curves of a staffing proposal as a PNG chart, one panel per shift."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from planner.staffing import DISTRICT, CoverageCurve


def curves_png(curves: Sequence[CoverageCurve], *, title: str = "", dpi: int = 120) -> bytes:
    """Coverage curves (share of risk covered against units) as PNG bytes, one panel per shift.

    The target is a dashed line; each curve's minimum is circled; infeasible points are
    drawn as crosses at zero.
    """
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
                label = c.fleet if c.scope == DISTRICT else f"{c.fleet} ({c.scope})"
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
                ax.axhline(target * 100, ls="--", lw=1, color="grey")
            ax.set_title(f"shift {shift}" if shift else "shift")
            ax.set_xlabel("units on duty")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(0, 102)
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7, loc="lower right")
        axes[0][0].set_ylabel("risk covered (%)")
        if title:
            fig.suptitle(title, fontsize=10)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        fig.clear()
