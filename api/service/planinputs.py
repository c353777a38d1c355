"""The planning options, units and duties of a plan request, read as the command line reads them.

:func:`request_inputs` serves both the request check (``POST /plans``: every problem a 422
before a job is queued) and the plan job (:mod:`api.service.planjob`), so a request that passed
the check is planned with exactly the units and duties that were checked. A units or duties
text is written to a temporary ``units.csv``, ``duties.csv`` or ``duties.geojson`` and read by
:func:`api.inputs.read_units` and :func:`geo.io.read_duties`, the command line's readers, so
problems name the row and column.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
from shapely.errors import GEOSException
from shapely.geometry import shape

from api.inputs import read_units
from api.requests import PlanParameters, units_for
from api.service.districts import WGS84, frame_from_features
from api.service.models import Area
from api.service.schemas import PlanCreate
from geo.errors import GeoInputError, Problem
from geo.io import read_duties
from geo.schema import STATION_ID
from planner.units import Unit

T = TypeVar("T")

#: File names the request's texts are read under (and that problems name).
UNITS_FILE = "units.csv"
DUTIES_CSV_FILE = "duties.csv"
DUTIES_GEOJSON_FILE = "duties.geojson"


@dataclass(frozen=True)
class RequestInputs:
    """What a plan request plans with besides the district.

    Attributes
    ----------
    parameters
        The planning options (the command line's), with the solver time limit resolved.
    units
        The units on duty: from ``units_csv``, else from ``unit_counts``.
    duties
        Posts, lines and timed visits in EPSG:4326, or ``None``.
    """

    parameters: PlanParameters
    units: tuple[Unit, ...]
    duties: gpd.GeoDataFrame | None


def station_ids(area: Area) -> list[str]:
    """The ids of an area's stations, sorted (as the command line orders a district's)."""
    stations = frame_from_features(area.stations)
    return sorted(stations[STATION_ID].astype(str)) if STATION_ID in stations else []


def area_outline(area: Area) -> gpd.GeoDataFrame:
    """An area's outline as a one-row GeoDataFrame in EPSG:4326."""
    return gpd.GeoDataFrame(geometry=[shape(area.boundary)], crs=WGS84)


def has_official_areas(area: Area) -> bool:
    """Whether the area has official polygons (needed by ``grid="areas"``)."""
    return bool((area.official_areas or {}).get("features"))


def planning_parameters(request: PlanCreate, time_limit_s: float) -> PlanParameters:
    """The command line's options of a request: its planning fields, with ``time_limit_s``."""
    values = {name: getattr(request, name) for name in PlanParameters.model_fields}
    values["time_limit_s"] = time_limit_s
    return PlanParameters.model_validate(values)


def units_from_text(text: str, stations: list[str]) -> tuple[Unit, ...]:
    """The units of a units file's text, read as the command line reads ``--units``.

    Raises
    ------
    GeoInputError
        With every problem, located in ``units.csv`` by row and column.
    """
    with tempfile.TemporaryDirectory(prefix="gridpatrol-units-") as tmp:
        path = Path(tmp) / UNITS_FILE
        path.write_text(text, encoding="utf-8")
        return read_units(path, stations=stations)


def duties_from_request(request: PlanCreate, area: Area) -> gpd.GeoDataFrame | None:
    """The duties of a request (``duties_csv`` or ``duties_geojson``) checked against the area's
    outline and time zone, as the command line reads ``--duties``; ``None`` without duties.

    Raises
    ------
    GeoInputError
        With every problem, located in ``duties.csv`` / ``duties.geojson``.
    """
    if request.duties_csv is None and request.duties_geojson is None:
        return None
    with tempfile.TemporaryDirectory(prefix="gridpatrol-duties-") as tmp:
        if request.duties_csv is not None:
            path = Path(tmp) / DUTIES_CSV_FILE
            path.write_text(request.duties_csv, encoding="utf-8")
        else:
            path = Path(tmp) / DUTIES_GEOJSON_FILE
            path.write_text(json.dumps(request.duties_geojson), encoding="utf-8")
        try:
            return read_duties(path, timezone=area.timezone, boundary=area_outline(area))
        except GEOSException as exc:
            # The vector reader passes on GEOS's refusal of some geometries (e.g. a LineString
            # of one position) instead of reporting them; the client sent them, so a 422.
            reason = str(exc).strip()
            problem = Problem(path.name, f"a geometry cannot be read: {reason}", column="geometry")
            raise GeoInputError([problem], f"{path.name} cannot be used as duties") from None


def request_inputs(request: PlanCreate, area: Area, time_limit_s: float) -> RequestInputs:
    """Check a plan request against its area and read its units and duties.

    Parameters
    ----------
    request
        The request (``time_limit_s`` is replaced by ``time_limit_s``: the capped one).
    area
        The area of the request's dataset.
    time_limit_s
        The solver time limit to plan with.

    Raises
    ------
    GeoInputError
        With every problem found: of ``unit_counts`` (unknown modes, more than
        :data:`api.requests.MAX_UNITS_PER_MODE` of a mode, no station), of the units file
        (row, column), of the duties (row, column; places outside the area) and ``grid``
        ``"areas"`` for an area without official areas.
    """
    parameters = planning_parameters(request, time_limit_s)
    stations = station_ids(area)
    errors: list[GeoInputError] = []

    def collect(read: Callable[[], T]) -> T | None:
        try:
            return read()
        except GeoInputError as exc:
            errors.append(exc)
            return None

    if request.units_csv is not None:
        text = request.units_csv
        units = collect(lambda: units_from_text(text, stations))
    else:
        units = collect(lambda: units_for(parameters, stations))
    duties = collect(lambda: duties_from_request(request, area))
    if parameters.grid == "areas" and not has_official_areas(area):
        problem = Problem(
            "grid",
            f"'areas' plans on the official areas, and area {area.name!r} has none; "
            "expected square or hex, or give the area official_areas",
            value=parameters.grid,
        )
        errors.append(GeoInputError([problem], "grid 'areas' cannot be used"))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        problems = [p for exc in errors for p in exc.problems]
        raise GeoInputError(problems, "the plan request cannot be used")
    assert units is not None
    return RequestInputs(parameters, units, duties)


def stored_request(parameters: dict[str, Any]) -> PlanCreate:
    """A job's stored parameters as the request they were checked as.

    Raises
    ------
    pydantic.ValidationError
        (a ``ValueError``) for parameters no request could have, e.g. edited in the database.
    """
    return PlanCreate.model_validate(parameters)
