"""Incidents as a heat map and as clustered points, light enough for 100,000 of them.

One marker per incident would make a map of tens of megabytes that no browser opens; the heat
map and a single clustered layer of circle markers (added in bulk, loaded in chunks) carry
only rounded ``[lat, lon]`` pairs.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
from folium.plugins import FastMarkerCluster, HeatMap
from folium.template import Template

from geo.schema import WEIGHT
from maps.coords import Projector
from maps.i18n import Translator


class BulkMarkerCluster(FastMarkerCluster):
    """FastMarkerCluster that adds its markers with one ``addLayers`` call (chunked).

    Adding 100,000 markers one by one freezes the browser for a long time; ``addLayers`` with
    ``chunkedLoading`` builds the clusters in one pass without blocking the page.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = {{ this.data|tojson }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                var markers = new Array(data.length);
                for (var i = 0; i < data.length; i++) { markers[i] = callback(data[i]); }
                cluster.addLayers(markers);
                cluster.addTo({{ this._parent.get_name() }});
                return cluster;
            })();
        {% endmacro %}"""
    )


_CIRCLE_CALLBACK = """function (row) {
    return L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 4, color: '#333333', weight: 1, fillColor: '#e6550d', fillOpacity: 0.85});
}"""


def incident_points(
    incidents: gpd.GeoDataFrame, proj: Projector
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lat, lon, weight)`` of point incidents (others and empty geometries skipped)."""
    geom = incidents.geometry
    ok = (~geom.is_empty) & geom.notna() & (geom.geom_type == "Point")
    pts = incidents[ok]
    lat, lon = proj.latlon(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
    weight = (
        pts[WEIGHT].astype(float).fillna(1.0).to_numpy()
        if WEIGHT in pts.columns
        else np.ones(len(pts))
    )
    return lat, lon, weight


def add_incident_layers(
    m: folium.Map,
    incidents: gpd.GeoDataFrame,
    proj: Projector,
    tr: Translator,
    *,
    heat: bool = True,
    clusters: bool = True,
    show_heat: bool = True,
    show_clusters: bool = False,
) -> None:
    """Add the heat map and the clustered points (each a layer, shown or not at first)."""
    lat, lon, weight = incident_points(incidents, proj)
    if len(lat) == 0:
        return
    if heat:
        scale = max(float(np.quantile(weight, 0.99)), 1e-9)
        w = np.round(np.clip(np.asarray(weight, dtype=float) / scale, 0.05, 1.0), 2)
        data: list[Any] = np.column_stack([lat, lon, w]).tolist()
        group = folium.FeatureGroup(name=tr("layer.heat"), show=show_heat)
        HeatMap(
            data,
            radius=14,
            blur=18,
            min_opacity=0.3,
            max_zoom=17,
            gradient={0.2: "#fee391", 0.5: "#fe9929", 0.8: "#cc4c02", 1.0: "#662506"},
        ).add_to(group)
        group.add_to(m)
    if clusters:
        group = folium.FeatureGroup(name=tr("layer.incidents"), show=show_clusters)
        BulkMarkerCluster(
            np.column_stack([lat, lon]).tolist(),
            callback=_CIRCLE_CALLBACK,
            options={"chunkedLoading": True, "disableClusteringAtZoom": 19},
        ).add_to(group)
        group.add_to(m)
