"""A district: the layers one planning job works on, projected to one working CRS.

A :class:`District` bundles the boundary, official areas, incidents, stations and the path of
the street network file. :func:`district_from_layers` chooses the working CRS (UTM of the
centroid) and projects every layer to it, so stages downstream never mix CRSs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.crs import local_crs


@dataclass(frozen=True)
class District:
    """The input layers of one jurisdiction in its working (metric) CRS.

    Attributes
    ----------
    name
        Human-readable name.
    crs
        The working CRS every layer is in.
    timezone
        IANA time zone of the incidents' local time (shift bands are local).
    boundary
        The jurisdiction outline (Polygon or MultiPolygon) in ``crs``.
    areas
        Official polygons (``area_id``, ``name``, ``population``, geometry), possibly empty.
    incidents
        Incidents with the columns of :data:`geo.schema.INCIDENT_COLUMNS`.
    stations
        Patrol bases with the columns of :data:`geo.schema.STATION_COLUMNS`.
    network_path
        OSM (.osm, .osm.pbf) or GraphML file of the street network, or ``None``.
    notes
        Facts about the data a user should be told (e.g. "dates only, no time of day").
    """

    name: str
    crs: CRS
    timezone: str
    boundary: BaseGeometry
    areas: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    network_path: Path | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def area_km2(self) -> float:
        return float(self.boundary.area) / 1e6


def polygonal_outline(geometry: BaseGeometry) -> BaseGeometry:
    """Return the polygonal part of ``geometry``, repaired with ``make_valid`` if needed.

    Reprojection and coordinate rounding can leave a dissolved outline with a degenerate ring;
    only its polygons matter for a boundary.
    """
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        raise ValueError(f"the boundary has no polygon (got a {geometry.geom_type})")
    return shapely.union_all(parts)


def district_from_layers(
    name: str,
    *,
    boundary: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None = None,
    network_path: Path | None = None,
    timezone: str = "UTC",
    notes: tuple[str, ...] = (),
    crs: CRS | None = None,
) -> District:
    """Project every layer to one working CRS and bundle them.

    Parameters
    ----------
    boundary
        One or more polygons; they are dissolved into one outline.
    crs
        The working CRS; by default the UTM zone of the boundary's centroid.
    """
    working = crs if crs is not None else local_crs(boundary)
    outline = polygonal_outline(boundary.to_crs(working).union_all())
    if areas is None:
        areas = gpd.GeoDataFrame(
            {"area_id": [], "name": [], "population": []}, geometry=[], crs=working
        )
    return District(
        name=name,
        crs=working,
        timezone=timezone,
        boundary=outline,
        areas=areas.to_crs(working),
        incidents=incidents.to_crs(working),
        stations=stations.to_crs(working),
        network_path=network_path,
        notes=notes,
    )
