"""Benchmark: assign 1,000,000 incidents to ~10,000 square and hexagonal cells vs ``sjoin``.

Run with ``python -m benchmarks.assign``. The boundary is the Portland sample district in
EPSG:32610; points are seeded uniform draws over its bounding box (some fall outside).
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from benchmarks.common import Figure, median_seconds
from geo.assign import assign_incidents, assign_points
from geo.grid import Grid, build_grid, cell_size_for_count

BOUNDARY_PATH = (
    Path(__file__).resolve().parent.parent
    / "geo"
    / "sample"
    / "data"
    / "portland-central"
    / "boundary.geojson"
)
CRS_EPSG = 32610
N_POINTS = 1_000_000
N_CELLS = 10_000
SEED = 20240601
TARGET = "<= 1 s and >= 10x faster than sjoin"


def load_boundary() -> BaseGeometry:
    """The Portland sample boundary in UTM zone 10N, repaired.

    The file's polygon has collapsed (zero-area) holes, so it is repaired keeping only the
    polygonal structure.
    """
    outline = gpd.read_file(BOUNDARY_PATH).to_crs(CRS_EPSG).union_all()
    return shapely.make_valid(outline, method="structure", keep_collapsed=False)


def random_points(
    boundary: BaseGeometry, n: int, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` seeded uniform points over the boundary's bounding box."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    return rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)


def sjoin_positions(points: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """The baseline: cell position per point from ``geopandas.sjoin(predicate="within")``."""
    joined = gpd.sjoin(points, grid.cells, predicate="within", how="inner")
    pos = np.full(len(points), -1, dtype=np.int64)
    pos[joined.index.to_numpy()] = joined["index_right"].to_numpy()
    return pos


def _sjoin_fresh(points: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """The baseline on a copy of ``points`` without a cached spatial index."""
    fresh = gpd.GeoDataFrame(geometry=gpd.GeoSeries(points.geometry.array.copy()), crs=points.crs)
    return sjoin_positions(fresh, grid)


def check_agreement(grid: Grid, ours: np.ndarray, baseline: np.ndarray) -> None:
    """Assert both methods agree on every point ``sjoin`` put strictly inside a cell.

    Points ``sjoin`` left out but we assigned must lie on a cell's edge (``within`` excludes
    the boundary); with random coordinates there are practically none.
    """
    inside = baseline >= 0
    disagree = int(np.count_nonzero(ours[inside] != baseline[inside]))
    assert disagree == 0, f"{disagree} points strictly inside a cell got another cell"
    extra = np.flatnonzero(~inside & (ours >= 0))
    assert len(extra) <= 10, f"{len(extra)} points assigned that sjoin found in no cell"


def run(
    n_points: int = N_POINTS, n_cells: int = N_CELLS, repeat: int = 5, sjoin_repeat: int = 1
) -> list[Figure]:
    """Time :func:`geo.assign.assign_points` against ``sjoin`` on square and hex grids.

    Parameters
    ----------
    n_points, n_cells
        Number of random incidents and (approximate) number of cells.
    repeat, sjoin_repeat
        Timed repetitions (median reported) of our assignment and of the baseline.
    """
    boundary = load_boundary()
    x, y = random_points(boundary, n_points)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS_EPSG)
    figures: list[Figure] = []
    for kind in ("square", "hex"):
        # Cells clipped to the boundary cover only its area, so size them by area / count.
        size = cell_size_for_count(boundary, n_cells)
        grid = build_grid(boundary, kind=kind, cell_size_m=size, crs=CRS_EPSG)
        label = f"{kind} grid ({len(grid.cells):,} cells, {n_points:,} points)"

        # Untimed: both agree. This first sjoin also builds and caches the spatial index of
        # ``points`` (sjoin "within" queries the left frame's index), so the timed baseline
        # below excludes that cost: the strictest comparison for us.
        ours = assign_points(grid, x, y)
        baseline = sjoin_positions(points, grid)
        check_agreement(grid, ours, baseline)

        ours_s = median_seconds(partial(assign_points, grid, x, y), repeat=repeat)
        incidents_s = median_seconds(partial(assign_incidents, grid, points), repeat=repeat)
        sjoin_s = median_seconds(
            partial(sjoin_positions, points, grid), repeat=sjoin_repeat, warmup=0
        )
        # What a user pays for a newly loaded incident table: sjoin builds the index too.
        sjoin_fresh_s = median_seconds(
            partial(_sjoin_fresh, points, grid), repeat=sjoin_repeat, warmup=0
        )
        cached = "sjoin within (index prebuilt)"
        figures.append(Figure(f"assign_points, {label}", ours_s, cached, sjoin_s, TARGET))
        figures.append(Figure(f"assign_incidents, {label}", incidents_s, cached, sjoin_s, TARGET))
        figures.append(
            Figure(
                f"assign_incidents, {label}",
                incidents_s,
                "sjoin within (new frame, builds index)",
                sjoin_fresh_s,
                TARGET,
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=N_POINTS)
    parser.add_argument("--cells", type=int, default=N_CELLS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sjoin-repeat", type=int, default=1)
    args = parser.parse_args()
    for figure in run(args.points, args.cells, args.repeat, args.sjoin_repeat):
        print(figure.line())


if __name__ == "__main__":
    main()
