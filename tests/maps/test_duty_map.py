"""The web map puts each duty in its own layer and prints the hours of posts and lines.

Layers and texts are read from the folium tree :func:`maps.webmap.build_map` returns: each
layer's tooltips and popup HTML.
"""

from __future__ import annotations

import html

import folium
import pytest
from branca.element import Element

from geo import sample
from geo.io import read_duties
from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.layers.duties import duty_layer, duty_span_s
from maps.webmap import MapOptions, build_map
from planner.sources import tasks_from_duties
from tests.maps._duties import duty_bundle

# The layers' names as the map shows them in English (the catalogue's wording, not a copy).
POSTS = Translator("en")("layer.posts")
LINES = Translator("en")("layer.lines")
WINDOWS = Translator("en")("layer.windows")


@pytest.fixture(scope="module")
def duties(tmp_path_factory: pytest.TempPathFactory) -> PlanBundle:
    return duty_bundle(tmp_path_factory.mktemp("duties"))


def _texts(element: Element) -> list[str]:
    """Tooltip texts and popup HTML (unescaped) under ``element``, in drawing order."""
    found: list[str] = []
    for child in element._children.values():
        if isinstance(child, folium.Tooltip):
            found.append(child.text)
        elif isinstance(child, folium.Html):
            found.append(html.unescape(child.data))
        elif isinstance(child, folium.Popup):
            found.extend(_texts(child.html))
        found.extend(_texts(child))
    return found


def _layers(bundle: PlanBundle, lang: str = "en") -> dict[str, list[str]]:
    """``{layer name: texts}`` of the map of ``bundle``."""
    m = build_map(bundle, MapOptions(tiles="none", lang=lang, player=False))
    return {
        child.layer_name: _texts(child)
        for child in m._children.values()
        if isinstance(child, folium.FeatureGroup)
    }


def _has(texts: list[str], needle: str) -> bool:
    return any(needle in t for t in texts)


# ---- 2. each duty in its layer ----------------------------------------------------------------


def test_school_gate_is_a_timed_visit_and_the_line_a_line(duties: PlanBundle) -> None:
    layers = _layers(duties)
    assert _has(layers[WINDOWS], "School gate (dismissal)")
    assert not _has(layers[WINDOWS], "St George St")
    assert not _has(layers[POSTS], "School gate")
    assert _has(layers[POSTS], "Queen's Park subway exit")
    assert _has(layers[POSTS], "Night post College St")
    assert _has(layers[LINES], "St George St (College to Bloor)")


@pytest.mark.parametrize("district", ["portland-central", "toronto-uoft"])
def test_sample_duties_land_in_the_layer_of_their_kind(district: str) -> None:
    table = read_duties(sample.data_dir(district) / "duties.csv")
    tasks = tasks_from_duties(table.to_crs(sample.load(district).crs))
    expected = {"post": "posts", "line": "lines", "window": "windows"}
    got = {t.label: duty_layer(t) for t in tasks}
    assert got == {
        str(name): expected[str(kind)] for name, kind in zip(table.name, table.kind, strict=True)
    }
    assert "windows" in got.values()  # each sample has a school gate


def test_tasks_from_elsewhere_go_by_their_kind(bundle: PlanBundle) -> None:
    # The Toronto sample's tasks are made by hand: a post, a line, a hotspot at dismissal.
    layers = {t.task_id: duty_layer(t) for t in bundle.tasks}
    assert layers["post-1"] == "posts"
    assert layers["line-1"] == "lines"
    assert layers["school-gate"] == "windows"
    assert {layers[t.task_id] for t in bundle.tasks if t.task_id.startswith("h")} == {None}


# ---- 1. the hours of a post, as held --------------------------------------------------------


def test_post_popup_gives_the_hours_it_is_held(duties: PlanBundle) -> None:
    posts = _layers(duties)[POSTS]
    assert _has(posts, "Window: 17:00–19:00")
    assert not _has(posts, "17:00–17:00")
    assert _has(posts, "Window: 23:30–00:30 (+1)")
    windows = _layers(duties, "zh-CN")[Translator("zh-CN")("layer.windows")]
    assert windows == ["School gate (dismissal): 15:15–15:45"]


def test_duty_hours_are_the_file_hours(duties: PlanBundle) -> None:
    spans = {t.task_id: duty_span_s(t) for t in duties.tasks}
    h, m = 3600, 60
    assert spans["post:exit"] == (17 * h, 19 * h)
    assert spans["window:school-gate"] == (15 * h + 15 * m, 15 * h + 45 * m)
    assert spans["post:night"] == (23 * h + 30 * m, 24 * h + 30 * m)
    assert spans["line:st-george"] == (18 * h, 23 * h)


def test_route_popups_print_post_hours_and_line_end(duties: PlanBundle) -> None:
    route = _layers(duties)["Route F1 (foot)"]
    post = next(t for t in route if "Queen's Park subway exit" in t and "<br>" in t)
    assert "Arrive: 17:00<br>Leave: 19:00<br>Dwell: 2 h 00 min" in post
    assert "required; window 17:00–19:00" in post
    line = next(t for t in route if "St George St" in t and "<br>" in t)
    assert "Arrive: 19:10<br>Leave: 19:22<br>Dwell: 12 min" in line
    assert "window 18:00–23:00" in line
    night = next(t for t in _layers(duties, "zh-CN")["N1 路线（步巡）"] if "<br>" in t)
    assert "离开: 次日00:30" in night and "时间窗 23:30–次日00:30" in night


def test_route_tooltip_spans_the_whole_route(duties: PlanBundle) -> None:
    assert _has(_layers(duties)["Route N1 (foot)"], "N1: 23:00–01:00 (+1)")
