"""A demo-like plan on the Toronto sample, made by the pipeline, for the named-sheet tests.

Like ``gridpatrol demo``: the sample's duties, the 16-24 shift, the default units, planned by
:func:`planner.shift.plan_shift` and written by :func:`maps.exports.plan_documents` (which
names the stops); the bundle is read back from the document, as the sheets command does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import geopandas as gpd

from geo import sample
from geo.io import read_duties
from maps.bundle import PlanBundle
from maps.exports import plan_documents
from maps.planfile import bundle_from_document
from planner.shift import PlanOptions, plan_shift, shift_band

SAMPLE = "toronto-uoft"


@cache
def named_plan() -> tuple[dict[str, Any], PlanBundle]:
    """The plan document (day 1) and its bundle (built once per test session)."""
    district = sample.load(SAMPLE)
    outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
    duties = read_duties(
        sample.data_dir(SAMPLE) / "duties.csv", timezone=district.timezone, boundary=outline
    )
    options = PlanOptions(
        shift=shift_band("16-24"), time_limit_s=2.0, max_iterations=200, on_infeasible="drop"
    )
    planned = plan_shift(district, options, duties=duties)
    doc = plan_documents(planned, source={"kind": "sample", "sample": SAMPLE})[0]
    return doc, bundle_from_document(doc)
