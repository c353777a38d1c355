"""Legend and title boxes: plain HTML controls drawn on top of the map."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from branca.element import MacroElement, Template


@dataclass(frozen=True)
class LegendSection:
    """A titled list of ``(colour, label)`` swatches; ``line`` draws strokes, not boxes."""

    title: str
    entries: Sequence[tuple[str, str]]
    line: bool = False


class _HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML at ``position`` (e.g. ``bottomleft``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


_BOX_STYLE = (
    "background:rgba(255,255,255,0.92);padding:6px 9px;border-radius:4px;"
    "box-shadow:0 1px 4px rgba(0,0,0,0.35);font:12px/1.35 'Helvetica Neue',Arial,"
    "'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:#222;"
)


def legend_html(sections: Sequence[LegendSection]) -> str:
    """The HTML of a legend box with ``sections``."""
    parts = [f'<div style="{_BOX_STYLE}max-height:45vh;overflow:auto;">']
    for sec in sections:
        parts.append(
            f'<div style="font-weight:bold;margin:2px 0 3px">{html.escape(sec.title)}</div>'
        )
        for color, label in sec.entries:
            if sec.line:
                swatch = (
                    f'<span style="display:inline-block;width:18px;height:0;border-top:4px solid '
                    f'{color};vertical-align:middle;margin-right:6px"></span>'
                )
            else:
                swatch = (
                    f'<span style="display:inline-block;width:14px;height:12px;background:{color};'
                    'border:1px solid #777;vertical-align:middle;margin-right:6px"></span>'
                )
            parts.append(f"<div>{swatch}{html.escape(label)}</div>")
    parts.append("</div>")
    return "".join(parts)


def add_legend(m: folium.Map, sections: Sequence[LegendSection]) -> MacroElement:
    """Add one legend box (bottom left) with ``sections``; return the control element."""
    control = _HtmlControl(legend_html(sections), "bottomleft", "gp-legend")
    control.add_to(m)
    return control


def add_title(m: folium.Map, title: str, subtitle: str = "") -> MacroElement:
    """Add a title box (top right of the map, beside the layer control)."""
    text = f'<div style="font-size:15px;font-weight:bold">{html.escape(title)}</div>'
    if subtitle:
        text += f"<div>{html.escape(subtitle)}</div>"
    control = _HtmlControl(f'<div style="{_BOX_STYLE}">{text}</div>', "topleft", "gp-title")
    control.add_to(m)
    return control
