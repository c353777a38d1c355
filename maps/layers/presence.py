"""The presence (见警率) layer: minutes of planned patrol presence per cell in each hour.

Cells are shaded by the presence in the hour the shift player shows (the first hour of the
shift without a player, or before it moves); tooltips name the cell, the hour and the minutes.
Drawn from the plan file's ``presence`` table only; plain Leaflet, so it works offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement, Template

from geo.schema import CELL_ID
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers.legend import LegendSection

#: Upper bounds (minutes in the hour) of the shading classes and their colours.
CLASSES = ((12.0, "#c6dbef"), (24.0, "#6baed6"), (36.0, "#2171b5"), (float("inf"), "#08306b"))
NONE_COLOR = "#ffffff"


def presence_color(minutes: float) -> str:
    """Fill colour of a cell with ``minutes`` of presence in the hour shown."""
    if minutes <= 0:
        return NONE_COLOR
    for upper, color in CLASSES:
        if minutes <= upper:
            return color
    return CLASSES[-1][1]


class PresenceByHour(MacroElement):
    """Restyles the presence layer's cells for the hour under the shift player's slider."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var layer = {{ this.geojson.get_name() }};
            var hours = {{ this.hours|tojson }};
            var classes = {{ this.classes|tojson }};
            var none = {{ this.none|tojson }};
            var txt = {{ this.labels|tojson }};
            function two(n) { return (n < 10 ? '0' : '') + n; }
            function color(m) {
                if (m <= 0) { return none; }
                for (var i = 0; i < classes.length; i++) {
                    if (classes[i][0] === null || m <= classes[i][0]) { return classes[i][1]; }
                }
                return classes[classes.length - 1][1];
            }
            var shown = -1;
            function showHour(k) {
                if (k === shown) { return; }
                shown = k;
                var h = hours[k], label = two(Math.floor(h / 3600) % 24) + ':00';
                layer.eachLayer(function(l) {
                    var m = l.feature.properties.m[k] || 0;
                    l.setStyle({fillColor: color(m), fillOpacity: m > 0 ? 0.6 : 0.1});
                    l.setTooltipContent(txt.tooltip.replace('{cell}', l.feature.properties.c)
                        .replace('{minutes}', Math.round(m)).replace('{hour}', label));
                });
            }
            function hourAt(t) {
                var k = 0;
                for (var i = 0; i < hours.length; i++) { if (t >= hours[i]) { k = i; } }
                return k;
            }
            layer.eachLayer(function(l) { l.bindTooltip(''); });
            showHour(0);
            setInterval(function() {
                var s = document.querySelector('.gp-player-slider');
                if (s) { showHour(hourAt(parseFloat(s.value))); }
            }, 250);
            window.gridpatrolPresence = {showHour: showHour, hours: hours};
        })();
        {% endmacro %}
        """
    )

    def __init__(self, geojson: folium.GeoJson, hours: list[int], tr: Translator) -> None:
        super().__init__()
        self._name = "PresenceByHour"
        self.geojson = geojson
        self.hours = hours
        self.classes = [[None if u == float("inf") else u, c] for u, c in CLASSES]
        self.none = NONE_COLOR
        self.labels = {
            "tooltip": tr(
                "presence.layer.tooltip", cell="{cell}", minutes="{minutes}", hour="{hour}"
            )
        }


def add_presence_layer(
    m: folium.Map,
    cells: gpd.GeoDataFrame,
    presence: Mapping[str, Any],
    proj: Projector,
    tr: Translator,
) -> LegendSection | None:
    """Add the presence-by-hour layer (hidden until switched on); its legend, or ``None``
    when the plan file holds no presence table."""
    table = presence.get("table") or {}
    by_hour = presence.get("by_hour") or []
    hours = sorted({int(h["hour_start_s"]) for h in by_hour} | set(table.get("hour_start_s", [])))
    if not hours:
        return None
    index = {h: k for k, h in enumerate(hours)}
    minutes: dict[str, list[float]] = {}
    for cell, h, mins in zip(
        table.get("cell_id", []),
        table.get("hour_start_s", []),
        table.get("minutes", []),
        strict=True,
    ):
        row = minutes.setdefault(str(cell), [0.0] * len(hours))
        row[index[int(h)]] += float(mins)
    frame = cells[[CELL_ID, "geometry"]].copy()
    frame["c"] = frame[CELL_ID].astype(str)
    frame["m"] = [[round(v, 1) for v in minutes.get(c, [0.0] * len(hours))] for c in frame["c"]]
    shown = proj.frame(frame[["c", "m", "geometry"]])
    name = tr("presence.layer.name")
    group = folium.FeatureGroup(name=name, show=False)
    geojson = folium.GeoJson(
        shown.__geo_interface__,
        name=name,
        style_function=lambda f: {
            "fillColor": presence_color(f["properties"]["m"][0] if f["properties"]["m"] else 0),
            "color": "#08306b",
            "weight": 0.5,
            "fillOpacity": 0.6,
        },
    )
    geojson.add_to(group)
    group.add_to(m)
    PresenceByHour(geojson, hours, tr).add_to(m)
    entries = [(NONE_COLOR, tr("presence.legend.none"))]
    lower = 0.0
    for upper, color in CLASSES:
        label = f"> {lower:g}" if upper == float("inf") else f"{lower:g} – {upper:g}"
        entries.append((color, label))
        lower = upper
    return LegendSection(tr("presence.legend.title"), entries)
