"""A small hand-made plan of duties for the sheet and popup tests (no solver, no network).

The posts and the school gate come from a duties file read as the pipeline reads it
(:func:`geo.io.read_duties`, :func:`planner.sources.tasks_from_duties`); the line is made the
same way by hand, 900 m long so that walking it at 4.5 km/h takes exactly 12 minutes.

Unit F1 (foot, 14:00-22:00): school gate 15:20-15:32 (window 15:15-15:45), the post at the
subway exit held 17:00-19:00, the line St George St entered at 19:10 (done 19:22), a meal
break 19:30-20:00, back at 20:15. Unit N1 (foot, 22:00-02:00): the night post 23:30-00:30.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point

from geo.io import read_duties
from maps.bundle import PlanBundle
from planner.plan import PatrolPlan, PlannedBreak, PlannedStop, UnitRoute
from planner.sources import tasks_from_duties
from planner.tasks import Task, TaskKind
from planner.units import Mode, Unit

CRS = "EPSG:32617"
TIMEZONE = "America/Toronto"
PLAN_DATE = date(2024, 3, 5)
H = 3600
M = 60

DUTIES_CSV = """\
duty_id,kind,name,start,end,dwell_min,required,modes,priority,lat,lon
exit,checkpoint,Queen's Park subway exit,17:00,19:00,,true,foot,1.5,43.6600,-79.3905
school-gate,school_gate,School gate (dismissal),15:15,15:45,12,false,foot,1.0,43.6655,-79.3880
night,post,Night post College St,23:30,00:30,,true,,1.0,43.6580,-79.3950
"""

#: The line's far end is 900 m north of its start.
LINE_LENGTH_M = 900.0


def duty_tasks(folder: Path) -> dict[str, Task]:
    """The duties file's tasks by duty id, plus the hand-made line ``st-george``."""
    path = folder / "duties.csv"
    path.write_text(DUTIES_CSV, encoding="utf-8")
    duties = read_duties(path, timezone=TIMEZONE).to_crs(CRS)
    tasks = {t.task_id.split(":", 1)[1]: t for t in tasks_from_duties(duties)}
    x, y = tasks["exit"].x + 150.0, tasks["exit"].y
    tasks["st-george"] = Task(
        "line:st-george",
        TaskKind.LINE,
        "St George St (College to Bloor)",
        x,
        y,
        prize=1.0,
        window_open_s=18 * H,
        window_close_s=23 * H,
        line=LineString([(x, y), (x, y + LINE_LENGTH_M)]),
    )
    return tasks


def _stop(order: int, task: Task, arrive_s: int, leave_s: int) -> PlannedStop:
    return PlannedStop(
        order=order,
        task_id=task.task_id,
        kind=task.kind,
        label=task.label,
        x=task.x,
        y=task.y,
        cell_id=None,
        area_id=None,
        arrival_s=arrive_s,
        departure_s=leave_s,
        dwell_s=leave_s - arrive_s,
        required=task.required,
        prize=task.prize,
    )


def _route(
    unit: Unit,
    stops: tuple[PlannedStop, ...],
    depart_s: int,
    return_s: int,
    breaks: tuple[PlannedBreak, ...] = (),
) -> UnitRoute:
    return UnitRoute(
        unit_id=unit.unit_id,
        mode=unit.mode,
        start_station=unit.start_station,
        end_station=unit.end_station,
        depart_s=depart_s,
        return_s=return_s,
        stops=stops,
        breaks=breaks,
        legs=(),
        travel_s=40 * M,
        dwell_s=sum(s.dwell_s for s in stops),
        distance_m=3456.0,
        prize=sum(s.prize for s in stops),
    )


def duty_bundle(folder: Path, *, line_break_first: bool = False) -> PlanBundle:
    """The plan of F1 and N1 described above, with the stations and tasks it was made from.

    ``line_break_first`` moves F1's meal break to 19:10, when the line is entered: the line
    is then walked after the break, 19:40-19:52.
    """
    tasks = duty_tasks(folder)
    gate, post, line, night = (tasks[k] for k in ("school-gate", "exit", "st-george", "night"))
    f1 = Unit("F1", Mode.FOOT, "queens-park", "queens-park", 14 * H, 22 * H)
    n1 = Unit("N1", Mode.FOOT, "queens-park", "queens-park", 22 * H, 26 * H)
    brk = (
        PlannedBreak(19 * H + 10 * M, 30 * M, 3)
        if line_break_first
        else PlannedBreak(19 * H + 30 * M, 30 * M, 3)
    )
    f1_route = _route(
        f1,
        (
            _stop(1, gate, 15 * H + 20 * M, 15 * H + 32 * M),
            _stop(2, post, 17 * H, 19 * H),
            _stop(3, line, 19 * H + 10 * M, 19 * H + 10 * M),
        ),
        15 * H,
        20 * H + 15 * M,
        (brk,),
    )
    n1_route = _route(n1, (_stop(1, night, 23 * H + 30 * M, 24 * H + 30 * M),), 23 * H, 25 * H)
    plan = PatrolPlan(
        routes=(f1_route, n1_route),
        dropped=(),
        risk_share=0.5,
        presence_min_by_cell={},
        seed=0,
        notes=(),
    )
    stations = gpd.GeoDataFrame(
        {"station_id": ["queens-park"], "name": ["Queen's Park base"]},
        geometry=[Point(post.x - 300.0, post.y - 200.0)],
        crs=CRS,
    )
    return PlanBundle(
        crs=stations.crs,
        district="Toronto test",
        plan_date=PLAN_DATE,
        timezone=TIMEZONE,
        stations=stations,
        plan=plan,
        tasks=tuple(tasks.values()),
        units=(f1, n1),
        band="16-24",
    )
