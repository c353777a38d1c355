"""``gridpatrol plan``: plan one shift and write it as ``plan.json`` (and ``plan.geojson``).

The command parses its options (generated from :class:`api.requests.PlanParameters`), loads
the district, units and duties, calls :func:`planner.shift.plan_shift` and writes the plan
files with :mod:`maps.exports`. ``gridpatrol map --plan`` and ``gridpatrol sheets --plan``
draw the file it writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import (
    JsonOption,
    OutOption,
    SampleOption,
    UserError,
    app,
    console,
    emit_json,
    progress,
)
from api.cli.options import (
    AreasOption,
    BoundaryOption,
    ColumnsOption,
    CrsOption,
    DatetimeFormatOption,
    DutiesOption,
    IncidentsOption,
    InputDatumOption,
    KeepValidOption,
    NetworkOption,
    SheetOption,
    StationsOption,
    TimezoneOption,
    UnitsOption,
    district_files,
    district_from_files,
)
from api.cli.params import command_options, option_parameter, plan_parameter_options
from api.cli.review import PreviousOption, add_changes
from api.district_loader import DistrictFiles
from api.inputs import read_units
from api.requests import PlanParameters, plan_options, units_for
from geo import sample
from geo.district import District
from geo.io import read_duties
from geo.schema import STATION_ID
from maps.exports import plan_documents, write_plan_files
from maps.i18n import Translator, check_lang, default_lang
from planner.plan import order_overlap
from planner.shift import ShiftPlan, plan_shift


@dataclass(frozen=True)
class PlanInputs:
    """The files a planning command reads besides its options."""

    files: DistrictFiles
    sample_name: str = sample.DEFAULT
    units: Path | None = None
    duties: Path | None = None

    def source(self) -> dict[str, Any]:
        """The district reference written into the plan file."""
        if self.files.incidents is None:
            return {"kind": "sample", "sample": self.sample_name}
        named = {
            "incidents": self.files.incidents,
            "boundary": self.files.boundary,
            "areas": self.files.areas,
            "stations": self.files.stations,
            "network": self.files.network,
        }
        out: dict[str, Any] = {"kind": "files"}
        out.update({k: str(v) for k, v in named.items() if v is not None})
        out["timezone"] = self.files.timezone
        if self.files.crs:
            out["crs"] = self.files.crs
        if self.files.columns is not None:
            chosen = {k: v for k, v in vars(self.files.columns).items() if v is not None}
            out["columns"] = ",".join(f"{k}={v}" for k, v in chosen.items())
        for key in ("datetime_format", "sheet"):
            if getattr(self.files, key):
                out[key] = getattr(self.files, key)
        if self.files.keep_valid:
            out["keep_valid"] = True
            out["rejected"] = str(self.files.rejected_path)
        return out

    def request(self, params: PlanParameters) -> dict[str, Any]:
        """What the user asked for: the options and the units and duties files."""
        out = params.model_dump(mode="json")
        out["units_file"] = str(self.units) if self.units else None
        out["duties_file"] = str(self.duties) if self.duties else None
        return out


#: The input options of ``plan``, ``map`` and ``sheets`` (district files, sample, units,
#: duties), handed to the command as one :class:`PlanInputs`.
_INPUT_OPTIONS = (
    option_parameter("incidents", IncidentsOption, None),
    option_parameter("boundary", BoundaryOption, None),
    option_parameter("areas", AreasOption, None),
    option_parameter("stations", StationsOption, None),
    option_parameter("network", NetworkOption, None),
    option_parameter("timezone", TimezoneOption, "auto"),
    option_parameter("input_datum", InputDatumOption, "wgs84"),
    option_parameter("crs", CrsOption, None),
    option_parameter("columns", ColumnsOption, None),
    option_parameter("datetime_format", DatetimeFormatOption, None),
    option_parameter("sheet", SheetOption, None),
    option_parameter("keep_valid", KeepValidOption, False),
    option_parameter("sample_name", SampleOption, sample.DEFAULT),
    option_parameter("units", UnitsOption, None),
    option_parameter("duties", DutiesOption, None),
)


def _plan_inputs(values: dict[str, Any], others: dict[str, Any]) -> PlanInputs:
    """The :class:`PlanInputs` of the input options (rejected rows go to the command's --out)."""
    out = others.get("out")
    files = district_files(
        values["incidents"],
        values["boundary"],
        values["areas"],
        values["stations"],
        values["network"],
        timezone=values["timezone"],
        crs=values["crs"],
        columns=values["columns"],
        datetime_format=values["datetime_format"],
        sheet=values["sheet"],
        keep_valid=values["keep_valid"],
        out=None if out is None else Path(out),
        input_datum=values["input_datum"],
    )
    return PlanInputs(files, values["sample_name"], values["units"], values["duties"])


#: Gives a planning command the input options; it receives them as ``inputs``.
plan_input_options = command_options("inputs", _INPUT_OPTIONS, _plan_inputs)


class TranslatingConsole(Console):
    """A console that prints the English notes of the loaders (the sample used, the time zone
    found) in the language of ``--lang`` (:func:`maps.i18n.note_text`)."""

    def __init__(self, tr: Translator, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr, highlight=False)
        self.tr = tr

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(self.tr.note(o) if isinstance(o, str) else o for o in objects), **kwargs)


def load_inputs(
    inputs: PlanInputs, params: PlanParameters, con: Console | None, *, lang: str | None = None
) -> tuple[District, Any, gpd.GeoDataFrame | None]:
    """The district, the units (a file, or the counts) and the duties of a request; what the
    loaders say is printed on ``con`` in ``lang`` (default: ``GRIDPATROL_LANG``)."""
    files = inputs.files
    printer = None if con is None else TranslatingConsole(Translator(lang), stderr=con.stderr)
    district = district_from_files(files, sample_name=inputs.sample_name, printer=printer)
    station_ids = sorted(district.stations[STATION_ID].astype(str))
    if inputs.units is not None:
        units = read_units(inputs.units, stations=station_ids)
    else:
        units = units_for(params, station_ids, argument="--unit-counts")
    duties = None
    if inputs.duties is not None:
        outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
        duties = read_duties(inputs.duties, timezone=district.timezone, boundary=outline)
    return district, units, duties


def run_planning(
    inputs: PlanInputs,
    params: PlanParameters,
    con: Console,
    json_mode: bool,
    *,
    lang: str | None = None,
) -> ShiftPlan:
    """Load the inputs and plan the shift (with a progress bar in ``lang``, default:
    ``GRIDPATROL_LANG``)."""
    district, units, duties = load_inputs(inputs, params, None if json_mode else con, lang=lang)
    try:
        options = plan_options(params)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    tr = Translator(lang)
    with progress(json_mode) as bar:
        step = bar.add_task(tr("cli.plan.progress", band=params.band), total=100)

        def tell(description: str, fraction: float) -> None:
            bar.update(step, description=tr.job(description), completed=int(fraction * 100))

        try:
            return plan_shift(district, options, units=units, duties=duties, progress=tell)
        except ValueError as exc:
            # GeoInputError, PlanningError and NetworkError are reported by the entry point
            # with their own text; a plain ValueError here is an option the district cannot
            # take (e.g. --grid areas without areas).
            if type(exc) is ValueError:
                raise UserError(str(exc)) from None
            raise


def plan_and_document(
    inputs: PlanInputs,
    params: PlanParameters,
    con: Console,
    json_mode: bool,
    *,
    lang: str | None = None,
) -> tuple[ShiftPlan, list[dict[str, Any]]]:
    """Plan the shift and make the plan document of every day (progress in ``lang``)."""
    result = run_planning(inputs, params, con, json_mode, lang=lang)
    docs = plan_documents(result, source=inputs.source(), request=inputs.request(params))
    return result, docs


#: ``--lang`` of a command: the language of what it prints (and of the files it writes).
CommandLangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the summary, notes and errors printed: en or zh-CN (default: "
        "GRIDPATROL_LANG, en). plan.json and --json output stay in English.",
    ),
]


@app.command()
@plan_parameter_options
@plan_input_options
def plan(
    params: PlanParameters,
    inputs: PlanInputs,
    out: OutOption = Path("out"),
    json_mode: JsonOption = False,
    previous: PreviousOption = None,
    lang: CommandLangOption = None,
) -> None:
    """Plan one shift: hotspot visits, posts, lines and the coverage floor, routed per unit.

    Writes plan.json (the plan file maps and sheets read: --plan) and plan.geojson; with
    --vary N also plan-day2.json ... for the successive days.
    """
    try:
        code = check_lang(lang) if lang is not None else default_lang()
    except ValueError as exc:
        raise UserError(f"--lang: {exc}") from None
    con = console(json_mode)
    result, docs = plan_and_document(inputs, params, con, json_mode, lang=code)
    changes = add_changes(docs, previous, json_mode)
    written = write_plan_files(docs, out)
    summary = plan_summary(result, docs, written) | ({"changes": changes} if changes else {})
    if json_mode:
        emit_json(summary)
        return
    print_plan_summary(con, result, summary, lang=code)


def plan_summary(
    result: ShiftPlan, docs: list[dict[str, Any]], written: Mapping[str, Path]
) -> dict[str, Any]:
    """A JSON-ready summary of a planned shift with the paths written."""
    days = []
    for k, (one, doc) in enumerate(zip(result.plans, docs, strict=True)):
        days.append(
            {
                "day": k + 1,
                "plan_date": doc["plan_date"],
                "risk_share": round(one.risk_share, 4),
                "stops": sum(len(r.stops) for r in one.routes),
                "distance_km": round(one.distance_m / 1000, 2),
                "dropped": len(one.dropped),
                "order_overlap_with_first": round(order_overlap(result.plans[0], one), 3),
                **({"bound": doc["bound"]} if doc.get("bound") else {}),
            }
        )
    return {
        "plan_date": result.problem.plan_date.isoformat(),
        "shift": result.shift.name,
        "risk_band": result.risk_band,
        "units": len(result.problem.units),
        "tasks": len(result.problem.tasks),
        "seconds": round(result.seconds, 2),
        "plans": days,
        "notes": list(result.notes),
        "outputs": {name: str(path) for name, path in written.items()},
    }


def wall_clock_text(seconds: int) -> str:
    """``HH:MM`` of wall-clock seconds from midnight (past midnight wraps: 24:30 is 00:30)."""
    s = int(seconds) % 86400
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def print_plan_summary(
    con: Console, result: ShiftPlan, summary: dict[str, Any], *, lang: str | None = None
) -> None:
    """Human summary of a planned shift in ``lang`` (default: ``GRIDPATROL_LANG``); ids,
    numbers and paths as they are."""
    tr = Translator(lang)
    best = result.plan
    day_text = tr.date(result.problem.plan_date)
    if result.risk_band == result.shift.name:
        title = tr("cli.plan.title_same", date=day_text, shift=result.shift.name)
    else:
        risk = tr.band(result.risk_band)
        title = tr("cli.plan.title", date=day_text, shift=result.shift.name, risk=risk)
    table = Table(title=title)
    columns = ("unit", "mode", "station", "stops", "km", "travel", "patrol", "until")
    for column in columns:
        table.add_column(
            tr(f"cli.plan.col.{column}"),
            justify="left" if column in ("unit", "mode", "station") else "right",
        )
    for r in best.routes:
        table.add_row(
            r.unit_id,
            tr.mode(str(r.mode)),
            r.start_station,
            str(len(r.stops)),
            f"{r.distance_m / 1000:.1f}",
            f"{r.travel_s / 60:.0f}",
            f"{r.patrol_s / 60:.0f}",
            wall_clock_text(max((s.end_s for s in r.stops), default=r.return_s)),
        )
    con.print(table)
    con.print(
        tr(
            "cli.plan.covered",
            share=best.risk_share,
            dropped=len(best.dropped),
            tasks=len(result.problem.tasks),
            seconds=result.seconds,
        )
    )
    bound = summary["plans"][0].get("bound")
    if bound:
        con.print(
            tr("cli.plan.bound", value=bound["value"], bound=bound["bound"], ratio=bound["ratio"])
        )
    for note in best.notes:
        if note not in result.notes and note.startswith("Unit "):
            con.print("  " + tr("cli.plan.finding", note=tr.note(note)))
    for day in summary["plans"][1:]:
        con.print(
            "  "
            + tr(
                "cli.plan.day",
                day=day["day"],
                date=tr.date(date.fromisoformat(day["plan_date"])),
                share=day["risk_share"],
                overlap=day["order_overlap_with_first"],
            )
        )
    for note in result.notes:
        con.print("  " + tr("cli.note", note=tr.note(note)))
    con.print(tr("cli.outputs"))
    for name, path in summary["outputs"].items():
        con.print(f"  {name:<22} {path}")
