"""One call from a plan and its raw tracks to the review: screen the fixes, put them on the
plan's wall clock and match them with the plan (what the command line and the service run)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from geo.io.tracks import ScreenedFixes, screen_fixes
from maps.bundle import PlanBundle
from maps.errors import MapInputError
from planner.review import PlanReview, ReviewOptions, review_plan, wall_seconds_of

#: Fastest believable speed per mode (km/h): a running officer, a fast cyclist, a car on a
#: through road. A fix needing more is a jump.
MAX_SPEED_KMH: Final = {"foot": 20.0, "bicycle": 45.0, "car": 130.0}


#: Fixes up to this long before the first unit's shift or after the last one's still belong to
#: the plan (units leave early, come back late); fixes further away are of another shift.
SHIFT_MARGIN_S: Final = 3600


@dataclass(frozen=True)
class ReviewRun:
    """A review with what went into it.

    Attributes
    ----------
    review
        Planned against actual.
    screened
        The fixes used (``kept``, with ``x``, ``y``, ``wall_s``) and those kept out.
    fixes_read
        Fixes read before screening.
    """

    review: PlanReview
    screened: ScreenedFixes
    fixes_read: int

    @property
    def fixes(self) -> pd.DataFrame:
        return self.screened.kept


def review_bundle(
    bundle: PlanBundle,
    fixes: gpd.GeoDataFrame,
    *,
    checkins: pd.DataFrame | None = None,
    options: ReviewOptions | None = None,
) -> ReviewRun:
    """Review the plan of ``bundle`` against raw fixes (:func:`geo.io.tracks.read_tracks`).

    Fixes are screened first (jumps faster than the unit's mode allows, duplicates, fixes
    more than 200 m outside the plan's cells are kept out and listed), then placed on the
    plan's wall clock; fixes more than an hour before or after the plan's shifts belong to
    another shift and are left aside (not counted as bad).

    Raises
    ------
    MapInputError
        When the bundle has no plan or no cells.
    """
    if bundle.plan is None:
        raise MapInputError("the plan file has no routes to review")
    if bundle.cells is None or len(bundle.cells) == 0:
        raise MapInputError(
            "the plan file has no grid cells (it was written without layers); plan it again "
            "without --no-layers to review it"
        )
    modes = {u.unit_id: u.mode.value for u in bundle.units}
    modes.update({r.unit_id: r.mode.value for r in bundle.plan.routes})
    limits = {unit: MAX_SPEED_KMH.get(mode, 130.0) / 3.6 for unit, mode in modes.items()}
    outline = shapely.union_all(list(bundle.cells.geometry.values))
    screened = screen_fixes(fixes, crs=bundle.crs, max_speed_mps=limits, boundary=outline)
    kept = screened.kept.copy()
    kept["wall_s"] = wall_seconds_of(kept["time"], bundle.plan_date, bundle.timezone)
    # fixes of other days (a week of tracks against one day's plan) are not this plan's
    starts = [u.shift_start_s for u in bundle.units] or [r.depart_s for r in bundle.plan.routes]
    ends = [u.shift_end_s for u in bundle.units] or [r.return_s for r in bundle.plan.routes]
    if starts and ends:
        within = (kept["wall_s"] >= min(starts) - SHIFT_MARGIN_S) & (
            kept["wall_s"] <= max(ends) + SHIFT_MARGIN_S
        )
        kept = kept[within].reset_index(drop=True)
    screened = ScreenedFixes(kept=kept, rejected=screened.rejected)
    checks = None
    if checkins is not None and len(checkins):
        checks = checkins.copy()
        checks["wall_s"] = wall_seconds_of(checks["time"], bundle.plan_date, bundle.timezone)
    risk = _risk_of(bundle)
    review = review_plan(
        bundle.plan,
        bundle.tasks,
        bundle.units,
        bundle.cells,
        kept,
        checkins=checks,
        risk=risk,
        planned_presence=_planned_table(bundle),
        options=options,
    )
    return ReviewRun(review=review, screened=screened, fixes_read=len(fixes))


def _risk_of(bundle: PlanBundle) -> dict[str, float] | None:
    """Risk score per cell in the band the plan was made on."""
    if bundle.risk is None or "score" not in bundle.risk.columns:
        return None
    frame = bundle.risk
    if bundle.band is not None and "band" in frame.columns:
        frame = frame[frame["band"].astype(str) == str(bundle.band)]
    return {str(c): float(s) for c, s in zip(frame["cell_id"], frame["score"], strict=True)}


def _planned_table(bundle: PlanBundle) -> pd.DataFrame | None:
    """The plan file's own presence per cell and hour (its ``presence.table``), if it has one."""
    presence = getattr(bundle, "presence", None)
    table = presence.get("table") if isinstance(presence, Mapping) else None
    if not isinstance(table, Mapping) or not table.get("cell_id"):
        return None
    return pd.DataFrame({k: list(v) for k, v in table.items()})
