"""Each unit's route along the streets in its own colour, with numbered stop markers."""

from __future__ import annotations

import html
from collections.abc import Mapping

import folium

from maps.coords import Projector
from maps.i18n import Translator
from maps.routegeom import RouteGeometry
from planner.plan import PlannedStop, UnitRoute
from planner.tasks import Task


def stop_notes(stop: PlannedStop, task: Task | None, tr: Translator) -> str:
    """Notes of a stop for maps and sheets: required, time window."""
    notes: list[str] = []
    if stop.required:
        notes.append(tr("sheet.required_note"))
    if task is not None and task.window_open_s is not None and task.window_close_s is not None:
        notes.append(
            tr(
                "sheet.window_note",
                start=tr.clock(task.window_open_s),
                end=tr.clock(task.window_close_s),
            )
        )
    return "; ".join(notes)


def stop_popup(stop: PlannedStop, task: Task | None, tr: Translator) -> str:
    """Popup HTML of a stop: order and place, arrival, departure, dwell, task and notes."""
    lines = [
        f"<b>{html.escape(tr('popup.stop', order=stop.order, label=stop.label))}</b>",
        f"{html.escape(tr('popup.arrive'))}: {html.escape(tr.clock(stop.arrival_s))}",
        f"{html.escape(tr('popup.leave'))}: {html.escape(tr.clock(stop.departure_s))}",
        f"{html.escape(tr('popup.dwell'))}: {html.escape(tr.duration(stop.dwell_s))}",
        f"{html.escape(tr('popup.task'))}: {html.escape(tr(f'kind.{stop.kind}'))}",
    ]
    if stop.cell_id:
        lines.append(f"{html.escape(tr('word.cell'))}: {html.escape(stop.cell_id)}")
    notes = stop_notes(stop, task, tr)
    if notes:
        lines.append(html.escape(notes))
    return "<br>".join(lines)


def stop_icon(order: int, color: str) -> folium.DivIcon:
    """A round numbered marker in the unit's colour."""
    return folium.DivIcon(
        html=(
            f'<div style="width:20px;height:20px;border-radius:50%;background:{color};'
            "color:#fff;font:bold 11px/20px Arial,sans-serif;text-align:center;"
            f'border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.7)">{order}</div>'
        ),
        icon_size=(24, 24),
        icon_anchor=(12, 12),
        class_name="gp-stop",
    )


def route_layer_name(route: UnitRoute, tr: Translator) -> str:
    """Layer-control name of a unit's route: ``Route C1 (car)``."""
    return tr("layer.route", unit=route.unit_id, mode=tr(f"mode.{route.mode}"))


def add_route_layer(
    m: folium.Map,
    route: UnitRoute,
    geometry: RouteGeometry,
    color: str,
    proj: Projector,
    tr: Translator,
    tasks: Mapping[str, Task],
) -> folium.FeatureGroup:
    """Add one unit's route (street legs and numbered stops) as its own layer."""
    name = route_layer_name(route, tr)
    group = folium.FeatureGroup(name=name, show=True)
    summary = (
        f"{route.unit_id}: {tr.clock(route.depart_s)}–{tr.clock(route.return_s)}, "
        f"{tr.distance(route.distance_m)}, {len(route.stops)} {tr('sheet.col.stops')}"
    )
    street = [
        proj.line(leg) for leg, s in zip(geometry.legs, geometry.straight, strict=True) if not s
    ]
    straight = [
        proj.line(leg) for leg, s in zip(geometry.legs, geometry.straight, strict=True) if s
    ]
    for lines in (street, straight):
        if lines:  # a white casing keeps the route readable over the coloured cells
            folium.PolyLine(
                lines, color="#ffffff", weight=8, opacity=0.9, interactive=False
            ).add_to(group)
    if street:
        folium.PolyLine(
            street, color=color, weight=5, opacity=0.85, tooltip=summary, class_name="gp-route"
        ).add_to(group)
    if straight:
        folium.PolyLine(
            straight,
            color=color,
            weight=4,
            opacity=0.8,
            dash_array="6 6",
            tooltip=summary,
            class_name="gp-route",
        ).add_to(group)
    for stop in route.stops:
        folium.Marker(
            proj.point(stop.x, stop.y),
            icon=stop_icon(stop.order, color),
            popup=folium.Popup(stop_popup(stop, tasks.get(stop.task_id), tr), max_width=300),
            tooltip=f"{route.unit_id} #{stop.order} {tr.clock(stop.arrival_s)} {stop.label}",
        ).add_to(group)
    group.add_to(m)
    return group
