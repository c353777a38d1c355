"""Hotspot markers: rank, risk, Gi* class, counts by category and peak hours in the popup."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd

from geo.hotspots.columns import BAND, COUNT_PREFIX, PEAK_HOURS, RANK, SCORE, SIGNIFICANCE
from geo.schema import CELL_ID
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers import html_text, template_safe


def peak_hours_text(value: object) -> str:
    """``(17, 16, 22)`` → ``17:00, 16:00, 22:00`` (busiest first); empty when unknown."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    try:
        hours = [int(h) for h in value]  # type: ignore[attr-defined]
    except TypeError:
        return str(value)
    return ", ".join(f"{h:02d}:00" for h in hours)


def hotspot_popup(row: pd.Series, tr: Translator) -> str:
    """The popup HTML of one hotspot-table row."""
    rank = int(row[RANK]) if RANK in row and pd.notna(row[RANK]) else 0
    parts = [f"<b>{html.escape(tr('popup.hotspot', rank=rank, cell=row[CELL_ID]))}</b>"]
    if SCORE in row:
        parts.append(f"{html.escape(tr('word.score'))}: {float(row[SCORE]):.2f}")
    if SIGNIFICANCE in row and pd.notna(row[SIGNIFICANCE]):
        sig = tr.get(f"sig.{row[SIGNIFICANCE]}", str(row[SIGNIFICANCE]))
        parts.append(f"{html.escape(tr('word.significance'))}: {html.escape(sig)}")
    peaks = peak_hours_text(row.get(PEAK_HOURS))
    if peaks:
        parts.append(f"{html.escape(tr('word.peak_hours'))}: {peaks}")
    counts = [
        (c[len(COUNT_PREFIX) :], int(row[c]))
        for c in row.index
        if str(c).startswith(COUNT_PREFIX) and pd.notna(row[c]) and int(row[c]) > 0
    ]
    text = "<br>".join(parts)
    if counts:
        items = "".join(
            f"<li>{html.escape(tr.get(f'cat.{name}', name))}: {n}</li>"
            for name, n in sorted(counts, key=lambda kv: -kv[1])
        )
        text += (
            f"<br>{html.escape(tr('popup.counts'))}:"
            f'<ul style="margin:2px 0 0 14px;padding:0">{items}</ul>'
        )
    return text


def add_hotspot_layer(
    m: folium.Map,
    hotspots: gpd.GeoDataFrame,
    band: str | None,
    proj: Projector,
    tr: Translator,
) -> int:
    """Add ranked hotspot markers (rows of ``band`` if the table has a band column); return
    how many were drawn."""
    rows = hotspots
    if band is not None and BAND in rows.columns and (rows[BAND] == band).any():
        rows = rows[rows[BAND] == band]
    rows = rows[~rows.geometry.is_empty & rows.geometry.notna()]
    if rows.empty:
        return 0
    lat, lon = proj.latlon(rows.geometry.x.to_numpy(), rows.geometry.y.to_numpy())
    group = folium.FeatureGroup(name=tr("layer.hotspots"), show=True)
    for (_, row), a, b in zip(rows.iterrows(), lat, lon, strict=True):
        rank = int(row[RANK]) if RANK in row and pd.notna(row[RANK]) else 0
        # A ring with its rank beside it, so a route's stop marker at the same place stays
        # visible inside it.
        icon = folium.DivIcon(
            html=(
                '<div style="position:relative;width:34px;height:34px;border-radius:50%;'
                'border:3px solid #7a0177;box-sizing:border-box">'
                '<span style="position:absolute;left:26px;top:-10px;background:#7a0177;'
                "color:#fff;font:bold 10px/14px Arial,sans-serif;padding:0 3px;"
                f'border-radius:3px">H{rank}</span></div>'
            ),
            icon_size=(34, 34),
            icon_anchor=(17, 17),
            class_name="gp-hotspot",
        )
        folium.Marker(
            [float(a), float(b)],
            icon=icon,
            popup=folium.Popup(template_safe(hotspot_popup(row, tr)), max_width=320),
            tooltip=html_text(tr("popup.hotspot", rank=rank, cell=row[CELL_ID])),
        ).add_to(group)
    group.add_to(m)
    return len(rows)
