"""``gridpatrol review``: the review cycle after the plan.

``review plan`` compares a plan file with the units' GPS tracks (GPX or CSV of fixes) and
check-ins (planned against actual); ``review month`` is the monthly evaluation (每月考评) of
areas by their key cases. Heavy imports stay inside the commands, so ``gridpatrol --help``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.app import JsonOption, OutOption, UserError, app, console, emit_json

if TYPE_CHECKING:
    import geopandas as gpd

review_app = typer.Typer(
    help="The review cycle: a plan against its GPS tracks, the monthly evaluation of areas.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

LangOption = Annotated[
    str,
    typer.Option("--lang", help="Languages of the PDF and XLSX: en, zh-CN or both (en,zh-CN)."),
]


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
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="CSV columns by role: unit_id=车辆编号,datetime=定位时间,lat=纬度,lon=经度 "
            "(checkpoint=巡更点 for check-ins).",
        ),
    ] = None,
    datetime_format: Annotated[
        str | None,
        typer.Option("--datetime-format", help="strftime format of the time column."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="Zone of times written without an offset (default: the plan's)."
        ),
    ] = None,
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
        raise UserError("give the units' tracks with --tracks FILE (GPX or CSV) or --checkins FILE")
    try:
        options = ReviewOptions(
            visit_radius_m=radius_m,
            window_slack_s=int(round(slack_min * 60)),
            min_visit_s=min_visit_s,
        )
    except ValueError as exc:
        raise UserError(str(exc).replace("visit_radius_m", "--radius")) from None
    bundle = read_plan_bundle(plan)
    zone = timezone or bundle.timezone
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
        options=options_record(options),
    )
    if json_mode:
        import json

        doc = json.loads(paths["json"].read_text(encoding="utf-8"))
        doc["outputs"] = {k: str(v) for k, v in paths.items()}
        emit_json(doc)
        return
    totals = run.review.totals
    con.print(
        f"[bold]{bundle.district}[/], shift {bundle.shift} on {bundle.plan_date}: "
        f"{totals['stops_visited']} of {totals['stops_planned']} stops visited "
        f"({float(totals['share_visited']):.0%}), "
        f"{float(totals['share_presence_delivered']):.0%} of the planned presence delivered"
    )
    from maps.review.common import each_row

    for row in each_row(run.review.units):
        con.print(
            f"  {row.unit_id:<8} {row.stops_visited:>3}/{row.stops_planned:<3} stops  "
            f"presence {row.actual_presence_min:7.0f} min (planned {row.planned_presence_min:.0f})"
        )
    counts = run.screened.counts()
    if counts:
        con.print(
            "  fixes kept out: "
            + ", ".join(f"{n} {reason}" for reason, n in counts.items())
            + f" (listed in {paths['json']})"
        )
    for note in run.review.notes:
        con.print(f"  note: {note}")
    con.print("Outputs:")
    for name, path in paths.items():
        con.print(f"  {name:<12} {path}")


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
    incidents: Annotated[
        Path | None, typer.Option("--incidents", help="Incident file (default: the sample).")
    ] = None,
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
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone of the incident times.")
    ] = "UTC",
    sample_name: Annotated[
        str, typer.Option("--sample", help="Sample district used without --incidents.")
    ] = "portland-central",
    out: OutOption = Path("review"),
    lang: LangOption = "en,zh-CN",
    json_mode: JsonOption = False,
) -> None:
    """Monthly evaluation (每月考评): key cases per area, ranked by their rise, with flags."""
    from geo.io.advice import CLI_ADVICE
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
    leaders: dict[str, str] = {}
    if incidents is None and areas is None:
        from geo import sample

        district = sample.load(sample_name)
        frame, area_frame, name = district.incidents, district.areas, district.name
        source: dict[str, Any] = {"kind": "sample", "sample": sample_name}
        con.print(f"No input files given: using the embedded sample district {sample_name!r}.")
    elif incidents is None or areas is None:
        raise UserError("give both --incidents FILE and --areas FILE (or neither, for the sample)")
    else:
        from geo.io import read_areas, read_incidents

        frame = read_incidents(incidents, timezone=timezone, advice=CLI_ADVICE)
        area_frame = read_areas(areas, id_field=area_id_field)
        leaders = _leaders(areas, area_id_field)
        name = areas.stem
        source = {"kind": "files", "incidents": str(incidents), "areas": str(areas)}
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
    con.print(
        f"[bold]Monthly evaluation {evaluation.month}[/] ({name}), ranked by the rise "
        f"{'year on year (同比)' if options.basis == 'yoy' else 'month on month (环比)'}:"
    )
    from maps.review.common import each_row

    for row in each_row(evaluation.areas.head(10)):
        rank = "-" if row.rank is None or str(row.rank) == "<NA>" else str(row.rank)
        pct = (
            "too few"
            if row.status == "too_few"
            else ("–" if str(row.change_pct) == "nan" else f"{row.change_pct:+.0f} %")
        )
        flags = ", ".join(row.flags)
        con.print(
            f"  {rank:>3} {row.name:<16} {row.count:>4} (a year ago {row.count_last_year:>4}, "
            f"last month {row.count_last_month:>4})  {row.change:+d} {pct:>8}  {flags}"
        )
    for note in evaluation.notes:
        con.print(f"  note: {note}")
    con.print("Outputs:")
    for key, path in paths.items():
        con.print(f"  {key:<12} {path}")


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
    incidents: Annotated[
        Path | None, typer.Option("--incidents", help="Incident file (default: the sample).")
    ] = None,
    areas: Annotated[
        Path | None, typer.Option("--areas", help="Official areas (polygons).")
    ] = None,
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
    columns: Annotated[
        str | None, typer.Option("--columns", help="CSV columns by role: unit_id=车辆编号,...")
    ] = None,
    datetime_format: Annotated[
        str | None, typer.Option("--datetime-format", help="strftime format of the times.")
    ] = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone of the incident and track times.")
    ] = "UTC",
    sample_name: Annotated[
        str, typer.Option("--sample", help="Sample district used without --incidents.")
    ] = "portland-central",
    out: OutOption = Path("review"),
    lang: LangOption = "en,zh-CN",
    json_mode: JsonOption = False,
) -> None:
    """Weekly review (每周点评): incidents by area and category, hotspots, plans against tracks."""
    from geo.io.advice import CLI_ADVICE
    from geo.review.weekly import evaluate_week
    from maps.planfile import read_plan_bundle
    from maps.review.run import review_bundle
    from maps.review.weekly_report import DayReview, write_weekly

    con = console(json_mode)
    cats = tuple(c.strip() for c in categories.split(",") if c.strip()) if categories else None
    if incidents is None and areas is None:
        from geo import sample

        district = sample.load(sample_name)
        frame, area_frame, name = district.incidents, district.areas, district.name
        con.print(f"No input files given: using the embedded sample district {sample_name!r}.")
    elif incidents is None or areas is None:
        raise UserError("give both --incidents FILE and --areas FILE (or neither, for the sample)")
    else:
        from geo.io import read_areas, read_incidents

        frame = read_incidents(incidents, timezone=timezone, advice=CLI_ADVICE)
        area_frame = read_areas(areas, id_field=area_id_field)
        name = areas.stem
    try:
        result = evaluate_week(frame, area_frame, week, categories=cats)
    except ValueError as exc:
        raise UserError(
            f"--{exc}" if str(exc).startswith(("week:", "categories:")) else str(exc)
        ) from None
    days = []
    if plans:
        bundles = [read_plan_bundle(p) for p in plans]
        fixes = _read_fixes(
            tracks,
            columns=columns,
            unit_map=unit_map,
            timezone=bundles[0].timezone,
            datetime_format=datetime_format,
        )
        for bundle in bundles:
            run = review_bundle(bundle, fixes)
            days.append(DayReview(bundle=bundle, review=run.review))
    paths = write_weekly(result, days, out, district=name, langs=_langs(lang))
    if json_mode:
        import json

        doc = json.loads(paths["json"].read_text(encoding="utf-8"))
        doc["outputs"] = {k: str(v) for k, v in paths.items()}
        emit_json(doc)
        return
    con.print(
        f"[bold]Weekly review {result.week}[/] ({name}) against {result.previous_week} and "
        f"{result.week_last_year}: {int(result.by_area['count'].sum())} incidents"
    )
    new = result.by_area.loc[result.by_area["hotspot"] == "new", "name"].tolist()
    kept = result.by_area.loc[result.by_area["hotspot"] == "persisting", "name"].tolist()
    con.print(
        f"  new hotspot areas: {', '.join(new) or 'none'}; persisting: {', '.join(kept) or 'none'}"
    )
    for day in days:
        totals = day.review.totals
        con.print(
            f"  {day.bundle.plan_date} {day.bundle.shift}: {totals['stops_visited']} of "
            f"{totals['stops_planned']} stops visited"
        )
    con.print("Outputs:")
    for key, path in paths.items():
        con.print(f"  {key:<12} {path}")


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
    sim = simulate_tracks(bundle.plan, dict(bundle.station_xy()), TrackSimOptions(seed=0))
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
    for doc in docs:
        try:
            doc["changes"] = plan_changes(before, doc, previous_file=source)
        except ValueError as exc:
            raise UserError(f"--{exc}") from None
        before, source = doc, f"day {doc.get('day', '?')}"
    first = docs[0]["changes"] if docs else None
    if first is not None:
        s = first["summary"]
        console(json_mode).print(
            f"Since {first['previous']['plan_date']}: {s['hotspots_entered']} hotspot(s) entered, "
            f"{s['hotspots_left']} left ({s['hotspots_kept']} kept); {s['cells_gaining']} cell(s) "
            f"gain presence, {s['cells_losing']} lose; {s['duties_added']} duty(ies) added, "
            f"{s['duties_dropped']} dropped"
        )
    return first
