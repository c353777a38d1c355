"""``gridpatrol demo``: the main job on an embedded sample district, written to a folder.

Loads the sample, grids it, scores hotspots, plans the evening shift with the sample's
stations and duties, and writes every output a coordinator would use: the grid, the hotspot
table, the plan, the map (English and Chinese), the route sheets in every format and the
staffing proposal.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import typer

from api.cli.app import JsonOption, OutOption, SampleOption, app, console, emit_json, progress
from api.cli.plan import write_shift_plan
from api.cli.staffing import StaffingRunOptions, run_staffing
from api.outputs import write_grid_geojson
from api.pipeline import AnalysisOptions, PlanOptions, analyse, plan_bundle, plan_shift
from geo import sample
from geo.hotspots import resolve_band
from geo.hotspots.columns import SCORE
from geo.io import read_duties
from geo.schema import CELL_ID
from maps.sheets.csv import write_csv
from maps.sheets.geojson import write_geojson
from maps.sheets.gpx import write_gpx
from maps.sheets.pdf import write_pdf_sheets
from maps.sheets.xlsx import write_xlsx
from maps.webmap import MapOptions, build_map, save_map


@app.command()
def demo(
    out: OutOption = Path("out"),
    sample_name: SampleOption = sample.DEFAULT,
    cell_size_m: Annotated[
        float, typer.Option("--cell-size", help="Side of a square grid cell in metres.")
    ] = 250.0,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = 10.0,
    json_mode: JsonOption = False,
) -> None:
    """Run the main job on an embedded sample district and write its outputs to OUT."""
    con = console(json_mode)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    shift = resolve_band("16-24")
    assert shift is not None
    with progress(json_mode) as bar:
        step = bar.add_task(f"Loading sample district {sample_name}", total=100)
        district = sample.load(sample_name)

        def tell(description: str, fraction: float) -> None:
            bar.update(step, description=description, completed=5 + int(fraction * 45))

        analysis = analyse(district, AnalysisOptions(cell_size_m=cell_size_m), progress=tell)
        outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
        duties = read_duties(sample.data_dir(sample_name) / "duties.csv", boundary=outline)

        result = plan_shift(
            analysis,
            options=PlanOptions(shift=shift, time_limit_s=time_limit_s, on_infeasible="drop"),
            duties=duties,
            progress=lambda d, f: bar.update(step, description=d, completed=50 + int(f * 35)),
        )
        bar.update(step, description="Staffing proposal", completed=85)
        staffing = run_staffing(analysis, out / "staffing", StaffingRunOptions(max_units=8))
        bar.update(step, description="Writing outputs", completed=95)
        outputs = _write(analysis, result, out)
        for name in ("staffing_csv", "curves_png", "staffing_pdf_en", "roster_xlsx"):
            if name in staffing["outputs"]:
                outputs[name.replace("_", " ")] = staffing["outputs"][name]
        bar.update(step, description="Done", completed=100)

    plan = result.plan
    summary: dict[str, Any] = {
        "district": district.name,
        "sample": sample_name,
        "crs": district.crs.to_string(),
        "area_km2": round(district.area_km2, 2),
        "cells": len(analysis.grid.cells),
        "cell_size_m": cell_size_m,
        "incidents": len(district.incidents),
        "incidents_in_cells": int(analysis.cell_of_incident.notna().sum()),
        "time_of_day_known_share": round(float(district.incidents["time_known"].mean()), 3),
        "networks": {str(m): n.summary() for m, n in analysis.networks.items()},
        "shift": shift.name,
        "risk_band": result.risk_band,
        "plan": {
            "units": len(plan.routes),
            "tasks_offered": len(result.problem.tasks),
            "stops": sum(len(r.stops) for r in plan.routes),
            "risk_share": round(plan.risk_share, 4),
            "distance_km": round(plan.distance_m / 1000, 1),
            "dropped": len(plan.dropped),
            "seconds": round(result.seconds, 1),
        },
        "notes": list(result.notes),
        "attribution": sample.attribution(),
        "seconds": round(time.perf_counter() - started, 1),
        "outputs": outputs,
    }
    summary_path = out / "summary.json"
    summary["outputs"]["summary"] = str(summary_path)
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    if json_mode:
        emit_json(summary)
        return
    con.print(
        f"[bold]{district.name}[/]: {len(district.incidents):,} incidents, "
        f"{len(analysis.grid.cells):,} cells of {cell_size_m:g} m"
    )
    con.print(
        f"Shift {shift.name} on {result.problem.plan_date}: {len(plan.routes)} units, "
        f"{summary['plan']['stops']} stops, {plan.risk_share:.1%} of the risk value covered, "
        f"{len(plan.dropped)} task(s) not done (planned in {result.seconds:.1f} s)"
    )
    for note in result.notes:
        con.print(f"  note: {note}")
    con.print(f"Outputs (in {summary['seconds']:.0f} s):")
    for name, path in summary["outputs"].items():
        con.print(f"  {name:<26} {path}")


def _write(analysis: Any, result: Any, out: Path) -> dict[str, str]:
    """Write the grid with counts and risk, the hotspot table and the plan."""
    cells = analysis.grid.cells.copy()
    counts = analysis.incidents_per_cell
    cells["incidents"] = cells[CELL_ID].map(counts).fillna(0).astype(int)
    band_scores = analysis.risk.band(result.risk_band).set_index(CELL_ID)[SCORE]
    cells["risk"] = cells[CELL_ID].map(band_scores).fillna(0.0).round(4)
    outputs = {"grid": str(write_grid_geojson(cells, out / "grid.geojson"))}
    hotspots = result.hotspots.drop(columns=["peak_hours"]).copy()
    hotspots["peak_hours"] = result.hotspots["peak_hours"].map(
        lambda v: "" if v is None else ";".join(str(h) for h in v)
    )
    hot_path = out / "hotspots.csv"
    hotspots.drop(columns="geometry").to_csv(hot_path, index=False)
    outputs["hotspots"] = str(hot_path)
    plan_summary = write_shift_plan(result, analysis.district.crs, out)
    outputs.update(plan_summary["outputs"])
    bundle = plan_bundle(analysis, result)
    for lang in ("en", "zh-CN"):
        options = MapOptions(lang=lang, band=result.risk_band)
        path = save_map(build_map(bundle, options), out / f"map_{lang}.html", embed_assets=True)
        outputs[f"map ({lang})"] = str(path)
    sheets = out / "sheets"
    for lang in ("en", "zh-CN"):
        folder = sheets / lang
        pdfs = write_pdf_sheets(bundle, folder, lang=lang)
        outputs[f"route sheets pdf ({lang})"] = str(pdfs[0])
        outputs[f"route sheets xlsx ({lang})"] = str(
            write_xlsx(bundle, folder / "route_sheets.xlsx", lang=lang)
        )
        outputs[f"route sheets csv ({lang})"] = str(
            write_csv(bundle, folder / "route_sheets.csv", lang=lang)
        )
    outputs["routes gpx"] = str(write_gpx(bundle, sheets / "routes.gpx", lang="en"))
    outputs["routes geojson"] = str(write_geojson(bundle, sheets / "routes.geojson"))
    return outputs
