"""Reading polygon layers: jurisdiction boundaries and official areas (grids, districts).

Invalid polygons are repaired with ``shapely.make_valid`` and reported in a warning; everything
else that is wrong is collected and raised at once. :func:`check_coverage` finds overlaps and
gaps between official areas, measured in the local metric CRS.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import local_crs
from geo.errors import GeoInputError, GeoInputWarning, Problem
from geo.io.common import (
    WGS84,
    RowIssues,
    duplicated_ids,
    find_column,
    list_columns,
    numeric_column,
    read_vector,
    source_name,
)
from geo.schema import AREA_ID, AREA_NAME, GEOMETRY, POPULATION

ID_CANDIDATES = ("area_id", "id", "grid_id", "cell_id", "code", "district", "网格编号", "编号")
NAME_CANDIDATES = ("name", "area_name", "district_name", "名称", "网格名称", "placemark")
POPULATION_CANDIDATES = ("population", "pop", "residents", "实有人口", "人口")

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
MIN_REPORTED_M2 = 1.0


def _read_polygons(
    path: Path | str,
    *,
    layer: str | None,
    where: Callable[[gpd.GeoDataFrame], pd.Series] | None,
) -> tuple[gpd.GeoDataFrame, RowIssues, np.ndarray]:
    """Read a polygon layer, apply ``where``, check geometry and repair invalid polygons.

    Returns the kept features, the collected issues (indexed by kept feature) and the
    1-based feature numbers of the kept features in the file.
    """
    source = source_name(path)
    frame = read_vector(path, layer=layer)
    numbers = np.arange(1, len(frame) + 1)
    if where is not None:
        keep = np.asarray(where(frame), dtype=bool)
        if keep.shape != (len(frame),):
            raise ValueError(
                f"where= must return one boolean per feature ({len(frame)}); got shape {keep.shape}"
            )
        frame = frame[keep].reset_index(drop=True)
        numbers = numbers[keep]
        if len(frame) == 0:
            raise GeoInputError([Problem(source, "no features left after where=; expected some")])
    issues = _FeatureIssues(source, numbers)
    if frame.crs is None:
        issues.add_file(
            "the file has no CRS; expected one (a .prj file beside a Shapefile, or a CRS in "
            "the GeoPackage), or use GeoJSON, which is always EPSG:4326"
        )
    geometry = np.array(frame.geometry.array, dtype=object, copy=True)
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    issues.add_rows(missing, column=GEOMETRY, message="geometry is missing; expected a polygon")
    kinds = shapely.get_type_id(geometry)
    not_polygon = ~missing & ~np.isin(kinds, [int(k) for k in _POLYGONAL])
    issues.add_rows(
        not_polygon,
        column=GEOMETRY,
        message=[
            f"geometry is a {shapely.GeometryType(int(k)).name.title()}; "
            "expected a Polygon or MultiPolygon"
            for k in kinds[not_polygon]
        ],
    )
    polygons = ~missing & ~not_polygon
    invalid = polygons & ~shapely.is_valid(geometry)
    if invalid.any():
        reasons = shapely.is_valid_reason(geometry[invalid])
        repaired = shapely.make_valid(geometry[invalid], method="structure", keep_collapsed=False)
        collapsed = shapely.is_empty(repaired)
        geometry[invalid] = repaired
        bad_numbers = numbers[invalid]
        issues.add_rows(
            _expand(invalid, collapsed),
            column=GEOMETRY,
            message="polygon collapses to nothing when repaired; expected an area > 0",
        )
        fixed = [
            f"{n} ({r})" for n, r, c in zip(bad_numbers, reasons, collapsed, strict=True) if not c
        ]
        if fixed:
            warnings.warn(
                f"{source}: repaired {len(fixed)} invalid polygon(s) with shapely.make_valid, "
                f"features {', '.join(fixed)}",
                GeoInputWarning,
                stacklevel=3,
            )
        frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    return frame, issues, numbers


def _expand(mask: np.ndarray, sub: np.ndarray) -> np.ndarray:
    out = np.zeros(len(mask), dtype=bool)
    out[np.flatnonzero(mask)[sub]] = True
    return out


class _FeatureIssues(RowIssues):
    """Row issues numbered by feature in the file (stable when ``where`` dropped some)."""

    def __init__(self, source: str, numbers: np.ndarray) -> None:
        super().__init__(source, len(numbers))
        self.numbers = numbers

    def problems(self) -> list[Problem]:
        out = []
        for problem in super().problems():
            if problem.row is not None:
                problem = Problem(
                    problem.source,
                    problem.message,
                    row=int(self.numbers[problem.row - 1]),
                    column=problem.column,
                    value=problem.value,
                )
            out.append(problem)
        return out


def read_boundary(path: Path | str, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read the polygons of a jurisdiction boundary (to be dissolved into one outline).

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or (zipped) Shapefile of polygons.
    layer
        Layer name, required when the file holds several.

    Returns
    -------
    geopandas.GeoDataFrame
        The polygon features with their attributes, in the file's CRS, invalid ones repaired.

    Raises
    ------
    GeoInputError
        For an unreadable or empty file, a missing CRS, missing or non-polygon geometry.
    """
    frame, issues, _ = _read_polygons(path, layer=layer, where=None)
    issues.raise_if_any(f"{issues.source} cannot be used as a boundary")
    return frame


def read_areas(
    path: Path | str,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    layer: str | None = None,
    where: Callable[[gpd.GeoDataFrame], pd.Series] | None = None,
) -> gpd.GeoDataFrame:
    """Read official areas (community grids, police districts) and check them.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or (zipped) Shapefile of polygons.
    id_field, name_field, population_field
        Source fields; by default detected from common names (:data:`ID_CANDIDATES`, ...).
        Without an id field, areas are numbered by feature; without a name field the id is
        the name; without a population field population is unknown (NaN).
    layer
        Layer name, required when the file holds several.
    where
        Filter applied to the raw features before any check, e.g.
        ``lambda f: f["AREA_NAME"].notna()``. Problems keep the file's feature numbers.

    Returns
    -------
    geopandas.GeoDataFrame
        ``area_id`` (str), ``name`` (str), ``population`` (float, NaN where unknown) and
        geometry, in the file's CRS (EPSG:4326 for GeoJSON).

    Raises
    ------
    GeoInputError
        For every problem: unreadable/empty file, no CRS, missing or non-polygon geometry,
        missing fields, missing or duplicate ids, non-numeric or negative population.

    Warns
    -----
    GeoInputWarning
        Listing the features whose invalid polygons were repaired.
    """
    frame, issues, numbers = _read_polygons(path, layer=layer, where=where)
    fields = [str(c) for c in frame.columns if c != frame.geometry.name]
    chosen: dict[str, str | None] = {}
    for role, given, candidates in (
        ("id_field", id_field, ID_CANDIDATES),
        ("name_field", name_field, NAME_CANDIDATES),
        ("population_field", population_field, POPULATION_CANDIDATES),
    ):
        if given is not None and given not in fields:
            issues.add_file(
                f"field {given!r} given as {role} is not in the file; fields are: "
                f"{list_columns(fields)}",
                column=given,
            )
            given = None
        elif given is None:
            given = find_column(fields, candidates)
        chosen[role] = given
    id_column, name_column, pop_column = (
        chosen["id_field"],
        chosen["name_field"],
        chosen["population_field"],
    )
    from_names = (
        id_column is not None
        and id_field is None
        and name_column is not None
        and bool(_text(frame[id_column]).isna().all())
    )
    if from_names:
        # KML/KMZ placemarks carry an empty ``id`` field beside their Name: the ids come from
        # the names then, said in a warning (an id column with some ids is still checked).
        assert name_column is not None and id_column is not None
        warnings.warn(
            f"{issues.source}: the {id_column!r} field is empty in every feature, so the "
            f"area ids are taken from {name_column!r}",
            GeoInputWarning,
            stacklevel=2,
        )
        id_column = None
        ids = _ids_from_names(_text(frame[name_column]), numbers)
        duplicated_ids(_text(frame[name_column]), issues, column=name_column)
    elif id_column is not None:
        ids = _text(frame[id_column])
        missing = ids.isna().to_numpy()
        issues.add_rows(missing, column=id_column, message="id is missing; expected an area id")
        duplicated_ids(ids, issues, column=id_column)
    else:
        ids = pd.Series(numbers, index=frame.index).astype("str")
    names = _text(frame[name_column]).fillna(ids) if name_column is not None else ids
    if pop_column is not None:
        population = numeric_column(
            frame, pop_column, issues, expected="a resident count >= 0", allow_missing=True
        )
        negative = np.isfinite(population) & (population < 0)
        issues.add_rows(
            negative,
            column=pop_column,
            message="negative population; expected a resident count >= 0",
            values=population,
        )
    else:
        population = np.full(len(frame), np.nan)
    issues.raise_if_any(f"{issues.source} cannot be used as areas")
    out = gpd.GeoDataFrame(
        {AREA_ID: ids.astype("str"), AREA_NAME: names.astype("str"), POPULATION: population},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    out.attrs["source"] = issues.source
    return out


def _ids_from_names(names: pd.Series, numbers: np.ndarray) -> pd.Series:
    """Area ids made from names (blank ones numbered by feature)."""
    fallback = pd.Series(numbers, index=names.index).astype("str")
    return names.str.strip().fillna(fallback)


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped text, blanks as missing; integral floats lose their ``.0``."""
    if pd.api.types.is_float_dtype(values):
        as_int = values.dropna()
        if (as_int == np.floor(as_int)).all():
            values = values.astype("Int64")
    text = values.astype("str").str.strip()
    return text.where(text != "")


def check_coverage(
    areas: gpd.GeoDataFrame,
    boundary: BaseGeometry | gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> list[Problem]:
    """Find overlaps between areas and gaps inside the boundary, in square metres.

    Parameters
    ----------
    areas
        Areas with ``area_id`` and a CRS (as returned by :func:`read_areas`).
    boundary
        The region the areas should tile. A GeoDataFrame/GeoSeries is reprojected; a bare
        geometry is taken to be in ``areas``' CRS. Default: the convex hull of the areas.

    Returns
    -------
    list of Problem
        One per overlapping pair (area > 1 m²) and per gap (> 1 m²), computed in the UTM CRS
        of the areas (:func:`geo.crs.local_crs`); empty when the areas tile the region.
    """
    source = str(areas.attrs.get("source", "areas"))
    if len(areas) == 0:
        return []
    working = local_crs(areas)
    projected = areas.to_crs(working)
    geometry = np.asarray(projected.geometry.array, dtype=object)
    ids = projected[AREA_ID].astype("str").to_numpy() if AREA_ID in projected else None
    label = (lambda i: repr(str(ids[i]))) if ids is not None else (lambda i: f"feature {i + 1}")
    problems: list[Problem] = []
    left, right = projected.sindex.query(geometry, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if len(left):
        shared = shapely.area(shapely.intersection(geometry[left], geometry[right]))
        for i, j, m2 in zip(left, right, shared, strict=True):
            if m2 > MIN_REPORTED_M2:
                problems.append(
                    Problem(
                        source,
                        f"areas {label(i)} and {label(j)} overlap by {m2:,.0f} m²; expected "
                        "official areas that do not overlap",
                        row=int(i) + 1,
                        column=AREA_ID,
                    )
                )
    covered = shapely.union_all(geometry)
    if boundary is None:
        region = shapely.convex_hull(covered)
    elif isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is None:
            raise ValueError("boundary has no CRS; set one with .set_crs(...) first")
        region = boundary.to_crs(working).union_all()
    else:
        region = gpd.GeoSeries([boundary], crs=areas.crs).to_crs(working).iloc[0]
    gaps = shapely.get_parts(shapely.difference(region, covered))
    gaps = gaps[np.argsort(-shapely.area(gaps))]  # largest first
    to_lonlat = gpd.GeoSeries(shapely.centroid(gaps), crs=working).to_crs(WGS84)
    for gap, centre in zip(gaps, to_lonlat, strict=True):
        m2 = float(shapely.area(gap))
        if m2 > MIN_REPORTED_M2:
            problems.append(
                Problem(
                    source,
                    f"gap of {m2:,.0f} m² not covered by any area near lon {centre.x:.5f}, "
                    f"lat {centre.y:.5f}; expected areas that cover the "
                    + ("boundary" if boundary is not None else "region they span"),
                )
            )
    return problems
