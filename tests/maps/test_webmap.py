"""The web map's HTML: layers, legend, languages, base maps, size with many incidents."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from maps.assets import external_urls
from maps.bundle import PlanBundle
from maps.errors import MapInputError
from maps.webmap import MapOptions, build_map, save_map


def _html(bundle: PlanBundle, **options: object) -> str:
    return build_map(bundle, MapOptions(**options)).get_root().render()  # type: ignore[arg-type]


def test_layers_and_legend_in_english(bundle: PlanBundle) -> None:
    html = _html(bundle, tiles="none")
    for label in (
        "Risk by cell (16-24)",
        "Gi* hot and cold cells",
        "Incident heat map",
        "Incidents (clustered)",
        "Hotspots",
        "Stations",
        "Posts and checkpoints",
        "Patrol lines",
        "Time windows (school gates)",
        "Shift playback",
        "Risk score, 16-24 (quantiles)",
    ):
        assert label in html, label
    assert bundle.plan is not None
    for route in bundle.plan.routes:
        assert f"Route {route.unit_id} ({route.mode})" in html
    assert "L.control.layers" in html
    assert "L.control.scale" in html or "control_scale" in html or "scale" in html
    assert "Control.FullScreen" in html or "fullscreen" in html.lower()


def _unescape(html: str) -> str:
    """Undo JSON's ``\\uXXXX`` escapes (folium writes labels through ``tojson``)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


def test_labels_in_chinese(bundle: PlanBundle) -> None:
    html = _unescape(_html(bundle, tiles="none", lang="zh-CN"))
    labels = (
        "网格风险：晚班（16:00–24:00）",
        "易发部位",
        "班次回放",
        "C1 路线（车巡）",
        "2024年3月5日",
    )
    for label in labels:
        assert label in html, label


def test_natural_breaks_legend(bundle: PlanBundle) -> None:
    assert "(natural breaks)" in _html(bundle, tiles="none", scheme="naturalbreaks")


def test_minimap_and_tiles(bundle: PlanBundle) -> None:
    html = _html(bundle, tiles="cartodb")
    assert "basemaps.cartocdn.com" in html and "MiniMap" in html
    assert "MiniMap" not in _html(bundle, tiles="none")


def _coords(html: str) -> np.ndarray:
    pairs = re.findall(r"\[(4[0-9]\.\d{4,}), (-7[0-9]\.\d{4,})\]", html)
    return np.array(pairs, dtype=float)


def test_gaode_tiles_leave_points_outside_china_unchanged(bundle: PlanBundle) -> None:
    osm = _coords(_html(bundle, tiles="osm", heat=False, clusters=False))
    gaode_html = _html(bundle, tiles="gaode", heat=False, clusters=False)
    assert "autonavi" in gaode_html
    np.testing.assert_allclose(_coords(gaode_html), osm)  # Toronto: no GCJ-02 offset


def test_gaode_shifts_overlays_in_china(bundle: PlanBundle) -> None:
    # The same district moved to Beijing: every overlay must move by the GCJ-02 offset.
    crs = "EPSG:32650"
    shift = np.array([450_000.0, 4_417_000.0]) - np.asarray(bundle.cells.total_bounds[:2])
    cells = bundle.cells.copy()
    cells = cells.set_geometry(cells.geometry.translate(*shift)).set_crs(crs, allow_override=True)
    moved = PlanBundle(
        crs=cells.crs,
        district="Beijing test",
        plan_date=bundle.plan_date,
        cells=cells,
        risk=bundle.risk,
        band=bundle.band,
    )
    plain = build_map(moved, MapOptions(tiles="osm", minimap=False)).get_root().render()
    gaode = build_map(moved, MapOptions(tiles="gaode", minimap=False)).get_root().render()
    pat = r"\[(39\.\d{4,}), (116\.\d{4,})\]"
    a = np.array(re.findall(pat, plain), dtype=float)
    b = np.array(re.findall(pat, gaode), dtype=float)
    assert len(a) and a.shape == b.shape
    d = b - a
    assert np.all(d[:, 0] > 0.0005) and np.all(d[:, 1] > 0.004)  # ~ +150 m N, +550 m E


def test_option_errors_name_the_value(bundle: PlanBundle) -> None:
    with pytest.raises(ValueError, match="tiles: unknown base map 'google'"):
        MapOptions(tiles="google")
    with pytest.raises(ValueError, match="tianditu_key"):
        MapOptions(tiles="tianditu")
    assert "tk=KEY123" in _html(bundle, tiles="tianditu", tianditu_key="KEY123")
    with pytest.raises(ValueError, match="scheme"):
        MapOptions(scheme="jenks!")
    with pytest.raises(MapInputError, match=r"band: unknown band '12-13'"):
        build_map(bundle, MapOptions(band="12-13", tiles="none"))


def test_offline_page_needs_no_network(bundle: PlanBundle, tmp_path: Path) -> None:
    online = save_map(
        build_map(bundle, MapOptions(tiles="none")), tmp_path / "online.html", embed_assets=False
    )
    assert external_urls(online.read_text(encoding="utf-8"))
    offline = save_map(build_map(bundle, MapOptions(tiles="none")), tmp_path / "offline.html")
    html = offline.read_text(encoding="utf-8")
    assert external_urls(html) == []
    assert "L.markerClusterGroup" in html and "leaflet.js" not in html.split("<body")[0][-200:]


def _synthetic_incidents(bundle: PlanBundle, n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bundle.cells.total_bounds
    x = rng.uniform(minx, maxx, n)
    y = rng.uniform(miny, maxy, n)
    return gpd.GeoDataFrame(
        {"weight": rng.choice([1.0, 2.0, 3.0], n)},
        geometry=gpd.points_from_xy(x, y),
        crs=bundle.crs,
    )


def test_100k_incidents_stay_under_10_mb(bundle: PlanBundle, tmp_path: Path) -> None:
    big = replace(bundle, incidents=_synthetic_incidents(bundle, 100_000))
    path = save_map(
        build_map(big, MapOptions(tiles="osm")), tmp_path / "big.html", embed_assets=True
    )
    size = path.stat().st_size
    assert size < 10_000_000, f"{size / 1e6:.1f} MB"
    html = path.read_text(encoding="utf-8")
    assert html.count("L.marker(") < 200  # clustered, not one marker per incident
    assert not re.search(r"\d+\.\d{7,}", html.split("var data = ")[1][:20000])
