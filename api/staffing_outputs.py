"""Writing a staffing proposal to files: tables (CSV, XLSX), coverage chart (PNG), roster.

Tables are built as pandas frames first (:func:`staffing_frame`, :func:`curves_frame`, ...), so
the command line, the service and the PDF in ``maps/`` can share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from planner.staffing import CoverageCurve, Roster, StaffingProposal, StaggeredShifts
from planner.staffing.roster import DAY_NAMES


def staffing_frame(proposal: StaffingProposal) -> pd.DataFrame:
    """The staffing table: one row per area × shift plus each area's team row."""
    return pd.DataFrame(
        [
            {
                "area_id": r.area_id,
                "area": r.area_name,
                "shift": r.shift,
                "population": r.population,
                "norm_fulltime": r.norm_fulltime,
                "norm_volunteers": r.norm_volunteers,
                "norm_monthly_pay": r.norm_monthly_pay,
                "workload_units": r.workload_units,
                "workload_people": r.workload_people,
                "required": r.required,
                "current": r.current,
                "gap": r.gap,
                "basis": r.basis,
            }
            for r in proposal.rows
        ]
    ).astype(
        {
            "norm_fulltime": "Int64",
            "norm_volunteers": "Int64",
            "workload_people": "Int64",
            "required": "Int64",
            "current": "Int64",
            "gap": "Int64",
        }
    )


def curves_frame(curves: Sequence[CoverageCurve]) -> pd.DataFrame:
    """Every point of every coverage curve, one row each."""
    rows = []
    for c in curves:
        for p in c.points:
            rows.append(
                {
                    "scope": c.scope,
                    "shift": c.shift,
                    "fleet": c.fleet,
                    "units": p.units,
                    "people": p.people,
                    "units_by_mode": ", ".join(f"{m} {n}" for m, n in p.units_by_mode.items()),
                    "feasible": p.feasible,
                    "risk_share": round(p.risk_share, 4),
                    "marginal_share": round(p.marginal_share, 4),
                    "presence_min": round(p.presence_min, 1),
                    "marginal_presence_min": round(p.marginal_presence_min, 1),
                    "raw_risk_share": None
                    if p.raw_risk_share is None
                    else round(p.raw_risk_share, 4),
                    "carried": p.carried,
                    "is_minimum": c.minimum_units == p.units,
                    "target_share": c.target_share,
                    "seconds": round(p.seconds, 2),
                    "reason": p.reason,
                }
            )
    return pd.DataFrame(rows)


def shifts_frame(shifts: StaggeredShifts) -> pd.DataFrame:
    """Hour by hour: risk weight, need, people on duty with fixed and proposed shifts."""
    return pd.DataFrame(
        {
            "hour": range(24),
            "risk_weight": [round(w, 4) for w in shifts.weights],
            "need": list(shifts.need),
            "fixed_on_duty": list(shifts.fixed.on_duty),
            "proposed_on_duty": list(shifts.proposed.on_duty),
        }
    )


def roster_frame(roster: Roster) -> pd.DataFrame:
    """The roster as a long table (one row per person, day and shift)."""
    return pd.DataFrame(
        [
            {
                "day": e.day,
                "weekday": DAY_NAMES[e.day] if e.date is None else e.date.strftime("%a"),
                "date": "" if e.date is None else e.date.isoformat(),
                "shift": e.shift,
                "start": f"{e.start_h:02d}:00",
                "hours": e.length_h,
                "person_id": e.person_id,
                "name": e.name,
                "night": e.night,
                "weekend": e.weekend,
            }
            for e in roster.entries
        ]
    )


def roster_grid(roster: Roster) -> pd.DataFrame:
    """Person × day grid with the shift worked ("" = off) and the person's totals."""
    labels = [
        DAY_NAMES[d] if roster.start_date is None else _day_label(roster, d) for d in range(7)
    ]
    cells = {(e.person_id, e.day): e.shift for e in roster.entries}
    rows = []
    for t in roster.totals:
        row: dict[str, object] = {"person_id": t.person_id, "name": t.name}
        for d, label in enumerate(labels):
            row[label] = cells.get((t.person_id, d), "")
        row.update({"shifts": t.shifts, "nights": t.nights, "weekend": t.weekend})
        rows.append(row)
    return pd.DataFrame(rows)


def _day_label(roster: Roster, d: int) -> str:
    assert roster.start_date is not None
    day = roster.start_date + pd.Timedelta(days=d).to_pytimedelta()
    return f"{day:%a} {day:%m-%d}"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (with BOM, so spreadsheet programs read Chinese names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write one sheet per frame, with column widths fitted to the content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width + 2, 60)
    return path


def plot_curves_png(curves: Sequence[CoverageCurve], path: Path, *, title: str = "") -> Path:
    """Coverage curves (share of risk covered against units) as a PNG, one panel per shift.

    The target is a dashed line; each curve's minimum is circled; infeasible points are
    drawn as crosses at zero.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shifts = list(dict.fromkeys(c.shift for c in curves if c.points)) or [""]
    fig, axes = plt.subplots(
        1, len(shifts), figsize=(4.2 * len(shifts), 3.6), squeeze=False, sharey=True
    )
    for ax, shift in zip(axes[0], shifts, strict=True):
        target = None
        for c in curves:
            if c.shift != shift or not c.points:
                continue
            target = c.target_share
            label = c.fleet if c.scope == "all" else f"{c.fleet} ({c.scope})"
            xs = [p.units for p in c.points]
            ys = [p.risk_share * 100 for p in c.points]
            (line,) = ax.plot(xs, ys, marker="o", ms=3, label=label)
            bad = [p.units for p in c.points if not p.feasible]
            if bad:
                ax.plot(bad, [0] * len(bad), "x", color=line.get_color())
            if c.minimum_units is not None:
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
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    axes[0][0].set_ylabel("risk covered (%)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
