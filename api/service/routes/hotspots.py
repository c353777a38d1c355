"""``/hotspots``: risk per cell for one time band, from a dataset of an area (GeoJSON)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query

from api.service.deps import CurrentUser, SessionDep, scoped
from api.service.districts import WGS84, district_of, feature_collection, load_incidents
from api.service.errors import InvalidInputError
from api.service.models import Area, IncidentDataset
from api.service.routes.common import AUTH_ERRORS, NOT_FOUND
from api.service.schemas import MAX_ID, FeatureCollection
from geo.analysis import AnalysisOptions, analyse, hotspots_for, risk_band_for
from geo.hotspots import resolve_band
from geo.schema import CELL_ID

router = APIRouter(prefix="/hotspots", tags=["hotspots"], responses={**AUTH_ERRORS, **NOT_FOUND})


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
def hotspots(
    session: SessionDep,
    user: CurrentUser,
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
        shift = resolve_band(band)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    incidents = load_incidents(session, dataset.id, area.timezone)
    if len(incidents) == 0:
        return {"type": "FeatureCollection", "features": []}
    district = district_of(area, incidents, with_network=False)
    options = AnalysisOptions(cell_size_m=cell_size_m, at=at.isoformat() if at else None)
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
