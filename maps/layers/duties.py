"""Point–line duties (点线): fixed posts, patrol lines and time-window tasks (school gates).

Each duty is drawn in one layer, chosen by :func:`duty_layer`; :func:`duty_span_s` gives the
hours a duty covers as the duties file wrote them (a post held 17:00–19:00 prints 17:00–19:00).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Literal

import folium

from geo.io.duties import LINE, POST, WINDOW
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers import html_text, template_safe
from maps.sheets.times import PlanClock
from planner.tasks import Task, TaskKind

DutyLayer = Literal["posts", "lines", "windows"]

#: The layer of each kind of the duties file (``geo.io.duties``).
_LAYER_OF_DUTY_KIND: dict[str, DutyLayer] = {POST: "posts", LINE: "lines", WINDOW: "windows"}


def duty_layer(task: Task) -> DutyLayer | None:
    """The duty layer ``task`` is drawn in, or ``None`` for a task that is not a duty.

    The kind written in the duties file decides. :func:`planner.sources.tasks_from_duties`
    keeps it as the prefix of the task id (``post:``, ``line:``, ``window:``), and it is the
    only trace of it: a school gate (kind ``window``) becomes a :attr:`TaskKind.POST` task, a
    place held for a dwell, yet belongs with the timed visits, not the posts. A task without
    such a prefix goes by its own kind: posts and lines to their layers, any other task with
    a time window (a hotspot visited at school dismissal) to the timed visits; untimed
    hotspot and area visits are not duties.
    """
    prefix, colon, _ = task.task_id.partition(":")
    declared = _LAYER_OF_DUTY_KIND.get(prefix) if colon else None
    # A prefix that contradicts the task's kind (a "line:" id on a point task) is not trusted.
    if declared is not None and (declared == "lines") == (task.kind is TaskKind.LINE):
        return declared
    if task.kind is TaskKind.POST:
        return "posts"
    if task.kind is TaskKind.LINE:
        return "lines"
    if task.window_open_s is not None and task.window_close_s is not None:
        return "windows"
    return None


def duty_span_s(task: Task) -> tuple[int, int] | None:
    """The hours a duty covers: from the opening of its arrival window to its latest end.

    A task's window bounds its *arrival*; the duty ends ``dwell_s`` after the latest arrival.
    This gives back the hours of the duties file (:func:`planner.sources.tasks_from_duties`):
    a post held 17:00–19:00 is the arrival window 17:00–17:00 with a dwell of 2 h, so
    17:00–19:00; a school gate 15:15–15:45 with a 12-minute visit may be reached until 15:33,
    so 15:15–15:45; a line's window is the hours to start it in, and its dwell is 0.

    Returns
    -------
    tuple of int or None
        ``(start_s, end_s)`` in plan seconds, or ``None`` for a task without a window.
    """
    if task.window_open_s is None or task.window_close_s is None:
        return None
    return task.window_open_s, task.window_close_s + task.dwell_s


def duty_span_text(task: Task, clock: PlanClock) -> str:
    """:func:`duty_span_s` printed (``17:00–19:00``), or ``""`` without a window."""
    span = duty_span_s(task)
    return "" if span is None else clock.span(*span)


def duty_layers(tasks: Sequence[Task]) -> dict[DutyLayer, list[Task]]:
    """The tasks of each duty layer, one per place (repeat visits of a place draw once)."""
    layers: dict[DutyLayer, list[Task]] = {"posts": [], "lines": [], "windows": []}
    seen: set[str] = set()
    for task in tasks:
        layer = duty_layer(task)
        place = task.place_id or task.task_id
        if layer is None or place in seen:
            continue
        seen.add(place)
        layers[layer].append(task)
    return layers


def add_duty_layers(
    m: folium.Map, tasks: Sequence[Task], proj: Projector, tr: Translator, clock: PlanClock
) -> dict[str, int]:
    """Add posts, lines and timed visits as three layers; return the count of each drawn.

    ``clock`` prints the hours of each duty (:func:`duty_span_s`) on the plan's date and zone.
    """
    layers = duty_layers(tasks)
    posts, lines, windows = layers["posts"], layers["lines"], layers["windows"]
    if posts:
        group = folium.FeatureGroup(name=tr("layer.posts"), show=True)
        for t in posts:
            win = duty_span_text(t, clock)
            text = f"<b>{html.escape(t.label)}</b><br>{html.escape(tr('kind.post'))}"
            if win:
                text += f"<br>{html.escape(tr('word.window'))}: {html.escape(win)}"
            folium.Marker(
                proj.point(t.x, t.y),
                icon=folium.DivIcon(
                    html=(
                        '<div style="width:13px;height:13px;background:#fdd835;'
                        'border:1px solid #000;transform:rotate(45deg)"></div>'
                    ),
                    icon_size=(16, 16),
                    icon_anchor=(8, 8),
                    class_name="gp-post",
                ),
                popup=folium.Popup(template_safe(text), max_width=250),
                tooltip=html_text(t.label),
            ).add_to(group)
        group.add_to(m)
    if lines:
        group = folium.FeatureGroup(name=tr("layer.lines"), show=True)
        for t in lines:
            assert t.line is not None  # a line task always has its line (Task checks it)
            win = duty_span_text(t, clock)
            folium.PolyLine(
                proj.line(t.line),
                color="#6a3d9a",
                weight=7,
                opacity=0.45,
                tooltip=html_text(f"{tr('kind.line')}: {t.label}" + (f" ({win})" if win else "")),
            ).add_to(group)
        group.add_to(m)
    if windows:
        group = folium.FeatureGroup(name=tr("layer.windows"), show=True)
        for t in windows:
            win = duty_span_text(t, clock)
            folium.CircleMarker(
                proj.point(t.x, t.y),
                radius=11,
                color="#00796b",
                weight=3,
                fill=False,
                tooltip=html_text(f"{t.label}: {win}" if win else t.label),
            ).add_to(group)
        group.add_to(m)
    return {"posts": len(posts), "lines": len(lines), "windows": len(windows)}
