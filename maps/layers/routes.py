"""Each unit's route along the streets in its own colour, with numbered stop markers.

:func:`stop_span` is when a stop's duty starts and ends (a line ends at its far end, not where
it was entered); the route sheets print the same spans and notes as the popups here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import folium

from geo.naming import Place
from geo.network.modes import Mode
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers import html_text, template_safe
from maps.layers.duties import duty_span_s
from maps.routegeom import RouteGeometry
from maps.sheets.places import place_text, street_text
from maps.sheets.times import PlanClock
from planner.plan import PlannedStop, UnitRoute
from planner.tasks import Task, TaskKind
from planner.travel import StreetTravel, traverse_s


@dataclass(frozen=True)
class StopSpan:
    """When the duty of a stop starts and ends, in plan seconds.

    ``break_first`` is true when the meal break planned after the stop is taken before its
    duty (at the start of a line, walked once the break is over).
    """

    start_s: int
    end_s: int
    break_first: bool = False

    @property
    def duration_s(self) -> int:
        return self.end_s - self.start_s


def line_traverse_s(task: Task | None, mode: Mode) -> int:
    """Seconds to walk or drive a line task end to end (0 for any other task).

    Timed as the planner times it (:func:`planner.travel.traverse_s` at the mode's speed of
    :class:`planner.travel.StreetTravel`, whose default speeds every plan is made with).
    """
    if task is None or task.line is None:
        return 0
    return traverse_s(task.line, StreetTravel().speed_kmh(mode))


def stop_span(route: UnitRoute, stop: PlannedStop, task: Task | None) -> StopSpan:
    """When the unit starts and ends the duty of ``stop`` (of ``route``).

    A stop is held from its arrival to its departure, except a line: the planner adds the
    time to walk or drive a line to the leg leaving it (:mod:`planner.problem`), so a line
    stop departs when it is entered and ends :func:`line_traverse_s` later, at the far end. A
    meal break planned after a line that starts before the line would be done is taken first,
    and the line walked after it. The end never passes the next arrival or the return (it
    could only on speeds other than the planner's).
    """
    start, end = stop.arrival_s, stop.departure_s
    if stop.walk_s > 0:  # the plan times its walks (lines, sector walks; a break may pause one)
        return StopSpan(start, stop.end_s)
    walk = line_traverse_s(task, route.mode) if stop.kind is TaskKind.LINE else 0
    if walk <= 0:
        return StopSpan(start, end)
    brk = min(
        (b for b in route.breaks if b.after_order == stop.order),
        key=lambda b: b.start_s,
        default=None,
    )
    break_first = brk is not None and brk.start_s < end + walk
    if brk is not None and break_first:
        start = end = brk.start_s + brk.duration_s
    later = [s.arrival_s for s in route.stops if s.order > stop.order]
    bound = later[0] if later else route.return_s
    return StopSpan(start, max(start, min(end + walk, bound)), break_first)


def stop_notes(stop: PlannedStop, task: Task | None, clock: PlanClock) -> str:
    """Notes of a stop for maps and sheets: required, the hours of its duty."""
    tr = clock.tr
    notes: list[str] = []
    if stop.required:
        notes.append(tr("sheet.required_note"))
    hours = None if task is None else duty_span_s(task)
    if hours is not None:
        notes.append(
            tr("sheet.window_note", start=clock.clock(hours[0]), end=clock.clock(hours[1]))
        )
    return "; ".join(notes)


def stop_popup(
    stop: PlannedStop,
    task: Task | None,
    span: StopSpan,
    clock: PlanClock,
    place: Place | None = None,
    latlon: tuple[float, float] | None = None,
) -> str:
    """Popup HTML of a stop: order and place (named by street as the plan file names it),
    start, end, duration, task, cell, coordinates and notes; every value escaped."""
    tr = clock.tr
    label = place_text(place, tr, stop.label)
    lines = [f"<b>{html.escape(tr('popup.stop', order=stop.order, label=label))}</b>"]
    street = street_text(place, tr)
    if street and street != label:
        lines.append(html.escape(street))
    lines += [
        f"{html.escape(tr('popup.arrive'))}: {html.escape(clock.clock(span.start_s))}",
        f"{html.escape(tr('popup.leave'))}: {html.escape(clock.clock(span.end_s))}",
        f"{html.escape(tr('popup.dwell'))}: {html.escape(tr.duration(span.duration_s))}",
        f"{html.escape(tr('popup.task'))}: {html.escape(tr(f'kind.{stop.kind}'))}",
    ]
    if stop.cell_id:
        lines.append(f"{html.escape(tr('word.cell'))}: {html.escape(stop.cell_id)}")
    if latlon is not None:
        lines.append(html.escape(f"{latlon[0]:.6f}, {latlon[1]:.6f}"))
    notes = stop_notes(stop, task, clock)
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
    clock: PlanClock,
    places: Mapping[str, Place] | None = None,
) -> folium.FeatureGroup:
    """Add one unit's route (street legs and numbered stops) as its own layer.

    ``clock`` prints the times on the plan's date and zone; ``places`` (``{task_id: Place}``
    of the plan file) name the stops by street.
    """
    name = route_layer_name(route, tr)
    group = folium.FeatureGroup(name=html_text(name), show=True)
    summary = (
        f"{route.unit_id}: {clock.span(route.depart_s, route.return_s)}, "
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
            street,
            color=color,
            weight=5,
            opacity=0.85,
            tooltip=html_text(summary),
            class_name="gp-route",
        ).add_to(group)
    if straight:
        folium.PolyLine(
            straight,
            color=color,
            weight=4,
            opacity=0.8,
            dash_array="6 6",
            tooltip=html_text(summary),
            class_name="gp-route",
        ).add_to(group)
    for stop in route.stops:
        task = tasks.get(stop.task_id)
        span = stop_span(route, stop, task)
        place = (places or {}).get(stop.task_id)
        latlon = proj.point(stop.x, stop.y)
        label = place_text(place, tr, stop.label)
        folium.Marker(
            latlon,
            icon=stop_icon(stop.order, color),
            popup=folium.Popup(
                template_safe(stop_popup(stop, task, span, clock, place, (latlon[0], latlon[1]))),
                max_width=300,
            ),
            tooltip=html_text(f"{route.unit_id} #{stop.order} {clock.clock(span.start_s)} {label}"),
        ).add_to(group)
    group.add_to(m)
    return group
