"""Every file a planned shift is written to, one implementation each.

The command line, the demo and the service call these: the plan files (``plan.json`` and
``plan.geojson``, one pair per day of a ``vary`` run), the grid and hotspot tables, the map
and the route sheets in every format. Maps and sheets are drawn from a plan document
(:mod:`maps.planfile`), never by planning again.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.analysis import Analysis
from geo.crs import WGS84
from geo.hotspots.columns import PEAK_HOURS, SCORE
from geo.naming import namer_for_networks
from geo.schema import CELL_ID
from maps.bundle import PlanBundle
from maps.errors import MapInputError
from maps.planfile import bundle_from_document, plan_document, write_plan_json
from planner.presence import with_wall_times
from planner.shift import ShiftPlan

#: Route sheet formats, in the order they are written.
SHEET_FORMATS = ("pdf", "xlsx", "csv", "gpx", "geojson")

#: Media types of the sheet formats (downloads from the service).
SHEET_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "gpx": "application/gpx+xml",
    "geojson": "application/geo+json",
}


def plan_stem(index: int) -> str:
    """File stem of plan ``index`` of a run: ``plan``, then ``plan-day2``, ``plan-day3``..."""
    return "plan" if index == 0 else f"plan-day{index + 1}"


def plan_documents(
    shift_plan: ShiftPlan,
    *,
    source: Mapping[str, Any] | None = None,
    request: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The plan document of every day of ``shift_plan`` (:func:`maps.planfile.plan_document`);
    stops are named with one :class:`geo.naming.PlaceNamer` for all days."""
    analysis = shift_plan.analysis
    namer = namer_for_networks(analysis.networks, analysis.district.network_path)
    return [
        plan_document(shift_plan, k, source=source, request=request, namer=namer)
        for k in range(len(shift_plan.plans))
    ]


def write_plan_files(
    documents: Sequence[Mapping[str, Any]],
    out: Path,
    bundles: Sequence[PlanBundle] | None = None,
) -> dict[str, Path]:
    """Write ``<stem>.json`` and ``<stem>.geojson`` for each document; ``{file name: path}``.

    ``bundles`` (:func:`maps.planfile.bundle_from_document` of each document), when the caller
    has them already, spare checking the documents a second time.
    """
    if bundles is not None and len(bundles) != len(documents):
        raise ValueError(
            f"bundles: expected {len(documents)}, one per document, got {len(bundles)}"
        )
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for k, doc in enumerate(documents):
        stem = plan_stem(k)
        written[f"{stem}.json"] = write_plan_json(doc, out / f"{stem}.json")
        bundle = bundles[k] if bundles is not None else bundle_from_document(doc)
        path = out / f"{stem}.geojson"
        path.write_text(
            json.dumps(routes_feature_collection(bundle), ensure_ascii=False), encoding="utf-8"
        )
        written[f"{stem}.geojson"] = path
        if doc.get("presence") is not None:
            name = "presence.csv" if k == 0 else f"presence-day{k + 1}.csv"
            written[name] = write_presence_csv(doc, out / name)
    return written


def presence_table(doc: Mapping[str, Any]) -> pd.DataFrame:
    """Minutes of planned presence per cell and hour of a plan document (见警率), with the
    hour's local start (ISO 8601 with its UTC offset) and the cell-hour's risk."""
    data = (doc.get("presence") or {}).get("table") or {}
    frame = pd.DataFrame(
        {
            "cell_id": list(data.get("cell_id", [])),
            "hour_start_s": list(data.get("hour_start_s", [])),
            "minutes": list(data.get("minutes", [])),
            "visits": list(data.get("visits", [0] * len(data.get("cell_id", [])))),
            "risk": list(data.get("risk", [0.0] * len(data.get("cell_id", [])))),
        }
    )
    frame["hour_start_s"] = frame["hour_start_s"].astype(int)
    frame["day"] = frame["hour_start_s"] // 86400
    frame["hour"] = (frame["hour_start_s"] % 86400) // 3600
    frame = with_wall_times(
        frame, date.fromisoformat(doc["plan_date"]), str(doc["district"]["timezone"])
    )
    columns = ["cell_id", "day", "hour", "hour_start", "hour_start_s", "minutes", "visits", "risk"]
    return frame[columns]


def write_presence_csv(doc: Mapping[str, Any], path: Path) -> Path:
    """Write ``presence.csv`` (:func:`presence_table`) and return its path."""
    presence_table(doc).to_csv(path, index=False)
    return path


def routes_feature_collection(
    bundle: PlanBundle, units: Sequence[str] | None = None
) -> dict[str, Any]:
    """Routes, stops and stations as GeoJSON (the sheets' GeoJSON, also ``plan.geojson``)."""
    from maps.sheets.geojson import routes_geojson

    return routes_geojson(bundle, units=units)


def grid_frame(analysis: Analysis, band: str) -> gpd.GeoDataFrame:
    """The cells with incident counts and the risk score of ``band``."""
    cells = analysis.grid.cells.copy()
    counts = analysis.incidents_per_cell
    cells["incidents"] = cells[CELL_ID].map(counts).fillna(0).astype(int)
    scores = analysis.risk.band(band).set_index(CELL_ID)[SCORE]
    cells["risk"] = cells[CELL_ID].map(scores).fillna(0.0).round(4)
    return cells


def write_grid_geojson(cells: gpd.GeoDataFrame, path: Path) -> Path:
    """Write grid cells as GeoJSON in EPSG:4326 (the GeoJSON standard's CRS); the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells.to_crs(WGS84).to_file(path, driver="GeoJSON", COORDINATE_PRECISION=7)
    return path


def write_hotspots_csv(hotspots: gpd.GeoDataFrame, path: Path) -> Path:
    """Write the hotspot table as CSV (peak hours as ``18;19;20``); the path."""
    table = hotspots.drop(columns=[PEAK_HOURS, "geometry"], errors="ignore").copy()
    if PEAK_HOURS in hotspots.columns:
        table[PEAK_HOURS] = hotspots[PEAK_HOURS].map(
            lambda v: "" if v is None else ";".join(str(h) for h in v)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def check_sheet_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats lower-cased, checked against :data:`SHEET_FORMATS`.

    Raises
    ------
    MapInputError
        Naming the unknown formats and the known ones.
    """
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in wanted if f not in SHEET_FORMATS]
    if unknown or not wanted:
        raise MapInputError(
            f"formats: unknown formats {unknown or list(formats)!r}; expected some of "
            f"{','.join(SHEET_FORMATS)}"
        )
    return wanted


def sheet_bytes(
    bundle: PlanBundle, fmt: str, *, lang: str = "en", units: Sequence[str] | None = None
) -> bytes:
    """The route sheets of ``units`` (default all) in one format as bytes (one PDF, one
    workbook, one CSV, one GPX, one GeoJSON)."""
    from maps.sheets.csv import write_csv
    from maps.sheets.gpx import gpx_document
    from maps.sheets.pdf import pdf_bytes
    from maps.sheets.xlsx import write_xlsx

    (fmt,) = check_sheet_formats([fmt])
    unit_ids = list(units) if units is not None else None
    bundle.routes(unit_ids)  # unknown unit ids fail here, before anything is drawn
    if fmt == "pdf":
        return pdf_bytes(bundle, lang=lang, units=unit_ids)
    if fmt == "gpx":
        return gpx_document(bundle, lang=lang, units=unit_ids).to_xml(version="1.1").encode()
    if fmt == "geojson":
        data = routes_feature_collection(bundle, unit_ids)
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="gridpatrol-sheets-") as tmp:
        if fmt == "xlsx":
            path = write_xlsx(bundle, Path(tmp) / "route_sheets.xlsx", lang=lang, units=unit_ids)
        else:
            path = write_csv(bundle, Path(tmp) / "route_sheets.csv", lang=lang, units=unit_ids)
        return path.read_bytes()


def write_sheets(
    bundle: PlanBundle,
    folder: Path,
    *,
    formats: Sequence[str] = SHEET_FORMATS,
    lang: str = "en",
    units: Sequence[str] | None = None,
) -> dict[str, list[Path]]:
    """Write route sheets into ``folder``: ``route_sheets.pdf`` (all units) and one PDF per
    unit, ``route_sheets.xlsx``, ``route_sheets.csv``, ``routes.gpx``, ``routes.geojson``.

    Returns ``{format: [paths]}``.

    Raises
    ------
    MapInputError
        For an unknown format or unit id.
    """
    from maps.sheets.csv import write_csv
    from maps.sheets.geojson import write_geojson
    from maps.sheets.gpx import write_gpx
    from maps.sheets.pdf import write_pdf_sheets
    from maps.sheets.xlsx import write_xlsx

    wanted = check_sheet_formats(formats)
    unit_ids = list(units) if units is not None else None
    bundle.routes(unit_ids)
    written: dict[str, list[Path]] = {}
    for fmt in wanted:
        if fmt == "pdf":
            written[fmt] = list(write_pdf_sheets(bundle, folder, lang=lang, units=unit_ids))
        elif fmt == "xlsx":
            written[fmt] = [
                write_xlsx(bundle, folder / "route_sheets.xlsx", lang=lang, units=unit_ids)
            ]
        elif fmt == "csv":
            written[fmt] = [
                write_csv(bundle, folder / "route_sheets.csv", lang=lang, units=unit_ids)
            ]
        elif fmt == "gpx":
            written[fmt] = [write_gpx(bundle, folder / "routes.gpx", lang=lang, units=unit_ids)]
        else:
            written[fmt] = [write_geojson(bundle, folder / "routes.geojson", units=unit_ids)]
    return written


def map_html(bundle: PlanBundle, *, lang: str = "en", offline: bool = True, **options: Any) -> str:
    """The patrol map of ``bundle`` as one HTML page (``options``: :class:`MapOptions`); its
    scripts are inlined unless ``offline=False`` (CDN links)."""
    from maps.webmap import MapOptions, build_map, save_map

    opts = MapOptions(lang=lang, **options)
    with tempfile.TemporaryDirectory(prefix="gridpatrol-map-") as tmp:
        path = save_map(build_map(bundle, opts), Path(tmp) / "map.html", embed_assets=offline)
        return path.read_text(encoding="utf-8")


def write_map(
    bundle: PlanBundle, path: Path, *, lang: str = "en", offline: bool = True, **options: Any
) -> Path:
    """Write :func:`map_html` to ``path`` and return it."""
    from maps.webmap import MapOptions, build_map, save_map

    opts = MapOptions(lang=lang, **options)
    return save_map(build_map(bundle, opts), path, embed_assets=offline)
