"""``gridpatrol demo``: the main job on an embedded sample district, written to a folder."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import JsonOption, OutOption, SampleOption, app, console, emit_json, progress
from api.outputs import write_grid_geojson
from geo import sample
from geo.assign import assign_incidents
from geo.grid import build_grid
from geo.network import load_networks, snap
from geo.schema import CELL_ID, STATION_ID


@app.command()
def demo(
    out: OutOption = Path("out"),
    sample_name: SampleOption = sample.DEFAULT,
    cell_size_m: Annotated[
        float, typer.Option("--cell-size", help="Side of a square grid cell in metres.")
    ] = 250.0,
    json_mode: JsonOption = False,
) -> None:
    """Run the main job on an embedded sample district and write its outputs to OUT."""
    con = console(json_mode)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with progress(json_mode) as bar:
        step = bar.add_task(f"Loading sample district {sample_name}", total=4)
        district = sample.load(sample_name)
        bar.update(step, advance=1, description="Building the grid")
        grid = build_grid(
            district.boundary, kind="square", cell_size_m=cell_size_m, crs=district.crs
        )
        bar.update(step, advance=1, description="Assigning incidents to cells")
        cell_of = assign_incidents(grid, district.incidents)
        bar.update(step, advance=1, description="Loading street networks")
        networks = {}
        if district.network_path is not None:
            networks = load_networks(district.network_path, crs=district.crs)
        bar.update(step, advance=1, description="Done")

    cells = grid.cells.copy()
    counts = cell_of.value_counts()
    cells["incidents"] = cells[CELL_ID].map(counts).fillna(0).astype(int)
    grid_path = write_grid_geojson(cells, out / "grid.geojson")

    stations = district.stations
    station_snaps = {}
    for mode, network in networks.items():
        snapped = snap(network, stations.geometry.x.to_numpy(), stations.geometry.y.to_numpy())
        station_snaps[str(mode)] = dict(
            zip(
                stations[STATION_ID],
                [round(float(d), 1) for d in snapped.snap_distance_m],
                strict=True,
            )
        )
    inc = district.incidents
    summary = {
        "district": district.name,
        "sample": sample_name,
        "crs": district.crs.to_string(),
        "area_km2": round(district.area_km2, 2),
        "cells": len(cells),
        "cell_size_m": cell_size_m,
        "incidents": len(inc),
        "incidents_in_cells": int(cell_of.notna().sum()),
        "time_span": [inc["occurred_at"].min().isoformat(), inc["occurred_at"].max().isoformat()],
        "time_of_day_known_share": round(float(inc["time_known"].mean()), 3),
        "categories": {str(k): int(v) for k, v in inc["category"].value_counts().items()},
        "busiest_cells": [
            {"cell_id": r[CELL_ID], "incidents": int(r["incidents"])}
            for _, r in cells.nlargest(5, "incidents").iterrows()
        ],
        "networks": {
            str(mode): {"nodes": n.graph.number_of_nodes(), "edges": n.graph.number_of_edges()}
            for mode, n in networks.items()
        },
        "station_snap_distance_m": station_snaps,
        "notes": list(district.notes),
        "attribution": sample.attribution(),
        "seconds": round(time.perf_counter() - started, 2),
        "outputs": {"grid": str(grid_path)},
    }
    summary_path = out / "summary.json"
    summary["outputs"]["summary"] = str(summary_path)
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")

    if json_mode:
        emit_json(summary)
        return
    con.print(f"[bold]{district.name}[/]: {len(inc):,} incidents, {len(cells):,} cells")
    for note in district.notes:
        con.print(f"  note: {note}")
    con.print("Outputs:")
    for name, path in summary["outputs"].items():
        con.print(f"  {name:<10} {path}")
