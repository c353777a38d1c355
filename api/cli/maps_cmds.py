"""``gridpatrol map`` and ``gridpatrol sheets``: the coordinators' map and route sheets.

With ``--plan FILE`` both draw that plan file exactly as written by ``gridpatrol plan``,
without planning again. Without it they plan the shift with the same options and functions
as ``gridpatrol plan``, write its ``plan.json`` beside their outputs, and draw that document,
so a map or sheet can always be drawn again from the file it came with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.app import (
    JsonOption,
    OutOption,
    UserError,
    app,
    console,
    emit_json,
    progress,
)
from api.cli.params import plan_parameter_options
from api.cli.plan import PlanInputs, plan_and_document, plan_input_options
from api.requests import PLAN_FLAGS, PlanParameters
from geo import sample
from maps.bundle import PlanBundle
from maps.errors import MapInputError
from maps.exports import SHEET_FORMATS, check_sheet_formats, write_map, write_plan_files
from maps.i18n import Translator, check_lang, default_lang
from maps.planfile import bundle_from_document, read_plan_bundle
from maps.tiles import TILES, check_tiles

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Language of labels and dates: en or zh-CN (default: GRIDPATROL_LANG, en)."
    ),
]
PlanFileOption = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        help="A plan.json written by `gridpatrol plan`: draw exactly that plan, without "
        "planning again.",
    ),
]
DayOption = Annotated[
    int,
    typer.Option("--day", help="Which day of a --vary run to draw when planning here (1: first)."),
]


def _checked(value: str, check: Any, option: str) -> str:
    try:
        result: str = check(value)
    except ValueError as exc:
        raise UserError(f"{option}: {exc}") from None
    return result


def _planning_options_given(params: PlanParameters, inputs: PlanInputs) -> list[str]:
    """The planning options set away from their defaults (they do nothing with --plan)."""
    defaults = PlanParameters()
    given = [
        PLAN_FLAGS[n]
        for n in PlanParameters.model_fields
        if getattr(params, n) != getattr(defaults, n)
    ]
    files = inputs.files
    for flag, value in (
        ("--incidents", files.incidents),
        ("--boundary", files.boundary),
        ("--areas", files.areas),
        ("--stations", files.stations),
        ("--network", files.network),
        ("--units", inputs.units),
        ("--duties", inputs.duties),
    ):
        if value is not None:
            given.append(flag)
    if inputs.sample_name != sample.DEFAULT:
        given.append("--sample")
    return given


def plan_bundle_for(
    plan_file: Path | None,
    inputs: PlanInputs,
    params: PlanParameters,
    out: Path,
    day: int,
    json_mode: bool,
    lang: str = "en",
) -> tuple[PlanBundle, str]:
    """The bundle to draw and what it came from: the plan file, or a plan made here and
    written to ``out`` first (what it says, and its errors, in ``lang``)."""
    con = console(json_mode)
    tr = Translator(lang)
    if plan_file is not None:
        extra = _planning_options_given(params, inputs)
        if extra:
            raise UserError(
                tr(
                    "cli.maps.error.plan_options",
                    flag="--plan",
                    options=", ".join(extra),
                    command="`gridpatrol plan ... --out DIR`",
                    path="DIR/plan.json",
                )
            )
        if not plan_file.exists():
            raise UserError(tr("cli.maps.error.no_plan_file", flag="--plan", path=plan_file))
        bundle = read_plan_bundle(plan_file)
        con.print(tr("cli.maps.drawing_file", path=plan_file))
        return bundle, str(plan_file)
    if not 1 <= day <= params.vary:
        raise UserError(
            tr("cli.maps.error.day", flag="--day", vary_flag="--vary", vary=params.vary, day=day)
        )
    _, docs = plan_and_document(inputs, params, con, json_mode, lang=lang)
    bundles = [bundle_from_document(doc) for doc in docs]
    written = write_plan_files(docs, out, bundles)
    name = "plan.json" if day == 1 else f"plan-day{day}.json"
    con.print(tr("cli.maps.planned", path=written[name]))
    return bundles[day - 1], str(written[name])


@app.command("map")
@plan_parameter_options
@plan_input_options
def map_command(
    params: PlanParameters,
    inputs: PlanInputs,
    plan_file: PlanFileOption = None,
    day: DayOption = 1,
    out: OutOption = Path("out"),
    lang: LangOption = None,
    tiles: Annotated[str, typer.Option("--tiles", help=f"Base map: {', '.join(TILES)}.")] = "osm",
    tianditu_key: Annotated[
        str | None,
        typer.Option("--tianditu-key", envvar="GRIDPATROL_TIANDITU_KEY", help="Tianditu key."),
    ] = None,
    scheme: Annotated[
        str, typer.Option("--scheme", help="Risk classes: quantiles, naturalbreaks, equalinterval.")
    ] = "quantiles",
    cdn: Annotated[
        bool,
        typer.Option(
            "--cdn/--offline",
            help="Link Leaflet and its plugins from public CDNs (smaller file, needs the "
            "internet) instead of inlining them (the default: opens with no network).",
        ),
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Write the patrol map (risk, hotspots, incidents, unit routes) as one HTML file."""
    code = _checked(lang or default_lang(), check_lang, "--lang")
    _checked(tiles, lambda t: check_tiles(t, tianditu_key), "--tiles")
    tr = Translator(code)
    bundle, source = plan_bundle_for(plan_file, inputs, params, Path(out), day, json_mode, code)
    band = bundle.shift or bundle.band or "plan"
    with progress(json_mode) as bar:
        bar.add_task(tr("cli.maps.progress_map"), total=None)
        try:
            path = write_map(
                bundle,
                Path(out) / f"map_{band}_{code}.html",
                lang=code,
                offline=not cdn,
                tiles=tiles.lower(),
                tianditu_key=tianditu_key,
                scheme=scheme,
            )
        except MapInputError as exc:
            raise UserError(str(exc)) from None
        except ValueError as exc:  # MapOptions checks
            raise UserError(str(exc)) from None
    result = {
        "map": str(path),
        "plan": source,
        "bytes": path.stat().st_size,
        "shift": bundle.shift,
        "risk_band": bundle.band,
        "lang": code,
        "tiles": tiles.lower(),
    }
    if json_mode:
        emit_json(result)
        return
    size = f"{path.stat().st_size / 1e6:.1f} MB"
    console().print(tr("cli.maps.map_written", path=path, size=size))


@app.command("sheets")
@plan_parameter_options
@plan_input_options
def sheets_command(
    params: PlanParameters,
    inputs: PlanInputs,
    plan_file: PlanFileOption = None,
    day: DayOption = 1,
    out: OutOption = Path("out"),
    lang: LangOption = None,
    formats: Annotated[
        str, typer.Option("--formats", help=f"Comma-separated: {','.join(SHEET_FORMATS)}.")
    ] = ",".join(SHEET_FORMATS),
    only_units: Annotated[
        str | None,
        typer.Option("--only-units", help="Comma-separated unit ids to print (default: all)."),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Write route sheets per unit and as one bundle (PDF, XLSX, CSV, GPX, GeoJSON)."""
    from maps.exports import write_sheets

    code = _checked(lang or default_lang(), check_lang, "--lang")
    try:
        wanted = check_sheet_formats(formats.split(","))
    except MapInputError as exc:
        raise UserError(f"--{exc}") from None
    unit_ids = [u.strip() for u in only_units.split(",") if u.strip()] if only_units else None
    tr = Translator(code)
    bundle, source = plan_bundle_for(plan_file, inputs, params, Path(out), day, json_mode, code)
    try:
        bundle.routes(unit_ids)
    except MapInputError as exc:
        raise UserError(f"--only-units: {tr.note(str(exc))}") from None
    with progress(json_mode) as bar:
        bar.add_task(tr("cli.maps.progress_sheets", formats=", ".join(wanted)), total=None)
        written = write_sheets(bundle, Path(out), formats=wanted, lang=code, units=unit_ids)
    outputs = {fmt: [str(p) for p in paths] for fmt, paths in written.items()}
    if json_mode:
        emit_json({"plan": source, "shift": bundle.shift, "lang": code, "outputs": outputs})
        return
    con = console()
    con.print(tr("cli.maps.sheets_written"))
    for fmt, names in outputs.items():
        for name in names:
            con.print(f"  {fmt:<8} {name}")
