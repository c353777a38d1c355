"""``gridpatrol demo``: the main job on an embedded sample district, written to a folder.

Loads the sample, grids it, scores hotspots, plans the evening shift with the sample's
stations and duties, and writes every output a coordinator would use: the grid, the hotspot
table, the plan, the map (English and Chinese), the route sheets in every format and the
staffing proposal.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import typer
from rich.markup import escape

from api.cli import review as review_cli
from api.cli.app import JsonOption, OutOption, SampleOption, app, console, emit_json, progress
from geo import sample
from geo.analysis import AnalysisOptions, analyse
from geo.io import read_duties
from maps.exports import (
    grid_frame,
    plan_documents,
    write_grid_geojson,
    write_hotspots_csv,
    write_map,
    write_plan_files,
    write_sheets,
)
from maps.i18n import Translator
from maps.messages import MESSAGES
from maps.planfile import bundle_from_document
from maps.staffing import write_staffing_outputs
from planner.shift import PlanOptions, ShiftPlan, plan_shift, shift_band
from planner.staffing import StaffingRunOptions, propose_staffing

#: The shift the demo plans.
DEMO_SHIFT = "16-24"


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
    tr = Translator(None)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    shift = shift_band(DEMO_SHIFT)
    with progress(json_mode) as bar:
        step = bar.add_task(tr("cli2.demo.loading", sample=sample_name), total=100)
        district = sample.load(sample_name)

        def tell(description: str, fraction: float) -> None:
            bar.update(step, description=tr.job(description), completed=5 + int(fraction * 45))

        options = PlanOptions(
            shift=shift,
            analysis=AnalysisOptions(cell_size_m=cell_size_m),
            time_limit_s=time_limit_s,
            on_infeasible="drop",
        )
        analysis = analyse(district, options.analysis_options, progress=tell)
        outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
        duties = read_duties(
            sample.data_dir(sample_name) / "duties.csv",
            timezone=district.timezone,
            boundary=outline,
        )
        result = plan_shift(
            analysis,
            options,
            duties=duties,
            progress=lambda d, f: bar.update(
                step, description=tr.job(d), completed=50 + int(f * 35)
            ),
        )
        bar.update(step, description=tr("cli2.demo.staffing"), completed=85)
        staffing = propose_staffing(analysis, StaffingRunOptions(max_units=8))
        staffing_files = write_staffing_outputs(staffing, out / "staffing", title=district.name)
        bar.update(step, description=tr("cli2.demo.writing"), completed=95)
        outputs = _write(result, out, sample_name)
        for name in ("staffing_csv", "curves_png", "staffing_pdf_en", "roster_xlsx"):
            if name in staffing_files:
                outputs[name.replace("_", " ")] = staffing_files[name]
        bar.update(step, description=tr("cli2.demo.review"), completed=97)
        outputs.update(review_cli.demo_reviews(out, district))
        bar.update(step, description=tr("cli2.done"), completed=100)

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
    head = tr(
        "cli2.demo.district",
        district=district.name,
        incidents=len(district.incidents),
        cells=len(analysis.grid.cells),
        size=cell_size_m,
    )
    name_end = len(district.name)
    con.print(f"[bold]{escape(head[:name_end])}[/]{escape(head[name_end:])}")
    con.print(
        tr(
            "cli2.demo.shift",
            shift=shift.name,
            date=tr.date(result.problem.plan_date),
            units=len(plan.routes),
            stops=summary["plan"]["stops"],
            share=plan.risk_share,
            dropped=len(plan.dropped),
            seconds=result.seconds,
        )
    )
    for note in result.notes:
        con.print("  " + tr("cli.note", note=tr.note(note)))
    con.print(tr("cli2.demo.outputs", s=summary["seconds"]))
    labels = {name: output_label(name, tr) for name in summary["outputs"]}
    width = max([26, *(_width(text) for text in labels.values())])
    for name, path in summary["outputs"].items():
        label = labels[name]
        con.print(f"  {label}{' ' * (width - _width(label))} {path}")


#: ``map (en)``, ``route sheets pdf (zh-CN)``, ``routes gpx``: the demo's named outputs.
_OUTPUT_NAME = re.compile(
    r"^(?P<kind>map|route sheets|routes) ?(?P<fmt>\w+)? ?(\((?P<lang>[^)]+)\))?$"
)

#: ``simulated tracks csv``, ``plan review pdf_zh-CN``, ``monthly 2017-05 xlsx_en``.
_REVIEW_NAME = re.compile(
    r"^(?P<kind>simulated tracks|plan review|monthly (?P<month>\d{4}-\d{2})) (?P<what>\S+)$"
)


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (a Chinese character takes two)."""
    from rich.cells import cell_len

    return cell_len(text)


def output_label(name: str, tr: Translator) -> str:
    """The name of a demo output (``"route sheets pdf (zh-CN)"``) in ``tr``'s language; a
    name the catalogue does not know (a file name such as ``plan.json``) stays as it is."""
    if tr.lang == "en":
        return name
    if f"cli2.out.{name}" in MESSAGES:
        return tr(f"cli2.out.{name}")
    review = _REVIEW_NAME.match(name)
    if review:
        fmt, _, lang = review["what"].partition("_")
        fmt = tr("cli2.out.map_review") if fmt == "map" else fmt
        what = f"{fmt}（{tr.get(f'cli2.lang.{lang}', lang)}）" if lang else fmt
        if review["kind"] == "simulated tracks":
            return tr("cli2.out.tracks", what=what)
        if review["kind"] == "plan review":
            return tr("cli2.out.plan_review", what=what)
        return tr("cli2.out.monthly", month=review["month"], what=what)
    match = _OUTPUT_NAME.match(name)
    if not match:
        return name
    lang = match["lang"] or ""
    lang_text = tr.get(f"cli2.lang.{lang}", lang)
    if match["kind"] == "map":
        return tr("cli2.out.map", lang=lang_text)
    if match["kind"] == "route sheets":
        return tr("cli2.out.sheets", fmt=match["fmt"] or "", lang=lang_text)
    return tr("cli2.out.routes", fmt=match["fmt"] or "")


def _write(result: ShiftPlan, out: Path, sample_name: str) -> dict[str, str]:
    """Write the grid with counts and risk, the hotspot table, the plan file, and the map and
    route sheets drawn from that plan file."""
    analysis = result.analysis
    outputs = {
        "grid": str(
            write_grid_geojson(grid_frame(analysis, result.risk_band), out / "grid.geojson")
        ),
        "hotspots": str(write_hotspots_csv(result.hotspots, out / "hotspots.csv")),
    }
    source = {"kind": "sample", "sample": sample_name}
    request = {"band": result.shift.name, "time_limit_s": result.options.time_limit_s}
    docs = plan_documents(result, source=source, request=request)
    bundles = [bundle_from_document(doc) for doc in docs]
    plan_files = write_plan_files(docs, out, bundles)
    outputs.update({name: str(path) for name, path in plan_files.items()})
    bundle = bundles[0]
    for lang in ("en", "zh-CN"):
        path = write_map(bundle, out / f"map_{lang}.html", lang=lang, offline=True)
        outputs[f"map ({lang})"] = str(path)
    sheets = out / "sheets"
    for lang in ("en", "zh-CN"):
        written = write_sheets(bundle, sheets / lang, formats=("pdf", "xlsx", "csv"), lang=lang)
        for fmt in ("pdf", "xlsx", "csv"):
            outputs[f"route sheets {fmt} ({lang})"] = str(written[fmt][0])
    shared = write_sheets(bundle, sheets, formats=("gpx", "geojson"), lang="en")
    outputs["routes gpx"] = str(shared["gpx"][0])
    outputs["routes geojson"] = str(shared["geojson"][0])
    return outputs
