"""Shift playback: a slider and a play button that move each unit along its route in time.

Plain Leaflet and a few lines of JavaScript (no time-dimension plugin), so it works offline.
Each unit's timed track comes from :func:`maps.routegeom.route_track`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium
from branca.element import MacroElement, Template

from maps.i18n import Translator


@dataclass(frozen=True)
class Track:
    """A unit's positions over time: ``t_s`` (seconds from midnight) and ``[lat, lon]``."""

    unit_id: str
    color: str
    t_s: Sequence[float]
    latlon: Sequence[Sequence[float]]


class ShiftPlayer(MacroElement):
    """The playback control (bottom right) and the unit markers it moves."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var layer = {{ this.group.get_name() }};
            var tracks = {{ this.tracks|tojson }};
            var t0 = {{ this.start_s }}, t1 = {{ this.end_s }};
            var txt = {{ this.labels|tojson }};
            function two(n) { return (n < 10 ? '0' : '') + n; }
            function clock(s) {
                var m = Math.round(s / 60), d = Math.floor(m / 1440), r = m - d * 1440;
                var c = two(Math.floor(r / 60)) + ':' + two(r % 60);
                return d === 0 ? c : (d === 1 ? txt.next_day.replace('{clock}', c)
                                             : c + ' (' + (d > 0 ? '+' : '') + d + ')');
            }
            function where(tr, t) {
                var ts = tr.t, n = ts.length;
                if (t <= ts[0]) { return tr.ll[0]; }
                if (t >= ts[n - 1]) { return tr.ll[n - 1]; }
                var lo = 0, hi = n - 1;
                while (hi - lo > 1) {
                    var mid = (lo + hi) >> 1;
                    if (ts[mid] <= t) { lo = mid; } else { hi = mid; }
                }
                var f = ts[hi] > ts[lo] ? (t - ts[lo]) / (ts[hi] - ts[lo]) : 0;
                return [tr.ll[lo][0] + f * (tr.ll[hi][0] - tr.ll[lo][0]),
                        tr.ll[lo][1] + f * (tr.ll[hi][1] - tr.ll[lo][1])];
            }
            function asText(s) {  // a unit id is text, never markup
                var span = document.createElement('span'); span.textContent = s; return span;
            }
            var markers = tracks.map(function(tr) {
                return L.circleMarker(tr.ll[0], {radius: 8, color: '#000', weight: 2,
                    fillColor: tr.color, fillOpacity: 1, className: 'gp-player-unit'})
                    .bindTooltip(asText(tr.unit_id), {permanent: true, direction: 'right'})
                    .addTo(layer);
            });
            var slider, label, button, timer = null;
            function show(t) {
                t = Math.max(t0, Math.min(t1, t));
                for (var i = 0; i < tracks.length; i++) {
                    markers[i].setLatLng(where(tracks[i], t));
                }
                slider.value = t; label.textContent = clock(t);
            }
            function stop() {
                if (timer) { clearInterval(timer); timer = null; }
                button.textContent = txt.play;
            }
            var ctl = L.control({position: 'bottomright'});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', 'gp-player leaflet-bar');
                div.style.cssText = 'background:#fff;padding:5px 8px;font:12px Arial,sans-serif;';
                div.innerHTML = '<b>' + txt.title + '</b> ';
                button = L.DomUtil.create('button', 'gp-player-play', div);
                button.type = 'button'; button.textContent = txt.play;
                slider = L.DomUtil.create('input', 'gp-player-slider', div);
                slider.type = 'range'; slider.min = t0; slider.max = t1; slider.step = 60;
                slider.style.cssText = 'width:220px;vertical-align:middle;margin:0 6px;';
                label = L.DomUtil.create('span', 'gp-player-clock', div);
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.on(slider, 'input', function() {
                    stop(); show(parseFloat(slider.value));
                });
                L.DomEvent.on(button, 'click', function() {
                    if (timer) { stop(); return; }
                    if (parseFloat(slider.value) >= t1) { show(t0); }
                    button.textContent = txt.pause;
                    timer = setInterval(function() {
                        var t = parseFloat(slider.value) + (t1 - t0) / 300;
                        show(t); if (t >= t1) { stop(); }
                    }, 50);
                });
                return div;
            };
            ctl.addTo(map);
            show(t0);
            window.gridpatrolPlayer = {show: show, clock: clock, tracks: tracks, markers: markers};
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        tracks: Sequence[Track],
        group: folium.FeatureGroup,
        start_s: float,
        end_s: float,
        tr: Translator,
    ) -> None:
        super().__init__()
        self._name = "ShiftPlayer"
        self.group = group
        self.tracks = [
            {
                "unit_id": t.unit_id,
                "color": t.color,
                "t": [round(float(v)) for v in t.t_s],
                "ll": [list(p) for p in t.latlon],
            }
            for t in tracks
            if len(t.t_s)
        ]
        self.start_s = int(start_s)
        self.end_s = int(max(end_s, start_s + 60))
        self.labels = {
            "title": tr("layer.player"),
            "play": tr("player.play"),
            "pause": tr("player.pause"),
            "next_day": tr("fmt.next_day", clock="{clock}"),
        }


def add_player(m: folium.Map, tracks: Sequence[Track], tr: Translator) -> None:
    """Add the playback layer and control for ``tracks`` (``latlon`` already converted)."""
    usable = [t for t in tracks if len(t.t_s)]
    if not usable:
        return
    start = min(float(t.t_s[0]) for t in usable)
    end = max(float(t.t_s[-1]) for t in usable)
    group = folium.FeatureGroup(name=tr("layer.player"), show=True)
    group.add_to(m)
    ShiftPlayer(usable, group, start, end, tr).add_to(m)
