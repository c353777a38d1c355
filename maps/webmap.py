"""The coordinators' web map: risk, hotspots, incidents and every unit's route in one page.

:func:`build_map` turns a :class:`~maps.bundle.PlanBundle` into a ``folium.Map`` (pure: no
I/O); :func:`save_map` writes it as one HTML file with every script and stylesheet inlined, so
it opens with no network (CDN links on request).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
from folium.plugins import Fullscreen, MiniMap

from maps.bundle import PlanBundle
from maps.colors import unit_color
from maps.coords import Projector
from maps.errors import MapInputError
from maps.i18n import Translator, check_lang
from maps.layers.duties import add_duty_layers
from maps.layers.gistar import add_gistar_layer
from maps.layers.hotspots import add_hotspot_layer
from maps.layers.incidents import add_incident_layers
from maps.layers.legend import LegendSection, add_legend, add_title
from maps.layers.player import Track, add_player
from maps.layers.presence import add_presence_layer
from maps.layers.risk import SCHEMES, add_risk_layer
from maps.layers.routes import add_route_layer, route_layer_name
from maps.layers.stations import add_station_layer
from maps.routegeom import route_geometry, route_track
from maps.sheets.times import PlanClock
from maps.tiles import add_base_tiles, check_tiles, minimap_tiles, needs_gcj02

# folium's page loads Bootstrap, Font Awesome and awesome-markers by default; these maps draw
# their own markers, so the page does without them (smaller, and nothing left to fetch).
# jQuery stays: folium builds popups with it.
_KEEP_JS = ("leaflet", "jquery")
_KEEP_CSS = ("leaflet_css",)


@dataclass(frozen=True)
class MapOptions:
    """How to draw the map.

    Attributes
    ----------
    lang
        ``"en"`` or ``"zh-CN"``.
    band
        Time band of the risk colours (default: the bundle's band, else the first band).
    tiles
        ``osm``, ``cartodb``, ``tianditu``, ``gaode`` (overlays shifted to GCJ-02) or ``none``.
    tianditu_key
        Key for Tianditu tiles.
    scheme, k
        Risk classification (``quantiles``, ``naturalbreaks``, ``equalinterval``) and classes.
    heat, clusters, gistar, hotspots, routes, duties, stations
        Which layers to draw (when the bundle has their data).
    player
        Add the shift playback slider.
    minimap, fullscreen
        Add the mini map (not without tiles) and the full-screen button.
    precision
        Decimals of overlay coordinates (6 ≈ 0.1 m).
    incident_precision
        Decimals of incident coordinates (5 ≈ 1 m keeps 100,000 incidents small).
    """

    lang: str = "en"
    band: str | None = None
    tiles: str = "osm"
    tianditu_key: str | None = None
    scheme: str = "quantiles"
    k: int = 5
    heat: bool = True
    clusters: bool = True
    gistar: bool = True
    hotspots: bool = True
    routes: bool = True
    duties: bool = True
    stations: bool = True
    player: bool = True
    minimap: bool = True
    fullscreen: bool = True
    precision: int = 6
    incident_precision: int = 5

    def __post_init__(self) -> None:
        check_lang(self.lang)
        check_tiles(self.tiles, self.tianditu_key)
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme: unknown classification {self.scheme!r}; expected {SCHEMES}")
        if not 2 <= self.k <= 9:
            raise ValueError(f"k: number of risk classes must be 2..9, got {self.k!r}")
        for name in ("precision", "incident_precision"):
            value = getattr(self, name)
            if not 4 <= value <= 8:
                raise ValueError(f"{name}: decimals must be 4..8, got {value!r}")


def _bounds(bundle: PlanBundle, proj: Projector) -> list[list[float]] | None:
    """South-west and north-east corners of what the map shows."""
    for frame in (bundle.cells, bundle.stations, bundle.incidents):
        if frame is not None and len(frame):
            minx, miny, maxx, maxy = frame.total_bounds
            if np.all(np.isfinite([minx, miny, maxx, maxy])):
                lat, lon = proj.latlon([minx, maxx], [miny, maxy])
                return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
    if bundle.plan is not None:
        xy = [(s.x, s.y) for r in bundle.plan.routes for s in r.stops]
        if xy:
            arr = np.asarray(xy)
            lat, lon = proj.latlon(arr[:, 0], arr[:, 1])
            return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
    return None


def resolve_band(bundle: PlanBundle, band: str | None) -> str | None:
    """The band to colour by: ``band``, else the bundle's, else the risk table's first."""
    names = bundle.band_names
    chosen = band or bundle.band or (names[0] if names else None)
    if chosen is not None and names and chosen not in names:
        raise MapInputError(f"band: unknown band {chosen!r}; the risk table has {names}")
    return chosen


def build_map(bundle: PlanBundle, options: MapOptions | None = None) -> folium.Map:
    """Build the patrol map of ``bundle``.

    Parameters
    ----------
    bundle
        District layers, risk, hotspots and plan in the working CRS.
    options
        What to draw and how (default :class:`MapOptions`).

    Returns
    -------
    folium.Map
        Not yet written anywhere; see :func:`save_map`.

    Raises
    ------
    MapInputError
        If the band is not in the risk table or the bundle has nothing to place the map on.
    """
    opts = options or MapOptions()
    tr = Translator(opts.lang)
    clock = PlanClock.for_bundle(bundle, tr)
    gcj = needs_gcj02(opts.tiles)
    proj = Projector(bundle.crs, gcj02=gcj, precision=opts.precision)
    band = resolve_band(bundle, opts.band)
    bounds = _bounds(bundle, proj)
    if bounds is None:
        raise MapInputError("the bundle has no cells, stations, incidents or stops to map")
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    # The map's own maxZoom (folium passes max_zoom only to tiles): marker clustering needs it
    # when no tile layer gives one.
    m = folium.Map(location=centre, tiles=None, control_scale=True, zoom_start=15, maxZoom=19)
    m.default_js = [(n, u) for n, u in m.default_js if n in _KEEP_JS]
    m.default_css = [(n, u) for n, u in m.default_css if n in _KEEP_CSS]
    add_base_tiles(m, opts.tiles, tr, tianditu_key=opts.tianditu_key)

    legend: list[LegendSection] = []
    if bundle.cells is not None and bundle.risk is not None and band is not None:
        legend.append(
            add_risk_layer(
                m, bundle.cells, bundle.risk, band, proj, tr, scheme=opts.scheme, k=opts.k
            )
        )
        if opts.gistar:
            section = add_gistar_layer(m, bundle.cells, bundle.risk, band, proj, tr)
            if section is not None:
                legend.append(section)
    if bundle.cells is not None and bundle.presence:
        section = add_presence_layer(m, bundle.cells, bundle.presence, proj, tr)
        if section is not None:
            legend.append(section)
    if bundle.incidents is not None and (opts.heat or opts.clusters):
        inc_proj = Projector(bundle.crs, gcj02=gcj, precision=opts.incident_precision)
        add_incident_layers(
            m,
            bundle.incidents,
            inc_proj,
            tr,
            heat=opts.heat,
            clusters=opts.clusters,
            show_heat=bundle.risk is None,  # over the risk cells the heat only blurs them
        )
    if bundle.hotspots is not None and opts.hotspots:
        add_hotspot_layer(m, bundle.hotspots, band, proj, tr)
    if bundle.tasks and opts.duties:
        add_duty_layers(m, bundle.tasks, proj, tr, clock)
    if bundle.stations is not None and opts.stations:
        add_station_layer(m, bundle.stations, proj, tr)

    tracks: list[Track] = []
    if bundle.plan is not None and opts.routes:
        stations = bundle.station_xy()
        tasks = {t.task_id: t for t in bundle.tasks}
        entries: list[tuple[str, str]] = []
        for i, route in enumerate(bundle.plan.routes):
            color = unit_color(i)
            geometry = route_geometry(route, stations)
            add_route_layer(m, route, geometry, color, proj, tr, tasks, clock, bundle.places)
            entries.append((color, route_layer_name(route, tr)))
            t, x, y = route_track(route, geometry)
            if len(t):
                lat, lon = proj.latlon(x, y)
                tracks.append(
                    Track(route.unit_id, color, t.tolist(), np.column_stack([lat, lon]).tolist())
                )
        legend.append(LegendSection(tr("legend.routes"), entries, line=True))
    if opts.player and tracks:
        add_player(m, tracks, tr)

    title = tr("map.title", district=bundle.district)
    subtitle = tr("map.subtitle", band=band or "", date=tr.date(bundle.plan_date))
    subtitle = f"{subtitle} · {tr('map.timezone', zone=bundle.timezone)}"
    add_title(m, title, subtitle)
    if legend:
        add_legend(m, legend)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if opts.fullscreen:
        Fullscreen(
            position="topleft", title=tr("map.fullscreen"), title_cancel=tr("map.fullscreen_exit")
        ).add_to(m)
    if opts.minimap:
        tiles = minimap_tiles(opts.tiles, opts.tianditu_key)
        if tiles is not None:
            MiniMap(tile_layer=tiles, position="bottomright", toggle_display=True).add_to(m)
    m.fit_bounds(bounds)
    return m


def save_map(m: folium.Map, path: str | Path, *, embed_assets: bool = True) -> Path:
    """Write ``m`` as one HTML file and return its path.

    Parameters
    ----------
    m
        From :func:`build_map`.
    path
        Output file (parent folders are created).
    embed_assets
        Inline Leaflet and the plugins (vendored under ``maps/assets``) so the page opens
        without network access (the default: a station's intranet PC has no internet), with
        a subset of the installed font its labels need (:func:`maps.assets.embed_font`);
        ``False`` links them from their CDNs instead (a smaller file).
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = m.get_root().render()
    if embed_assets:
        from maps.assets import embed_assets as inline
        from maps.assets import embed_font

        html = embed_font(inline(html))
    out.write_text(html, encoding="utf-8")
    return out
