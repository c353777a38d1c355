"""Patrol stations (bases the units leave from and return to)."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd

from geo.schema import ILLUSTRATIVE, STATION_ID, STATION_NAME
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers import html_text, template_safe


def add_station_layer(
    m: folium.Map, stations: gpd.GeoDataFrame, proj: Projector, tr: Translator
) -> None:
    """Add the stations as square blue markers named in their tooltip."""
    rows = stations[~stations.geometry.is_empty & stations.geometry.notna()]
    if rows.empty:
        return
    pts = rows.geometry.representative_point()
    lat, lon = proj.latlon(pts.x.to_numpy(), pts.y.to_numpy())
    group = folium.FeatureGroup(name=tr("layer.stations"), show=True)
    for (_, row), a, b in zip(rows.iterrows(), lat, lon, strict=True):
        name = row[STATION_NAME] if STATION_NAME in row and pd.notna(row[STATION_NAME]) else ""
        label = str(name or row[STATION_ID])
        if ILLUSTRATIVE in row and bool(row[ILLUSTRATIVE]):
            label += " *"
        folium.Marker(
            [float(a), float(b)],
            icon=folium.DivIcon(
                html=(
                    '<div style="width:18px;height:18px;background:#08306b;border:2px solid #fff;'
                    "box-shadow:0 0 3px #000;color:#fff;font:bold 11px/18px Arial;"
                    'text-align:center">P</div>'
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name="gp-station",
            ),
            tooltip=html_text(f"{tr('word.station')}: {label}"),
            popup=folium.Popup(
                template_safe(
                    f"<b>{html.escape(label)}</b><br>{html.escape(str(row[STATION_ID]))}"
                ),
                max_width=250,
            ),
        ).add_to(group)
    group.add_to(m)
