"""Point–line duties (点线): fixed posts, patrol lines and time-window tasks (school gates)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium

from maps.coords import Projector
from maps.i18n import Translator
from planner.tasks import Task, TaskKind


def _window(task: Task, tr: Translator) -> str:
    if task.window_open_s is None or task.window_close_s is None:
        return ""
    return f"{tr.clock(task.window_open_s)}–{tr.clock(task.window_close_s)}"


def add_duty_layers(
    m: folium.Map, tasks: Sequence[Task], proj: Projector, tr: Translator
) -> dict[str, int]:
    """Add posts, lines and windowed tasks as three layers; return the count of each drawn."""
    seen: set[str] = set()
    posts: list[Task] = []
    lines: list[Task] = []
    windows: list[Task] = []
    for task in tasks:
        place = task.place_id or task.task_id
        if place in seen:
            continue  # repeat visits of one place draw once
        seen.add(place)
        if task.kind is TaskKind.POST:
            posts.append(task)
        elif task.kind is TaskKind.LINE and task.line is not None:
            lines.append(task)
        if task.window_open_s is not None and task.kind is not TaskKind.POST:
            windows.append(task)
    if posts:
        group = folium.FeatureGroup(name=tr("layer.posts"), show=True)
        for t in posts:
            win = _window(t, tr)
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
                popup=folium.Popup(text, max_width=250),
                tooltip=t.label,
            ).add_to(group)
        group.add_to(m)
    if lines:
        group = folium.FeatureGroup(name=tr("layer.lines"), show=True)
        for t in lines:
            assert t.line is not None
            folium.PolyLine(
                proj.line(t.line),
                color="#6a3d9a",
                weight=7,
                opacity=0.45,
                tooltip=f"{tr('kind.line')}: {t.label}",
            ).add_to(group)
        group.add_to(m)
    if windows:
        group = folium.FeatureGroup(name=tr("layer.windows"), show=True)
        for t in windows:
            folium.CircleMarker(
                proj.point(t.x, t.y),
                radius=11,
                color="#00796b",
                weight=3,
                fill=False,
                tooltip=f"{t.label}: {_window(t, tr)}",
            ).add_to(group)
        group.add_to(m)
    return {"posts": len(posts), "lines": len(lines), "windows": len(windows)}
