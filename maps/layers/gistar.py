"""Gi* hot and cold cells: the statistically significant clusters of one band."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.hotspots.columns import GI_Z, SIGNIFICANCE
from geo.schema import CELL_ID
from maps.colors import SIGNIFICANCE_COLORS
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers import html_text
from maps.layers.legend import LegendSection
from maps.layers.risk import band_rows


def add_gistar_layer(
    m: folium.Map,
    cells: gpd.GeoDataFrame,
    risk: pd.DataFrame,
    band: str,
    proj: Projector,
    tr: Translator,
    *,
    show: bool = False,
) -> LegendSection | None:
    """Add the hot and cold cells of ``band``; ``None`` when the table has no Gi* column or
    no cell is significant."""
    if SIGNIFICANCE not in risk.columns:
        return None
    rows = band_rows(risk, band)
    rows = rows[rows[SIGNIFICANCE].isin(list(SIGNIFICANCE_COLORS))]
    if rows.empty:
        return None
    frame = cells[[CELL_ID, "geometry"]].merge(
        rows[[CELL_ID, SIGNIFICANCE, *([GI_Z] if GI_Z in rows.columns else [])]], on=CELL_ID
    )
    frame["label"] = [tr(f"sig.{s}") for s in frame[SIGNIFICANCE]]
    frame["fill"] = [SIGNIFICANCE_COLORS[s] for s in frame[SIGNIFICANCE]]
    if GI_Z in frame.columns:
        frame[GI_Z] = frame[GI_Z].astype(float).round(2)
    shown = proj.frame(frame)
    shown[CELL_ID] = shown[CELL_ID].map(html_text)  # the tooltip is set as HTML
    name = tr("layer.gistar")
    group = folium.FeatureGroup(name=name, show=show)
    fields = [CELL_ID, "label", *([GI_Z] if GI_Z in frame.columns else [])]
    aliases = [tr("word.cell"), tr("word.significance"), *(["z"] if GI_Z in frame.columns else [])]
    folium.GeoJson(
        shown.__geo_interface__,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": f["properties"]["fill"],
            "weight": 2,
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    ).add_to(group)
    group.add_to(m)
    present = [s for s in SIGNIFICANCE_COLORS if s in set(frame[SIGNIFICANCE])]
    return LegendSection(name, [(SIGNIFICANCE_COLORS[s], tr(f"sig.{s}")) for s in present])
