"""The embedded sample districts: real data shipped inside the package.

``load("portland-central")`` (the default) and ``load("toronto-uoft")`` return a
:class:`geo.district.District` in its working CRS. Sources, licences and quirks are in this
folder's ``README.md`` and ``ATTRIBUTION.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import geopandas as gpd

from geo.crs import local_crs
from geo.district import District, district_from_layers
from geo.errors import GeoInputWarning, SampleNotFoundError
from geo.io import IncidentColumns, read_areas, read_boundary, read_incidents, read_stations

DEFAULT = "portland-central"


def data_dir(name: str) -> Path:
    """Return the folder holding the files of sample ``name``."""
    _check_name(name)
    return Path(str(resources.files(__package__) / "data" / name))


def attribution() -> str:
    """The attribution text to show wherever sample data is displayed or exported."""
    text = (resources.files(__package__) / "ATTRIBUTION.md").read_text(encoding="utf-8")
    return text.split("\n\n")[1].replace("\n", " ")


def _clip_areas(areas: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The areas that overlap the boundary, clipped to it (computed in the boundary's CRS)."""
    outline = boundary.to_crs(areas.crs).union_all()
    clipped = areas.clip(outline)
    metric_area = clipped.geometry.to_crs(local_crs(boundary)).area
    clipped = clipped[~clipped.geometry.is_empty & (metric_area > 1.0)]
    return clipped.reset_index(drop=True)


def _portland() -> District:
    folder = data_dir("portland-central")
    incidents = read_incidents(
        folder / "portland_incidents.csv",
        columns=IncidentColumns(date="occ_date", category="category"),
        timezone="America/Los_Angeles",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GeoInputWarning)
        areas = read_areas(
            folder / "portland_police_districts.zip", id_field="DISTRICT", name_field="DISTRICT"
        )
    repaired: tuple[str, ...] = ()
    if any(issubclass(w.category, GeoInputWarning) for w in caught):
        repaired = (
            "Some police district polygons are self-intersecting in the source and were "
            "repaired with make_valid.",
        )
    boundary = read_boundary(folder / "boundary.geojson")
    areas = _clip_areas(areas, boundary)
    areas["name"] = "District " + areas["area_id"].astype(str)
    return district_from_layers(
        "Central Portland (sample)",
        boundary=boundary,
        incidents=incidents,
        stations=read_stations(folder / "stations.csv"),
        areas=areas,
        network_path=folder / "portland-central-filtered.osm.pbf",
        timezone="America/Los_Angeles",
        notes=(
            "Portland incidents carry dates only (no time of day): risk is per day, not per hour.",
            "All four categories are present March-December 2012; from 2013 only burglary "
            "and motor vehicle theft.",
            "No resident population is published with the police districts.",
            "Only Central Precinct is a real station; Lloyd and Hawthorne bases are illustrative.",
            *repaired,
        ),
    )


def _toronto() -> District:
    folder = data_dir("toronto-uoft")
    layers = gpd.read_file(folder / "areas_neighbourhoods_4326.geojson")
    is_bounds = layers["name"].fillna("") == "network_bounds" if "name" in layers else None
    bounds = layers[is_bounds] if is_bounds is not None else layers.iloc[0:0]
    incidents = read_incidents(
        folder / "toronto_mci_incidents_2014_2021_uoft.csv",
        columns=IncidentColumns(date="date", hour="hour", category="category"),
        timezone="America/Toronto",
    )
    areas = read_areas(
        folder / "areas_neighbourhoods_4326.geojson",
        id_field="AREA_SHORT_CODE",
        name_field="AREA_NAME",
        where=lambda frame: frame["AREA_NAME"].notna(),
    )
    areas = _clip_areas(areas, bounds)
    return district_from_layers(
        "University of Toronto beat (sample)",
        boundary=bounds,
        incidents=incidents,
        stations=read_stations(folder / "stations.csv"),
        areas=areas,
        network_path=folder / "toronto_uoft_queens_park.osm",
        timezone="America/Toronto",
        notes=(
            "Toronto incidents are stamped with the hour; hour 0 holds some default-midnight "
            "entries in the source.",
            "Both stations are illustrative.",
        ),
    )


_LOADERS: dict[str, Callable[[], District]] = {
    "portland-central": _portland,
    "toronto-uoft": _toronto,
}
NAMES = tuple(_LOADERS)


def _check_name(name: str) -> None:
    if name not in _LOADERS:
        raise SampleNotFoundError(
            f"unknown sample {name!r}; expected one of {', '.join(repr(n) for n in NAMES)}"
        )


def load(name: str = DEFAULT) -> District:
    """Load sample district ``name`` in its working CRS.

    Parameters
    ----------
    name
        ``"portland-central"`` (default) or ``"toronto-uoft"``.

    Raises
    ------
    SampleNotFoundError
        For any other name (a ``KeyError``).
    """
    _check_name(name)
    return _LOADERS[name]()
