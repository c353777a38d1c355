"""The analysis of a district: grid, incidents per cell, street networks, risk per band.

:func:`analyse` is the first half of every job (command line, service, batch). It grids the
district with :func:`geo.grid.make_grid`, assigns incidents, loads the street networks and
scores risk per cell and time band; :func:`risk_band_for` and :func:`hotspots_for` choose the
band a shift is planned on and its hotspot table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.assign import assign_incidents
from geo.district import District
from geo.grid import DEFAULT_CELL_SIZE_M, Grid, make_grid
from geo.hotspots import DEFAULT_BANDS, RiskTable, TimeBand, compute_risk, hotspot_table
from geo.hotspots.bands import DAY_BAND_NAME
from geo.hotspots.choice import DEFAULT_FLAG_SHARE, RISK_METHODS, MethodChoice
from geo.hotspots.columns import SCORE
from geo.layers import check_layers_fit, lonlat_bounds
from geo.network import StreetNetwork, load_networks, snap
from geo.network.modes import Mode
from geo.schema import CELL_ID

#: Reports a step: ``(description, fraction_done)``.
Progress = Callable[[str, float], None]


def quiet(_: str, __: float) -> None:
    """A progress callback that reports nothing."""
    return None


@dataclass(frozen=True)
class AnalysisOptions:
    """How the district is gridded and scored.

    Attributes
    ----------
    cell_size_m
        Size of generated cells in metres.
    grid_kind
        ``"square"``, ``"hex"`` or ``"areas"`` (the official polygons as cells).
    bands
        Time bands risk is scored for (default 08-16, 16-24, 00-08).
    at
        Reference date of the risk (default: the latest incident's day).
    half_life_days, bandwidth_m
        Decay and smoothing of the risk (``None``: the hotspot module's defaults).
    risk_method
        ``"validated"`` (default): each band's risk comes from the forecasting method that did
        best on the district's own 4 weeks before the data's end, at the share of the area
        the user plans with (:mod:`geo.hotspots.choice`; decayed counts when the history is
        too short); ``"decayed"``: the fixed decayed counts (half-life ``half_life_days``).
    flagged_cells
        Cells the user plans with (the planner's candidate hotspots): validation flags this
        share of the grid. ``None``: 5 % of the area.
    validated_bands
        Names of the bands whose risk is validated (``None``: every band); the others keep
        the decayed counts. The planner validates only the band it may plan on.
    """

    cell_size_m: float = DEFAULT_CELL_SIZE_M
    grid_kind: str = "square"
    bands: tuple[TimeBand, ...] = DEFAULT_BANDS
    at: str | None = None
    half_life_days: float | None = None
    bandwidth_m: float | None = None
    risk_method: str = "validated"
    flagged_cells: int | None = None
    validated_bands: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.risk_method not in RISK_METHODS:
            raise ValueError(
                f"risk_method: expected one of {', '.join(RISK_METHODS)}, got "
                f"{self.risk_method!r} (command line: --risk-method decayed)"
            )
        if self.flagged_cells is not None and self.flagged_cells < 1:
            raise ValueError(f"flagged_cells: expected at least 1, got {self.flagged_cells!r}")

    def for_plan(self, band: str, cells: int) -> AnalysisOptions:
        """These options for planning ``band`` with ``cells`` candidate hotspots: validation
        flags that many cells (unless a number is set) and runs only for ``band`` and the
        day-level band (the one used on dates-only data), unless bands are set."""
        out = self
        if self.flagged_cells is None and cells >= 1:
            out = replace(out, flagged_cells=int(cells))
        if self.validated_bands is None:
            out = replace(out, validated_bands=(band, DAY_BAND_NAME))
        return out

    def with_bands(self, *extra: TimeBand) -> AnalysisOptions:
        """These options with each band of ``extra`` added when no band of that name exists
        (a shift such as 18-02 is scored in its own band)."""
        names = {b.name for b in self.bands}
        added: list[TimeBand] = []
        for b in extra:
            if b.name not in names:
                names.add(b.name)
                added.append(b)
        return replace(self, bands=(*self.bands, *added)) if added else self


@dataclass(frozen=True)
class Analysis:
    """The district with its grid, incidents per cell, street networks, risk and hotspots."""

    district: District
    grid: Grid
    cell_of_incident: pd.Series
    networks: Mapping[Mode, StreetNetwork]
    risk: RiskTable
    options: AnalysisOptions
    seconds: Mapping[str, float]

    @property
    def incidents_per_cell(self) -> pd.Series:
        return self.cell_of_incident.value_counts()

    def located_incidents(self) -> gpd.GeoDataFrame:
        """The incidents inside a cell, with their ``cell_id``."""
        incidents = self.district.incidents.assign(**{CELL_ID: self.cell_of_incident})
        return incidents[incidents[CELL_ID].notna()]

    def has_band(self, name: str) -> bool:
        return name in self.risk.band_names

    @property
    def risk_methods(self) -> Mapping[str, MethodChoice]:
        """Band name -> the method behind its risk and its validation PAI (empty when the
        fixed decayed counts were asked for)."""
        return self.risk.methods

    @property
    def flag_share(self) -> float:
        """Share of the grid's area validation flagged (see ``AnalysisOptions.flagged_cells``)."""
        return flag_share_of(self.options, len(self.grid.cells))


def analyse(
    district: District,
    options: AnalysisOptions | None = None,
    progress: Progress = quiet,
    *,
    networks: Mapping[Mode, StreetNetwork] | None = None,
) -> Analysis:
    """Grid the district, assign incidents, load street networks and score risk per band.

    Parameters
    ----------
    district
        The layers, in their working CRS.
    options
        Grid and risk options.
    progress
        Reports ``(step, fraction)``.
    networks
        Street networks already loaded for this district (skips reading the OSM file).

    Raises
    ------
    ValueError
        For an unknown grid kind, or ``"areas"`` on a district without official areas.
    """
    opts = options or AnalysisOptions()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    progress("Building the grid", 0.0)
    grid = make_grid(
        district.boundary,
        crs=district.crs,
        kind=opts.grid_kind,
        cell_size_m=opts.cell_size_m,
        areas=district.areas,
    )
    seconds["grid"] = time.perf_counter() - started

    progress("Assigning incidents to cells", 0.2)
    t = time.perf_counter()
    cell_of = assign_incidents(grid, district.incidents)
    seconds["assign"] = time.perf_counter() - t

    progress("Loading street networks", 0.3)
    t = time.perf_counter()
    if networks is None:
        networks = {}
        if district.network_path is not None:
            networks = load_networks(district.network_path, crs=district.crs)
    if networks:
        check_on_network(district, networks)
    seconds["networks"] = time.perf_counter() - t

    progress("Scoring risk per cell and band", 0.7)
    t = time.perf_counter()
    incidents = district.incidents.assign(**{CELL_ID: cell_of})
    incidents = incidents[incidents[CELL_ID].notna()]
    kwargs: dict[str, object] = {}
    if opts.half_life_days is not None:
        kwargs["half_life_days"] = opts.half_life_days
    risk = compute_risk(
        incidents,
        grid.cells,
        bands=opts.bands,
        at=opts.at,
        bandwidth_m=opts.bandwidth_m,
        method="validated" if opts.risk_method == "validated" else "decayed",
        flag_share=flag_share_of(opts, len(grid.cells)),
        validate=opts.validated_bands,
        **kwargs,  # type: ignore[arg-type]
    )
    seconds["risk"] = time.perf_counter() - t
    progress("Analysis done", 1.0)
    return Analysis(district, grid, cell_of, dict(networks), risk, opts, seconds)


def flag_share_of(options: AnalysisOptions, n_cells: int) -> float:
    """The share of the grid validation flags: ``flagged_cells`` of ``n_cells`` (at most all
    of them), or 5 % when no number is given."""
    if options.flagged_cells is None or n_cells < 1:
        return DEFAULT_FLAG_SHARE
    return min(1.0, options.flagged_cells / n_cells)


#: Hotspot and sector points farther than this from the foot network are not snapped to it.
MAX_FOOT_SNAP_M = 25_000.0
#: Points moved farther than this to reach the foot network are reported (:func:`far_snap_note`).
FAR_SNAP_M = 500.0


def check_on_network(district: District, networks: Mapping[Mode, StreetNetwork]) -> None:
    """Refuse district layers that lie entirely outside the street network's extent.

    Raises
    ------
    GeoInputError
        Naming each such layer, how far it is and whether it looks swapped.
    """
    x = np.concatenate([np.asarray(n.node_x_m) for n in networks.values()])
    y = np.concatenate([np.asarray(n.node_y_m) for n in networks.values()])
    if len(x) == 0:
        return
    crs = next(iter(networks.values())).crs
    name = district.network_path.name if district.network_path is not None else "given"
    layers = {
        "incidents": district.incidents,
        "stations": district.stations,
        "boundary": gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs),
        "areas": district.areas,
    }
    check_layers_fit(f"the street network {name}", lonlat_bounds(x, y, crs), layers)


def foot_snapper(
    analysis: Analysis, far: list[float] | None = None
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
    """Snap points to the nearest node of the foot network (where a patrol can stand).

    ``far``, when given, receives the distance (m) of every point moved more than
    :data:`FAR_SNAP_M` or left where it is beyond :data:`MAX_FOOT_SNAP_M`, so the caller can
    report them (:func:`far_snap_note`) instead of snapping them silently.
    """
    network = analysis.networks.get(Mode.FOOT)
    if network is None:
        return None

    def _snap(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Bounded: a point farther than MAX_FOOT_SNAP_M from any footway keeps its place, so
        # routing to it reports it instead of planning it at a distant crossing. The bound is
        # far wider than routing's 500 m: sector centres of a district larger than its network
        # extract (the Portland sample's) lie kilometres away and are still planned on it.
        found = snap(network, x, y, max_snap_m=MAX_FOOT_SNAP_M)
        near = found.snap_distance_m <= found.max_snap_m
        if far is not None:
            distances = np.asarray(found.snap_distance_m, dtype=float)
            far.extend(float(d) for d in distances[distances > FAR_SNAP_M])
        sx = np.where(near, network.node_x_m[found.node_index], x)
        sy = np.where(near, network.node_y_m[found.node_index], y)
        return sx, sy

    return _snap


def risk_band_for(analysis: Analysis, shift: TimeBand) -> tuple[str, tuple[str, ...]]:
    """The risk band to plan a shift with, and why.

    The shift's own band when its incidents carry times of day; the day-level band when the
    data hold dates only (hourly bands are then empty).

    Raises
    ------
    ValueError
        When the analysis scored neither the shift's band nor a day-level band (analyse
        with ``options.with_bands(shift)``).
    """
    names = analysis.risk.band_names
    has_own = shift.name in names
    if has_own and float(analysis.risk.band(shift.name)[SCORE].sum()) > 0:
        return shift.name, ()
    if DAY_BAND_NAME in names:
        return DAY_BAND_NAME, (
            f"No incident in the data has a time of day in {shift.name}: the plan uses the "
            "day-level risk.",
        )
    if not has_own:
        raise ValueError(
            f"band: the analysis has no risk for {shift.name} (it scored "
            f"{', '.join(names)}); analyse with AnalysisOptions.with_bands for this shift"
        )
    return shift.name, (f"No incident falls in {shift.name}: every hotspot score is zero.",)


def far_snap_note(far: list[float], what: str = "hotspot or sector point") -> str | None:
    """A note on points far from any footway (see :func:`foot_snapper`), or ``None``."""
    if not far:
        return None
    return (
        f"{len(far)} {what}(s) lie more than {FAR_SNAP_M:g} m from any footway (up to "
        f"{max(far) / 1000:.1f} km): they are visited at the nearest one; check that the street "
        "network file covers the whole district."
    )


def hotspots_for(
    analysis: Analysis, band_name: str, top: int | None = 150, far: list[float] | None = None
) -> gpd.GeoDataFrame:
    """The hotspot table of one band, stop points snapped to the foot network (``far``: as
    :func:`foot_snapper`)."""
    return hotspot_table(
        analysis.risk,
        analysis.located_incidents(),
        analysis.grid.cells,
        band=band_name,
        top=top,
        snap=foot_snapper(analysis, far),
    )
