"""What maps and sheets draw from: a :class:`PlanBundle` of district layers, risk and a plan.

A bundle is pure data in the working (metric) CRS: grid cells, incidents, stations, the risk
table, the hotspot table and the :class:`~planner.plan.PatrolPlan` with the tasks and units it
was made from. Maps, sheets and the staffing page read it and reproject to EPSG:4326 only when
they draw or export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry import LineString

from geo.hotspots.columns import BAND
from geo.naming import Place
from geo.schema import CELL_ID, GEOMETRY, STATION_ID, STATION_NAME
from maps.errors import MapInputError
from planner.plan import PatrolPlan, UnitRoute
from planner.tasks import Task
from planner.units import Unit


@dataclass(frozen=True)
class PlanBundle:
    """The layers and the plan of one district and shift, in the working CRS.

    Attributes
    ----------
    crs
        The working (metric) CRS of every layer and of the plan's coordinates.
    district
        Human name of the district (titles).
    plan_date
        The local date plan times count from.
    timezone
        IANA zone of that local time.
    cells
        Grid cells (``cell_id``, ``name``, geometry).
    risk
        Risk per cell and band (``RiskTable.frame``: ``cell_id``, ``band``, ``score``,
        ``rank``, ``gi_z``, ``gi_p``, ``significance``, ``count``), or ``None``.
    hotspots
        The hotspot table (:func:`geo.hotspots.hotspot_table`), or ``None``.
    incidents
        Incidents (point geometry; ``category``), or ``None``.
    stations
        Patrol bases (``station_id``, ``name``, geometry), or ``None``.
    plan
        The plan to draw, or ``None`` for a hotspot map without routes.
    tasks, units
        The tasks and units the plan was made from (posts, lines, windows; shifts, crews).
    band
        The risk band the plan was made on (``"16-24"``, or ``"day"`` on dates-only data);
        the map's default risk band.
    shift
        The shift band the plan is for (``"18-02"``), when it is a plan.
    notes
        Facts to print with the outputs (data caveats, how travel times were computed).
    places
        ``{task_id: Place}``: how each stop is named (street, crossing, nearby place), as the
        plan file stores it; empty for plans made without a street network.
    streets
        ``{unit_id: ((street name, line), ...)}``: the named streets each route runs along.
    presence, bound
        The plan file's presence (见警率) summary with minutes per cell and hour, and the
        plan's value against its upper bound (``None`` for files without them).
    changes
        What changed against the previous day's plan of the same shift (the plan file's
        ``changes``, :func:`planner.review.daily.plan_changes`), or ``None``.
    """

    crs: CRS
    district: str
    plan_date: date
    timezone: str = "UTC"
    cells: gpd.GeoDataFrame | None = None
    risk: pd.DataFrame | None = None
    hotspots: gpd.GeoDataFrame | None = None
    incidents: gpd.GeoDataFrame | None = None
    stations: gpd.GeoDataFrame | None = None
    plan: PatrolPlan | None = None
    tasks: Sequence[Task] = ()
    units: Sequence[Unit] = ()
    band: str | None = None
    shift: str | None = None
    notes: tuple[str, ...] = field(default=())
    places: Mapping[str, Place] = field(default_factory=dict)
    streets: Mapping[str, tuple[tuple[str, LineString], ...]] = field(default_factory=dict)
    presence: Mapping[str, Any] | None = None
    bound: Mapping[str, Any] | None = None
    changes: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        for name in ("cells", "hotspots", "incidents", "stations"):
            frame = getattr(self, name)
            if frame is None:
                continue
            if GEOMETRY not in frame.columns:
                problems.append(f"{name}: no geometry column")
            elif frame.crs is None or CRS(frame.crs) != CRS(self.crs):
                got = "none" if frame.crs is None else CRS(frame.crs).to_string()
                problems.append(
                    f"{name}: CRS {got} differs from the bundle's {CRS(self.crs).to_string()} "
                    "(use to_crs)"
                )
        if self.cells is not None and CELL_ID not in self.cells.columns:
            problems.append(f"cells: missing column {CELL_ID!r}")
        if self.stations is not None and STATION_ID not in self.stations.columns:
            problems.append(f"stations: missing column {STATION_ID!r}")
        if self.risk is not None:
            missing = [c for c in (CELL_ID, BAND) if c not in self.risk.columns]
            if missing:
                problems.append(f"risk: missing columns {missing}")
        if problems:
            raise MapInputError("invalid plan bundle: " + "; ".join(problems))

    # ---- look-ups ----------------------------------------------------------------------
    @property
    def band_names(self) -> tuple[str, ...]:
        """Bands of the risk table, in order of first appearance."""
        if self.risk is None:
            return ()
        return tuple(dict.fromkeys(str(b) for b in self.risk[BAND]))

    def station_names(self) -> Mapping[str, str]:
        """``{station_id: name}`` (the id where no name is given)."""
        if self.stations is None:
            return {}
        names = (
            self.stations[STATION_NAME]
            if STATION_NAME in self.stations.columns
            else self.stations[STATION_ID]
        )
        return {
            str(i): str(n) if pd.notna(n) else str(i)
            for i, n in zip(self.stations[STATION_ID], names, strict=True)
        }

    def station_xy(self) -> Mapping[str, tuple[float, float]]:
        """``{station_id: (x, y)}`` in the working CRS."""
        if self.stations is None:
            return {}
        return {
            str(i): (float(g.x), float(g.y))
            for i, g in zip(self.stations[STATION_ID], self.stations.geometry, strict=True)
        }

    def unit(self, unit_id: str) -> Unit | None:
        """The :class:`Unit` ``unit_id``, if the bundle has it."""
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def task(self, task_id: str) -> Task | None:
        """The :class:`Task` ``task_id``, if the bundle has it."""
        return self._tasks_by_id().get(task_id)

    def _tasks_by_id(self) -> dict[str, Task]:
        return {t.task_id: t for t in self.tasks}

    def routes(self, unit_ids: Sequence[str] | None = None) -> tuple[UnitRoute, ...]:
        """The plan's routes, optionally only ``unit_ids`` (in the plan's order).

        Raises
        ------
        MapInputError
            If the bundle has no plan or a unit id is not in it.
        """
        if self.plan is None:
            raise MapInputError("the bundle has no plan: routes need a PatrolPlan")
        if unit_ids is None:
            return self.plan.routes
        known = [r.unit_id for r in self.plan.routes]
        unknown = [u for u in unit_ids if u not in known]
        if unknown:
            raise MapInputError(
                f"units: unknown unit ids {unknown!r}; the plan has {', '.join(known)}"
            )
        wanted = set(unit_ids)
        return tuple(r for r in self.plan.routes if r.unit_id in wanted)
