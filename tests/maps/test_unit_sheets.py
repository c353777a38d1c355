"""A sheet per unit that works in the field: its own map scale, its id on every page, QR codes.

The plan is the demo-like Toronto run of :mod:`tests.maps._named_plan`.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from reportlab.graphics.barcode import qrencoder

from maps.bundle import PlanBundle
from maps.fonts import pdf_fonts
from maps.i18n import Translator
from maps.routegeom import route_geometry
from maps.sheets.pdf import (
    _styles,
    pdf_bytes,
    qr_drawing,
    qr_values,
    sheet_route_map,
    unit_page_heading,
    unit_story,
)
from maps.sheets.routemap import MIN_SPAN_M, SCALE_BAR_STEPS_M, route_extent, scale_bar_length
from tests.maps._named_plan import named_plan


@pytest.fixture(scope="module")
def plan() -> tuple[dict[str, Any], PlanBundle]:
    return named_plan()


def _bounds(route: Any, bundle: PlanBundle) -> tuple[float, float, float, float]:
    geometry = route_geometry(route, bundle.station_xy())
    xs = [s.x for s in route.stops] + [p[0] for p in geometry.places]
    ys = [s.y for s in route.stops] + [p[1] for p in geometry.places]
    for leg in geometry.legs:
        xs.extend(leg.xy[0])
        ys.extend(leg.xy[1])
    return min(xs), min(ys), max(xs), max(ys)


def test_route_map_shows_the_unit_not_the_district(plan: tuple[dict[str, Any], PlanBundle]) -> None:
    _, bundle = plan
    assert bundle.cells is not None
    dminx, _, dmaxx, _ = bundle.cells.total_bounds
    district_w = dmaxx - dminx
    widths = {}
    for route in bundle.routes():
        if not route.stops:
            continue
        drawn = sheet_route_map(bundle, route, "#1f77b4", "en")
        minx, miny, maxx, maxy = drawn.extent
        bx0, by0, bx1, by1 = _bounds(route, bundle)
        assert minx <= bx0 and miny <= by0 and maxx >= bx1 and maxy >= by1  # all of it shows
        span = max(bx1 - bx0, by1 - by0, MIN_SPAN_M)
        aspect = drawn.width_in / drawn.height_in
        # no more than the route, its margin and the widening to the picture's shape
        assert maxx - minx <= 1.2 * max(span, span * aspect) + 1
        assert drawn.scale_bar_m == scale_bar_length(maxx - minx)
        assert (maxx - minx) / 10 <= drawn.scale_bar_m <= (maxx - minx) / 2.5
        assert drawn.scale == pytest.approx((maxx - minx) / (drawn.width_in * 0.0254), rel=0.06)
        img = Image.open(io.BytesIO(drawn.png))
        assert img.size[0] > 800 and len(img.convert("L").getcolors(4096) or []) > 10
        widths[route.unit_id] = (maxx - minx, drawn.scale_bar_m)
    assert widths
    assert all(w < district_w * 1.3 for w, _ in widths.values())
    # a smaller route gets a shorter (or equal) scale bar
    ordered = sorted(widths.values())
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(ordered))


@given(st.floats(50.0, 200_000.0), st.floats(1.0, 5.0))
def test_scale_bar_is_a_round_fifth_or_less(width_m: float, factor: float) -> None:
    bar = scale_bar_length(width_m)
    assert bar in SCALE_BAR_STEPS_M
    assert bar <= max(width_m / 5, SCALE_BAR_STEPS_M[0])
    assert scale_bar_length(width_m * factor) >= bar  # wider maps never get shorter bars


def test_extent_has_a_floor_and_a_margin(plan: tuple[dict[str, Any], PlanBundle]) -> None:
    _, bundle = plan
    route = next(r for r in bundle.routes() if r.stops)
    geometry = route_geometry(route, bundle.station_xy())
    minx, miny, maxx, maxy = route_extent(route, geometry)
    assert maxx - minx >= MIN_SPAN_M and maxy - miny >= MIN_SPAN_M
    wide = route_extent(route, geometry, aspect=3.0)
    assert (wide[2] - wide[0]) / (wide[3] - wide[1]) == pytest.approx(3.0)


def test_unit_id_on_every_page(plan: tuple[dict[str, Any], PlanBundle], tmp_path: Path) -> None:
    _, bundle = plan
    tr = Translator("en")
    path = tmp_path / "all.pdf"
    routes = bundle.routes()
    path.write_bytes(pdf_bytes(bundle, units=[r.unit_id for r in routes]))
    pages = [p.extract_text() or "" for p in PdfReader(path).pages]
    assert len(pages) > len(routes)  # long routes run over several pages
    units_seen: list[str] = []
    for text in pages:
        heads = [r.unit_id for r in routes if unit_page_heading(bundle, r, tr) in text]
        if not heads and not units_seen:
            continue  # the coordinator's summary pages before the first unit
        assert len(heads) == 1, text[:200]
        units_seen.append(heads[0])
    assert list(dict.fromkeys(units_seen)) == [r.unit_id for r in routes]  # in plan order


def test_windows_durations_and_line_times_as_planned(
    plan: tuple[dict[str, Any], PlanBundle], tmp_path: Path
) -> None:
    doc, bundle = plan
    text = " ".join(
        " ".join(
            p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf_bytes(bundle))).pages
        ).split()
    )
    line = next((s for r in doc["routes"] for s in r["stops"] if s["kind"] == "line"), None)
    if line is None:
        pytest.skip("the line duty was not planned in this run")
    # the sheet prints plan times to the nearest minute (PlanClock.at): 20:54:36 is 20:55
    arrive = datetime.fromisoformat(line["arrive"]) + timedelta(seconds=30)
    start = f"{arrive:%H:%M}"
    assert re.search(rf"St George St \(College to Bloor\).*? {start} \d\d:\d\d \d+ min", text)


def test_every_stop_has_a_qr_code_of_its_geo_link(
    plan: tuple[dict[str, Any], PlanBundle],
) -> None:
    doc, bundle = plan
    tr = Translator("en")
    st_ = _styles(pdf_fonts("en"), False)
    for entry, route in zip(doc["routes"], bundle.routes(), strict=True):
        story = unit_story(bundle, route, "#1f77b4", tr, st_)
        values = qr_values(story)
        assert len(values) == len(entry["stops"])
        for value, s in zip(values, entry["stops"], strict=True):
            assert re.fullmatch(r"geo:-?\d+\.\d{6},-?\d+\.\d{6}", value)
            lat, lon = (float(v) for v in value.removeprefix("geo:").split(","))
            # the plan file's lat/lon, to the 6 decimals (0.1 m) printed
            assert (lat, lon) == pytest.approx((s["lat"], s["lon"]), abs=2e-6)


def test_qr_matrix_encodes_the_link() -> None:
    link = "geo:43.662480,-79.386370"
    widget = qr_drawing(link).contents[0]
    assert widget.value == link
    # read the dark modules back from the rectangles drawn, and compare them with the QR
    # matrix of the link made again from its text
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(link)
    qr.make()
    n = qr.getModuleCount()
    box = min(widget.barWidth, widget.barHeight) / (n + 2 * widget.barBorder)
    drawn: set[tuple[int, int]] = set()
    for rect in widget.draw().contents:
        if rect.fillColor is None:  # the quiet-zone frame
            continue
        col = round(rect.x / box) - widget.barBorder
        row = round((widget.barHeight - rect.y) / box) - widget.barBorder - 1
        drawn.update((row, col + k) for k in range(round(rect.width / box)))
    expected = {(r, c) for r in range(n) for c in range(n) if qr.isDark(r, c)}
    assert drawn == expected
