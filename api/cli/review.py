"""``gridpatrol review``: the review cycle after the plan.

``review plan`` compares a plan file with the units' GPS tracks (GPX or CSV of fixes) and
check-ins (planned against actual); ``review month`` is the monthly evaluation (每月考评) of
areas by their key cases. Heavy imports stay inside the commands, so ``gridpatrol --help``
stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.markup import escape

from api.cli.app import (
    JsonOption,
    OutOption,
    SampleOption,
    UserError,
    app,
    console,
    emit_json,
)
from api.cli.options import (
    AreasOption,
    ColumnsOption,
    DatetimeFormatOption,
    IncidentsOption,
    SheetOption,
    TimezoneOption,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from maps.i18n import Translator

review_app = typer.Typer(
    help="The review cycle: a plan against its GPS tracks, the monthly evaluation of areas.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

LangOption = Annotated[
    str,
    typer.Option("--lang", help="Languages of the PDF and XLSX: en, zh-CN or both (en,zh-CN)."),
]
#: The track files' columns and time format: ``--columns`` / ``--datetime-format`` of
#: ``review plan`` (which reads no incidents), ``--track-columns`` / ``--track-datetime-format``
#: of ``review week`` (where ``--columns`` names the incident columns, as in ``plan``).
_TRACK_COLUMNS_HELP = (
    "Track CSV columns by role: unit_id=车辆编号,datetime=定位时间,lat=纬度,lon=经度 "
    "(checkpoint=巡更点 for check-ins)."
)
_TRACK_FORMAT_HELP = "strftime format of the track times, e.g. '%d/%m/%Y %H:%M:%S'."
TrackColumnsOption = Annotated[str | None, typer.Option("--columns", help=_TRACK_COLUMNS_HELP)]
TrackFormatOption = Annotated[
    str | None, typer.Option("--datetime-format", help=_TRACK_FORMAT_HELP)
]
WeekTrackColumnsOption = Annotated[
    str | None, typer.Option("--track-columns", help=_TRACK_COLUMNS_HELP)
]
WeekTrackFormatOption = Annotated[
    str | None, typer.Option("--track-datetime-format", help=_TRACK_FORMAT_HELP)
]


def review_zone(
    timezone: str, *, plan_zone: str | None = None, layer: Any = None
) -> tuple[str, str]:
    """The zone a review reads times in, and the sentence saying which and why.

    ``timezone`` is the ``--timezone`` value: an IANA name is used as given; ``auto`` (the
    default) is the plan's zone when there is a plan (``plan_zone``), else the zone of the
    district's centroid (``layer``: its areas), as the planning commands choose it.

    Raises
    ------
    UserError
        For a name that is not an IANA zone.
    """
    from geo.timezone import AUTO, FALLBACK, district_timezone
    from planner.clock import zone

    if timezone != AUTO:
        try:
            zone(timezone)
        except ValueError as exc:
            raise UserError(f"--{exc}") from None
        return timezone, f"Time zone {timezone}, as given with --timezone."
    if plan_zone is not None:
        return plan_zone, f"Time zone {plan_zone}, the plan's; give --timezone to choose another."
    if layer is not None and len(layer):
        return district_timezone(layer)
    return FALLBACK, f"Time zone {FALLBACK}: nothing places the district; give --timezone."


def _district_incidents(
    incidents: Path | None,
    areas: Path | None,
    *,
    area_id_field: str | None,
    timezone: str,
    columns: str | None,
    datetime_format: str | None,
    sheet: str | None,
    sample_name: str,
    con: Any,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str, str, str, dict[str, Any]]:
    """The incidents and areas of ``review week`` / ``review month`` (the sample without
    files), read in the zone :func:`review_zone` chooses (the areas' own with ``auto``).

    Returns the incidents, the areas, the district name, the zone, the sentence saying it and
    the source record.
    """
    from geo.schema import OCCURRED_AT

    if incidents is None and areas is None:
        from geo import sample

        district = sample.load(sample_name)
        frame, area_frame, name = district.incidents, district.areas, district.name
        con.print(_tr()("cli2.rev.sample", sample=repr(sample_name)))
        if timezone == "auto":
            zone, note = district.timezone, f"Time zone {district.timezone}, the sample's."
        else:
            zone, note = review_zone(timezone)
            frame = frame.assign(**{OCCURRED_AT: frame[OCCURRED_AT].dt.tz_convert(zone)})
        source: dict[str, Any] = {"kind": "sample", "sample": sample_name}
    elif incidents is None or areas is None:
        raise UserError(_tr()("cli2.rev.error.both"))
    else:
        from api.district_loader import parse_columns
        from geo.io import read_areas, read_incidents
        from geo.io.advice import CLI_ADVICE

        area_frame = read_areas(areas, id_field=area_id_field)
        zone, note = review_zone(timezone, layer=area_frame)
        try:
            roles = parse_columns(columns, argument="--columns")
        except ValueError as exc:
            raise UserError(str(exc)) from None
        frame = read_incidents(
            incidents,
            columns=roles,
            timezone=zone,
            datetime_format=datetime_format,
            sheet=sheet,
            advice=CLI_ADVICE,
        )
        name = areas.stem
        source = {"kind": "files", "incidents": str(incidents), "areas": str(areas)}
    if area_frame is None or len(area_frame) == 0:
        raise UserError(_tr()("cli2.rev.error.no_areas", name=repr(name)))
    source["timezone"] = zone
    return frame, area_frame, name, zone, note, source


def _tr() -> Translator:
    """The translator of what the review commands print: the language of ``gridpatrol --lang``
    / ``GRIDPATROL_LANG`` (a review's own ``--lang`` lists the languages of its files)."""
    from maps.i18n import Translator

    return Translator(None)


#: The sentences of :func:`review_zone` (and the sample's zone), by catalogue key.
_ZONE_NOTES = (
    ("cli2.rev.zone.sample", re.compile(r"^Time zone (?P<zone>\S+), the sample's\.$")),
    ("cli2.rev.zone.given", re.compile(r"^Time zone (?P<zone>\S+), as given with --timezone\.$")),
    (
        "cli2.rev.zone.plan",
        re.compile(r"^Time zone (?P<zone>\S+), the plan's; give --timezone to choose another\.$"),
    ),
    (
        "cli2.rev.zone.fallback",
        re.compile(r"^Time zone (?P<zone>\S+): nothing places the district; give --timezone\.$"),
    ),
)


#: The monthly evaluation's note on bulletins it worked out (:mod:`geo.review.monthly`).
_BULLETIN_NOTE = re.compile(
    r"^bulletin of (?P<months>.+) computed from the incidents \(not in the history given\)$"
)


def zone_text(note: str, tr: Translator) -> str:
    """A review's note in ``tr``'s language: the time zone sentences of :func:`review_zone`
    and the monthly evaluation's bulletin note here, the others by
    :meth:`maps.i18n.Translator.note`."""
    for key, pattern in _ZONE_NOTES:
        match = pattern.match(str(note))
        if match:
            return tr(key, zone=match["zone"])
    match = _BULLETIN_NOTE.match(str(note))
    if match and tr.is_chinese:
        return tr("cli2.rev.bulletin", months="、".join(match["months"].split(", ")))
    return tr.note(note)


def _print_outputs(con: Any, paths: Mapping[str, Any], tr: Translator) -> None:
    """The files a review wrote, by name (``pdf_zh-CN``: the Chinese PDF)."""
    con.print(tr("cli.outputs"))
    for key, path in paths.items():
        fmt, _, lang = str(key).partition("_")
        label = f"{fmt}（{tr.get(f'cli2.lang.{lang}', lang)}）" if lang and tr.is_chinese else key
        if tr.is_chinese and not lang:
            label = tr.get(f"cli2.rev.out.{key}", str(key))
        con.print(f"  {label}{' ' * max(1, 13 - cell_len(label))}{path}")


def _langs(text: str) -> tuple[str, ...]:
    from maps.i18n import check_lang

    try:
        return tuple(dict.fromkeys(check_lang(p) for p in text.split(",") if p.strip()))
    except ValueError as exc:
        raise UserError(f"--lang: {exc}") from None


def parse_unit_map(text: str | None) -> dict[str, str]:
    """``GPS-07=C1,GPS-08=C2`` as ``{"GPS-07": "C1", ...}`` (track names to plan unit ids)."""
    if not text:
        return {}
    out: dict[str, str] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        name, sep, unit = pair.partition("=")
        if not sep or not name.strip() or not unit.strip():
            raise UserError(
                f"--unit-map: {pair.strip()!r} is not track=unit; expected e.g. GPS-07=C1,GPS-08=C2"
            )
        out[name.strip()] = unit.strip()
    return out


def parse_track_columns(text: str | None) -> Any:
    """``unit_id=车辆编号,datetime=定位时间,lat=纬度,lon=经度`` as :class:`TrackColumns`."""
    from dataclasses import fields

    from geo.io.tracks import TrackColumns

    if not text:
        return None
    roles = [f.name for f in fields(TrackColumns)]
    chosen: dict[str, str] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        role, sep, column = pair.partition("=")
        role, column = role.strip().lower(), column.strip()
        if not sep or not column:
            raise UserError(
                f"--columns: {pair.strip()!r} is not role=column; expected e.g. "
                "unit_id=车辆编号,datetime=定位时间"
            )
        if role not in roles:
            raise UserError(f"--columns: unknown role {role!r}; expected one of {', '.join(roles)}")
        chosen[role] = column
    return TrackColumns(**chosen)


@review_app.command("plan")
def review_plan_command(
    plan: Annotated[Path, typer.Option("--plan", help="The plan.json to review.")],
    tracks: Annotated[
        list[Path] | None,
        typer.Option(
            "--tracks",
            help="GPS tracks: GPX 1.1 (one <trk> per unit, named by unit id) or a CSV of fixes "
            "(unit_id, time, lat, lon). Repeat for several files.",
        ),
    ] = None,
    checkins: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkins",
            help="Checkpoint check-ins (巡更): CSV of unit_id, checkpoint_id, time. Repeatable.",
        ),
    ] = None,
    out: OutOption = Path("review"),
    unit_map: Annotated[
        str | None,
        typer.Option("--unit-map", help="Track names to plan unit ids: GPS-07=C1,GPS-08=C2."),
    ] = None,
    columns: TrackColumnsOption = None,
    datetime_format: TrackFormatOption = None,
    timezone: TimezoneOption = "auto",
    radius_m: Annotated[
        float, typer.Option("--radius", help="Metres from a stop that count as being there.")
    ] = 60.0,
    slack_min: Annotated[
        float,
        typer.Option(
            "--slack",
            help="Minutes before the planned arrival and after the planned departure that a "
            "visit still counts, for stops without their own window.",
        ),
    ] = 30.0,
    min_visit_s: Annotated[
        int, typer.Option("--min-visit", help="Seconds at a stop needed to count it visited.")
    ] = 60,
    lang: LangOption = "en,zh-CN",
    json_mode: JsonOption = False,
) -> None:
    """Compare a plan with its units' GPS tracks: stops visited, delays, dwell, presence."""
    import pandas as pd

    from geo.io.advice import CLI_ADVICE
    from geo.io.tracks import read_checkins, read_tracks
    from maps.planfile import read_plan_bundle
    from maps.review import write_plan_review
    from maps.review.run import review_bundle
    from planner.review import ReviewOptions

    con = console(json_mode)
    if not tracks and not checkins:
        raise UserError(_tr()("cli2.rev.error.tracks"))
    try:
        options = ReviewOptions(
            visit_radius_m=radius_m,
            window_slack_s=int(round(slack_min * 60)),
            min_visit_s=min_visit_s,
        )
    except ValueError as exc:
        raise UserError(str(exc).replace("visit_radius_m", "--radius")) from None
    bundle = read_plan_bundle(plan)
    # times without an offset are the plan's wall clock unless --timezone says otherwise
    zone, zone_note = review_zone(timezone, plan_zone=bundle.timezone)
    mapping = parse_unit_map(unit_map)
    roles = parse_track_columns(columns)
    frames = [
        read_tracks(
            path,
            columns=roles,
            unit_ids=mapping,
            timezone=zone,
            datetime_format=datetime_format,
            advice=CLI_ADVICE,
        )
        for path in tracks or []
    ]
    from maps.review.inputs import combine_fixes, options_record

    fixes = combine_fixes(frames)
    checks = None
    if checkins:
        checks = pd.concat(
            [
                read_checkins(
                    path,
                    columns=roles,
                    unit_ids=mapping,
                    timezone=zone,
                    datetime_format=datetime_format,
                    advice=CLI_ADVICE,
                )
                for path in checkins
            ],
            ignore_index=True,
        )
    run = review_bundle(bundle, fixes, checkins=checks, options=options)
    paths = write_plan_review(
        run.review,
        bundle,
        run.fixes,
        out,
        langs=_langs(lang),
        plan_path=str(plan),
        tracks=[str(p) for p in [*(tracks or []), *(checkins or [])]],
        fixes_read=run.fixes_read,
        rejected=run.screened.rejected,
        options={**options_record(options), "timezone": zone},
    )
    if json_mode:
        import json

        doc = json.loads(paths["json"].read_text(encoding="utf-8"))
        doc["outputs"] = {k: str(v) for k, v in paths.items()}
        emit_json(doc)
        return
    tr = _tr()
    totals = run.review.totals
    con.print(
        f"[bold]{escape(bundle.district)}[/]"
        + tr(
            "cli2.rev.plan.summary",
            date=tr.date(bundle.plan_date),
            shift=bundle.shift,
            visited=totals["stops_visited"],
            planned=totals["stops_planned"],
            share=float(totals["share_visited"]),
            delivered=float(totals["share_presence_delivered"]),
        )
    )
    from maps.review.common import each_row

    for row in each_row(run.review.units):
        con.print(
            f"  {row.unit_id:<8} {row.stops_visited:>3}/{row.stops_planned:<3} "
            + tr(
                "cli2.rev.plan.unit",
                actual=row.actual_presence_min,
                planned=row.planned_presence_min,
            )
        )
    counts = run.screened.counts()
    if counts:
        reasons = ("、" if tr.is_chinese else ", ").join(
            tr(
                "cli2.rev.plan.reason",
                n=n,
                reason=tr.get(f"review.reason.{reason}", str(reason)),
            )
            for reason, n in counts.items()
        )
        con.print("  " + tr("cli2.rev.plan.kept_out", reasons=reasons, path=paths["json"]))
    for note in (zone_note, *run.review.notes):
        con.print("  " + tr("cli.note", note=zone_text(note, tr)))
    _print_outputs(con, paths, tr)


def _no_fixes() -> gpd.GeoDataFrame:
    from maps.review.inputs import no_fixes

    return no_fixes()


def parse_tiers(text: str | None) -> tuple[tuple[float, str], ...] | None:
    """``30:tier1,50:tier2,100:tier3`` (or ``30,50,100``) as reward tiers, largest first."""
    if not text:
        return None
    tiers = []
    for i, part in enumerate(p for p in text.split(",") if p.strip()):
        pct, _, name = part.partition(":")
        try:
            value = float(pct.strip().rstrip("%"))
        except ValueError:
            raise UserError(
                f"--reward-tiers: {part.strip()!r} is not a percentage; expected e.g. "
                "30:tier1,50:tier2,100:tier3"
            ) from None
        tiers.append((value, name.strip() or f"tier{i + 1}"))
    return tuple(sorted(tiers, reverse=True))


@review_app.command("month")
def review_month_command(
    month: Annotated[str, typer.Option("--month", help="The month evaluated, YYYY-MM.")],
    incidents: IncidentsOption = None,
    areas: Annotated[
        Path | None,
        typer.Option(
            "--areas",
            help="Official areas (polygons); a 'leader' column names each area's responsible post.",
        ),
    ] = None,
    area_id_field: Annotated[
        str | None, typer.Option("--area-id-field", help="Field of the areas file with the ids.")
    ] = None,
    categories: Annotated[
        str | None,
        typer.Option(
            "--categories",
            help="Key-case categories, e.g. burglary,vehicle_theft or 入室盗窃,抢劫 (default all).",
        ),
    ] = None,
    basis: Annotated[
        str, typer.Option("--basis", help="Rank by the change yoy (同比) or mom (环比).")
    ] = "yoy",
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            help="Areas with fewer cases in both months are not ranked (too few incidents).",
        ),
    ] = 5,
    reward_tiers: Annotated[
        str | None,
        typer.Option(
            "--reward-tiers", help="Decreases earning rewards: 30:tier1,50:tier2,100:tier3."
        ),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="JSON file remembering earlier bulletins (read, then this month added).",
        ),
    ] = None,
    timezone: TimezoneOption = "auto",
    columns: ColumnsOption = None,
    datetime_format: DatetimeFormatOption = None,
    sheet: SheetOption = None,
    sample_name: SampleOption = "portland-central",
    out: OutOption = Path("review"),
    lang: LangOption = "en,zh-CN",
    json_mode: JsonOption = False,
) -> None:
    """Monthly evaluation (每月考评): key cases per area, ranked by their rise, with flags."""
    from dataclasses import replace

    from geo.review import DEFAULT_REWARD_TIERS, MonthlyOptions, evaluate_month
    from maps.review import read_history, write_history, write_monthly

    con = console(json_mode)
    cats = tuple(c.strip() for c in categories.split(",") if c.strip()) if categories else None
    if basis not in ("yoy", "mom"):
        raise UserError(f"--basis: expected yoy (同比) or mom (环比), got {basis!r}")
    try:
        tiers = parse_tiers(reward_tiers)
        options = MonthlyOptions(
            categories=cats,
            basis="yoy" if basis == "yoy" else "mom",
            min_count=min_count,
            reward_tiers=tiers or DEFAULT_REWARD_TIERS,
        )
    except ValueError as exc:
        raise UserError(str(exc).replace("min_count", "--min-count")) from None
    frame, area_frame, name, _, zone_note, source = _district_incidents(
        incidents,
        areas,
        area_id_field=area_id_field,
        timezone=timezone,
        columns=columns,
        datetime_format=datetime_format,
        sheet=sheet,
        sample_name=sample_name,
        con=con,
    )
    leaders = _leaders(areas, area_id_field) if areas is not None else {}
    known = read_history(history) if history is not None else {}
    try:
        evaluation = evaluate_month(
            frame, area_frame, month, options=options, history=known, leaders=leaders
        )
    except ValueError as exc:
        message = str(exc)
        if message.startswith("month:") or message.startswith("categories:"):
            message = "--" + message
        raise UserError(message) from None
    # the months are of the incidents' local time: say in which zone
    evaluation = replace(evaluation, notes=(zone_note, *evaluation.notes))
    paths = write_monthly(
        evaluation, area_frame, out, district=name, langs=_langs(lang), source=source
    )
    if history is not None:
        paths["history"] = write_history(history, evaluation)
    if json_mode:
        import json

        doc = json.loads(paths["json"].read_text(encoding="utf-8"))
        doc["outputs"] = {k: str(v) for k, v in paths.items()}
        emit_json(doc)
        return
    tr = _tr()
    title = tr("cli2.rev.month.title", month=evaluation.month)
    basis = tr(f"cli2.rev.month.basis.{'yoy' if options.basis == 'yoy' else 'mom'}")
    con.print(
        f"[bold]{escape(title)}[/]" + escape(tr("cli2.rev.month.ranked", name=name, basis=basis))
    )
    from maps.review.common import each_row

    for row in each_row(evaluation.areas.head(10)):
        rank = "-" if row.rank is None or str(row.rank) == "<NA>" else str(row.rank)
        pct = (
            tr("cli2.rev.month.too_few")
            if row.status == "too_few"
            else ("–" if str(row.change_pct) == "nan" else f"{row.change_pct:+.0f} %")
        )
        flags = "、" if tr.is_chinese else ", "
        flags = flags.join(tr.get(f"review.flag.{f}", str(f)) for f in row.flags)
        counts = tr("cli2.rev.month.counts", year=row.count_last_year, month=row.count_last_month)
        con.print(
            f"  {rank:>3} {row.name:<16} {row.count:>4} {counts}  {row.change:+d} {pct:>8}  {flags}"
        )
    for note in evaluation.notes:
        con.print("  " + tr("cli.note", note=zone_text(note, tr)))
    _print_outputs(con, paths, tr)


def _read_fixes(
    tracks: list[Path] | None,
    *,
    columns: str | None,
    unit_map: str | None,
    timezone: str,
    datetime_format: str | None,
) -> gpd.GeoDataFrame:
    """Every track file read with the command's options, as one table of fixes."""
    from geo.io.advice import CLI_ADVICE
    from geo.io.tracks import read_tracks

    roles = parse_track_columns(columns)
    mapping = parse_unit_map(unit_map)
    frames = [
        read_tracks(
            path,
            columns=roles,
            unit_ids=mapping,
            timezone=timezone,
            datetime_format=datetime_format,
            advice=CLI_ADVICE,
        )
        for path in tracks or []
    ]
    from maps.review.inputs import combine_fixes

    return combine_fixes(frames)


@review_app.command("week")
def review_week_command(
    week: Annotated[str, typer.Option("--week", help="The ISO week reviewed, e.g. 2024-W10.")],
    incidents: IncidentsOption = None,
    areas: AreasOption = None,
    area_id_field: Annotated[
        str | None, typer.Option("--area-id-field", help="Field of the areas file with the ids.")
    ] = None,
    categories: Annotated[
        str | None,
        typer.Option("--categories", help="Only these categories, e.g. burglary,vehicle_theft."),
    ] = None,
    plans: Annotated[
        list[Path] | None,
        typer.Option("--plans", help="The week's plan.json files (repeatable)."),
    ] = None,
    tracks: Annotated[
        list[Path] | None,
        typer.Option("--tracks", help="The week's GPS tracks, GPX or CSV (repeatable)."),
    ] = None,
    unit_map: Annotated[
        str | None, typer.Option("--unit-map", help="Track names to plan unit ids: GPS-07=C1.")
    ] = None,
    timezone: TimezoneOption = "auto",
    columns: ColumnsOption = None,
    datetime_format: DatetimeFormatOption = None,
    sheet: SheetOption = None,
    track_columns: WeekTrackColumnsOption = None,
    track_datetime_format: WeekTrackFormatOption = None,
    sample_name: SampleOption = "portland-central",
    out: OutOption = Path("review"),
    lang: LangOption = "en,zh-CN",
    json_mode: JsonOption = False,
) -> None:
    """Weekly review (每周点评): incidents by area and category, hotspots, plans against tracks."""
    from geo.review.weekly import evaluate_week
    from maps.planfile import read_plan_bundle
    from maps.review.run import review_bundle
    from maps.review.weekly_report import DayReview, write_weekly

    con = console(json_mode)
    cats = tuple(c.strip() for c in categories.split(",") if c.strip()) if categories else None
    frame, area_frame, name, zone, zone_note, _ = _district_incidents(
        incidents,
        areas,
        area_id_field=area_id_field,
        timezone=timezone,
        columns=columns,
        datetime_format=datetime_format,
        sheet=sheet,
        sample_name=sample_name,
        con=con,
    )
    bundles = [read_plan_bundle(p) for p in plans or []]
    cells = _week_cells(bundles, area_frame)
    try:
        result = evaluate_week(frame, area_frame, week, categories=cats, cells=cells)
    except ValueError as exc:
        raise UserError(
            f"--{exc}" if str(exc).startswith(("week:", "categories:")) else str(exc)
        ) from None
    days = []
    if bundles:
        # track times without an offset: the plans' wall clock unless --timezone is given
        fixes = _read_fixes(
            tracks,
            columns=track_columns,
            unit_map=unit_map,
            timezone=bundles[0].timezone if timezone == "auto" else zone,
            datetime_format=track_datetime_format,
        )
        for bundle in bundles:
            run = review_bundle(bundle, fixes)
            days.append(DayReview(bundle=bundle, review=run.review))
    paths = write_weekly(result, days, out, district=name, langs=_langs(lang), timezone=zone)
    if json_mode:
        import json

        doc = json.loads(paths["json"].read_text(encoding="utf-8"))
        doc["outputs"] = {k: str(v) for k, v in paths.items()}
        emit_json(doc)
        return
    tr = _tr()
    title = tr("cli2.rev.week.title", week=result.week)
    rest = tr(
        "cli2.rev.week.against",
        name=name,
        previous=result.previous_week,
        last_year=result.week_last_year,
        n=int(result.by_area["count"].sum()),
    )
    con.print(f"[bold]{escape(title)}[/]{escape(rest)}")
    new = result.by_area.loc[result.by_area["hotspot"] == "new", "name"].tolist()
    kept = result.by_area.loc[result.by_area["hotspot"] == "persisting", "name"].tolist()
    comma, none = ("、" if tr.is_chinese else ", "), tr("cli2.rev.none")
    con.print(
        "  " + tr("cli2.rev.week.areas", new=comma.join(new) or none, kept=comma.join(kept) or none)
    )
    from maps.review.weekly_report import cell_labels

    labels = cell_labels(result, days, tr)
    for kind in ("new", "persisting"):
        chosen = result.cells[result.cells["hotspot"] == kind]
        listed = [
            f"{labels.get(c, c)} ({n})"
            for c, n in zip(chosen["cell_id"], chosen["count"], strict=True)
        ]
        cells = ("；" if tr.is_chinese else "; ").join(listed) or none
        con.print("  " + tr(f"cli2.rev.week.cells_{kind}", cells=cells), highlight=False)
    con.print("  " + tr("cli.note", note=zone_text(zone_note, tr)))
    for day in days:
        totals = day.review.totals
        con.print(
            "  "
            + tr(
                "cli2.rev.week.day",
                date=tr.date(day.bundle.plan_date),
                shift=day.bundle.shift,
                visited=totals["stops_visited"],
                planned=totals["stops_planned"],
            )
        )
    _print_outputs(con, paths, tr)


def _week_cells(bundles: list[Any], areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The grid the week's hotspot cells are counted on: the plans' cells (the grid their
    stops are named on), else square cells of the default size laid over the areas."""
    for bundle in bundles:
        if bundle.cells is not None and len(bundle.cells):
            return bundle.cells
    from geo.crs import local_crs
    from geo.grid import make_grid

    crs = local_crs(areas)
    working = areas.to_crs(crs)
    return make_grid(working.union_all(), crs=crs, areas=working).cells


def _leaders(path: Path, id_field: str | None) -> dict[str, str]:
    """The responsible post of each area from the areas file's ``leader`` column, if any."""
    import pyogrio

    from geo.io.areas import ID_CANDIDATES
    from geo.io.common import find_column
    from geo.review.monthly import leaders_from_table

    table = pyogrio.read_dataframe(path, read_geometry=False)
    field = id_field or find_column([str(c) for c in table.columns], ID_CANDIDATES)
    if field is None:
        return {}
    try:
        return leaders_from_table(table, id_field=field)
    except ValueError as exc:
        raise UserError(f"--areas {path}: {exc}") from None


def demo_reviews(out: Path, district: Any) -> dict[str, str]:
    """The demo's review steps: a plan review of ``out/plan.json`` against simulated tracks
    (written as ``review/tracks_simulated.csv`` and ``.gpx`` and read back like real ones), and
    the monthly evaluation of the sample's last month. Returns the outputs by name."""
    import geopandas as gpd
    import pandas as pd

    from geo.io.tracks import read_tracks
    from geo.review import evaluate_month
    from maps.planfile import read_plan_bundle
    from maps.review import write_monthly, write_plan_review
    from maps.review.run import review_bundle
    from maps.review.trackfiles import write_fixes_csv, write_fixes_gpx
    from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks

    folder = out / "review"
    bundle = read_plan_bundle(out / "plan.json")
    assert bundle.plan is not None
    sim = simulate_tracks(
        bundle.plan, dict(bundle.station_xy()), TrackSimOptions(seed=0), tasks=bundle.tasks
    )
    timed = fixes_with_times(sim.fixes, bundle.plan_date, bundle.timezone)
    cars = timed["unit_id"].str.upper().str.startswith("C")
    csv_path = write_fixes_csv(timed[cars], bundle.crs, folder / "tracks_simulated.csv")
    gpx_path = write_fixes_gpx(timed[~cars], bundle.crs, folder / "tracks_simulated.gpx")
    frames = [read_tracks(p, timezone=bundle.timezone) for p in (csv_path, gpx_path)]
    fixes = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    run = review_bundle(bundle, fixes)
    plan_files = write_plan_review(
        run.review,
        bundle,
        run.fixes,
        folder / "plan",
        plan_path=str(out / "plan.json"),
        tracks=[str(csv_path), str(gpx_path)],
        fixes_read=run.fixes_read,
        rejected=run.screened.rejected,
    )
    last = pd.Timestamp(district.incidents["occurred_at"].max()).tz_localize(None)
    month = str(last.to_period("M") if last.is_month_end else last.to_period("M") - 1)
    evaluation = evaluate_month(district.incidents, district.areas, month)
    monthly_files = write_monthly(
        evaluation, district.areas, folder / "monthly", district=district.name
    )
    outputs = {"simulated tracks csv": str(csv_path), "simulated tracks gpx": str(gpx_path)}
    outputs.update({f"plan review {k}": str(v) for k, v in plan_files.items()})
    outputs.update({f"monthly {month} {k}": str(v) for k, v in monthly_files.items()})
    return outputs


PreviousOption = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help="The previous day's plan.json of the same shift: what changed is written to the "
        "plan file ('changes') and shown.",
    ),
]


def add_changes(
    docs: list[dict[str, Any]], previous: Path | None, json_mode: bool = False
) -> dict[str, Any] | None:
    """Write into each plan document what changed against the day before (``--previous`` for
    the first day, the day before it for the others of ``--vary``), print it, and return the
    first day's changes (``None`` without ``--previous``)."""
    if previous is None:
        return None
    from maps.planfile import read_plan
    from planner.review.daily import plan_changes

    before = read_plan(previous)
    source = str(previous)
    first_before = before
    for doc in docs:
        try:
            doc["changes"] = plan_changes(before, doc, previous_file=source)
        except ValueError as exc:
            raise UserError(f"--{exc}") from None
        before, source = doc, f"day {doc.get('day', '?')}"
    first = docs[0]["changes"] if docs else None
    if first is not None:
        print_changes(console(json_mode), first, [docs[0], first_before])
    return first


def print_changes(con: Any, changes: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    """The plan command's section on what changed since the previous day's plan: the counts,
    the hotspots that entered and left (by street where the plan names its stops), the cells
    gaining and losing most presence, the duties added and dropped."""
    from maps.i18n import Translator
    from maps.sheets.changes import changes_lines, changes_title, document_cell_labels

    tr = Translator("en")
    con.print(f"[bold]{changes_title(changes, tr)}[/]")
    for line in changes_lines(changes, tr, document_cell_labels(docs, tr)):
        con.print(f"  {line}", highlight=False)
