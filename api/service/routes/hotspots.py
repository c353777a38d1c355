"""``/hotspots``: risk per cell for one time band, from a dataset of an area (GeoJSON)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query

from api.requests import MAX_PLAN_DATE, MIN_PLAN_DATE, check_band
from api.service.deps import CurrentPrincipal, SessionDep, scoped
from api.service.districts import WGS84, district_of, feature_collection, load_incidents
from api.service.errors import InvalidInputError
from api.service.lanes import long_request
from api.service.models import Area, IncidentDataset
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, NOT_FOUND
from api.service.routes.grids import grid_cells
from api.service.schemas import MAX_ID, FeatureCollection
from geo.analysis import AnalysisOptions, analyse, hotspots_for, risk_band_for
from geo.hotspots import resolve_band
from geo.schema import CELL_ID

#: Fewest grid cells hotspots are computed on (Gi* compares a cell with its neighbours).
MIN_HOTSPOT_CELLS = 2

router = APIRouter(
    route_class=OneHopRoute,
    prefix="/hotspots",
    tags=["hotspots"],
    responses={**AUTH_ERRORS, **NOT_FOUND},
)


def _plain(value: Any) -> Any:
    """A JSON-ready scalar (tuples as lists, NaN as null)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@router.get(
    "",
    summary="Hotspot cells of a dataset for one time band",
    response_model=FeatureCollection,
)
@long_request
def hotspots(
    session: SessionDep,
    user: CurrentPrincipal,
    dataset_id: Annotated[int, Query(ge=1, le=MAX_ID, description="Incident dataset.")],
    band: Annotated[str, Query(max_length=16, description="Time band, e.g. 16-24.")] = "16-24",
    at: Annotated[
        dt.date | None,
        Query(description="Reference date of the risk (default: the latest incident's day)."),
    ] = None,
    cell_size_m: Annotated[float, Query(ge=50, le=5000, description="Grid cell size.")] = 250.0,
    top: Annotated[int, Query(ge=1, le=500, description="Hotspot cells to return.")] = 20,
) -> dict[str, Any]:
    """The ``top`` cells by risk in ``band`` as GeoJSON polygons (EPSG:4326) with ``score``,
    ``rank``, Gi* significance, incident ``count`` and ``peak_hours``. Computed on request
    from the dataset (straight-line stop points; no street network needed)."""
    dataset: IncidentDataset = scoped(session, user, IncidentDataset, dataset_id, "dataset")
    area = session.get(Area, dataset.area_id)
    assert area is not None
    try:
        if band.strip() not in ("day", "all"):
            check_band(band, max_hours=None, min_hours=None)
        shift = resolve_band(band.strip())
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    if at is not None and not MIN_PLAN_DATE <= at <= MAX_PLAN_DATE:
        raise InvalidInputError(f"at: expected a date from {MIN_PLAN_DATE} to {MAX_PLAN_DATE}")
    incidents = load_incidents(session, dataset.id, area.timezone)
    if len(incidents) == 0:
        return {"type": "FeatureCollection", "features": []}
    district = district_of(area, incidents, with_network=False)
    options = AnalysisOptions(cell_size_m=cell_size_m, at=at.isoformat() if at else None)
    cell_count = len(grid_cells(area, options.grid_kind, cell_size_m))
    if cell_count < MIN_HOTSPOT_CELLS:
        raise InvalidInputError(
            f"cell_size_m: the area holds {cell_count} cell(s) of {cell_size_m:g} m; hotspots "
            f"compare at least {MIN_HOTSPOT_CELLS} cells (choose a smaller cell_size_m)"
        )
    analysis = analyse(district, options if shift is None else options.with_bands(shift))
    if shift is None:
        band_name = "day" if "day" in analysis.risk.band_names else analysis.risk.band_names[0]
        notes: tuple[str, ...] = ()
    else:
        band_name, notes = risk_band_for(analysis, shift)
    table = hotspots_for(analysis, band_name, top=top)
    cells = analysis.grid.cells[[CELL_ID, "geometry"]]
    attributes = pd.DataFrame(table.drop(columns="geometry"))
    merged = cells.merge(attributes, on=CELL_ID, how="inner").sort_values("rank")
    for column in merged.columns:
        if column != "geometry" and merged[column].dtype == object:
            merged[column] = merged[column].map(_plain)
    collection = feature_collection(merged.to_crs(WGS84))
    collection["properties"] = {"band": band_name, "notes": list(notes)}
    return collection
