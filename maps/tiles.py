"""Base maps: OpenStreetMap, CartoDB, Tianditu (天地图), AutoNavi/Gaode (高德) or none.

AutoNavi tiles are drawn in GCJ-02, so a map on them converts every overlay with
:mod:`maps.gcj02` (see :func:`needs_gcj02`). Tianditu's ``_w`` layers are Web Mercator on
CGCS2000, which matches WGS-84 at map scale, and need a key. ``none`` draws no tiles (offline).
"""

from __future__ import annotations

from typing import Final

import folium

from maps.i18n import Translator

TILES: Final[tuple[str, ...]] = ("osm", "cartodb", "tianditu", "gaode", "none")

_TIANDITU = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)
_CARTO = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
_CARTO_ATTR = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
    '&copy; <a href="https://carto.com/attributions">CARTO</a>'
)
_GAODE = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


def check_tiles(tiles: str, tianditu_key: str | None = None) -> str:
    """Return ``tiles`` lower-cased, checking it is known and has what it needs.

    Raises
    ------
    ValueError
        For an unknown base map, or Tianditu without ``tianditu_key``.
    """
    name = str(tiles).strip().lower()
    if name not in TILES:
        raise ValueError(f"tiles: unknown base map {tiles!r}; expected one of {', '.join(TILES)}")
    if name == "tianditu" and not tianditu_key:
        raise ValueError(
            "tianditu_key: Tianditu tiles need a key (got none); get one at the Tianditu "
            "developer site or choose another base map"
        )
    return name


def needs_gcj02(tiles: str) -> bool:
    """True when overlays must be shifted to GCJ-02 to line up with the tiles."""
    return check_tiles(tiles, "-") == "gaode"


def add_base_tiles(
    m: folium.Map, tiles: str, tr: Translator, *, tianditu_key: str | None = None
) -> folium.TileLayer | None:
    """Add the base layer(s) of ``tiles`` to ``m``; return the main one (``None`` for none)."""
    name = check_tiles(tiles, tianditu_key)
    if name == "none":
        return None
    if name == "osm":
        layer = folium.TileLayer("OpenStreetMap", name=tr("tiles.osm"), control=False)
    elif name == "cartodb":
        layer = folium.TileLayer(
            _CARTO, attr=_CARTO_ATTR, name=tr("tiles.cartodb"), subdomains="abcd", control=False
        )
    elif name == "tianditu":
        attribution = "&copy; 天地图 Tianditu"
        layer = folium.TileLayer(
            _TIANDITU.format(layer="vec", key=tianditu_key),
            attr=attribution,
            name=tr("tiles.tianditu"),
            subdomains="01234567",
            max_zoom=18,
            control=False,
        )
        layer.add_to(m)
        folium.TileLayer(
            _TIANDITU.format(layer="cva", key=tianditu_key),
            attr=attribution,
            name=tr("tiles.tianditu_labels"),
            subdomains="01234567",
            overlay=True,
            max_zoom=18,
        ).add_to(m)
        return layer
    else:
        layer = folium.TileLayer(
            _GAODE,
            attr="&copy; 高德地图 AutoNavi",
            name=tr("tiles.gaode"),
            subdomains="1234",
            max_zoom=18,
            control=False,
        )
    layer.add_to(m)
    return layer


def minimap_tiles(tiles: str, tianditu_key: str | None = None) -> folium.TileLayer | None:
    """A fresh tile layer of the same base map for the mini map (``None`` for none)."""
    name = check_tiles(tiles, tianditu_key)
    if name == "none":
        return None
    if name == "osm":
        return folium.TileLayer("OpenStreetMap")
    if name == "cartodb":
        return folium.TileLayer(_CARTO, attr=_CARTO_ATTR, subdomains="abcd")
    if name == "tianditu":
        return folium.TileLayer(
            _TIANDITU.format(layer="vec", key=tianditu_key), attr="Tianditu", subdomains="01234567"
        )
    return folium.TileLayer(_GAODE, attr="AutoNavi", subdomains="1234")
