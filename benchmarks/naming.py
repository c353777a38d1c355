"""Benchmark: naming 5,000 stops by street and crossing on the Portland sample vs a plain scan.

Run with ``python -m benchmarks.naming``. Points are seeded draws among the foot network's
nodes (where planned stops lie), moved up to 20 m; the figure is
:meth:`geo.naming.PlaceNamer.name_points` (spatial trees, one call). The baseline names each
point by scanning every named street edge with shapely (no index), timed on a subset and
scaled; both must find the same street for every point of the subset.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import shapely

from benchmarks.common import Figure, median_seconds
from geo.naming import NEAR_RADIUS_M, STREET_RADIUS_M, PlaceNamer, read_osm_places
from geo.network import Mode, load_networks

NETWORK_PATH = (
    Path(__file__).resolve().parent.parent
    / "geo"
    / "sample"
    / "data"
    / "portland-central"
    / "portland-central-filtered.osm.pbf"
)
N_POINTS = 5_000
SEED = 20240601
TARGET = ">= 50x faster than a per-point scan"


def run(n_points: int = N_POINTS, n_baseline: int = 200, repeat: int = 3) -> list[Figure]:
    """Time :meth:`PlaceNamer.name_points` against a per-point scan of every named street."""
    start = time.perf_counter()
    networks = load_networks(NETWORK_PATH, modes=(Mode.FOOT, Mode.CAR))
    crs = networks[Mode.FOOT].crs
    namer = PlaceNamer.from_networks(networks, read_osm_places(NETWORK_PATH, crs))
    print(
        f"loaded and indexed in {time.perf_counter() - start:.2f} s: {namer.n_streets:,} named "
        f"street edges, {namer.n_places:,} named places"
    )
    foot = networks[Mode.FOOT]
    rng = np.random.default_rng(SEED)
    pick = rng.integers(0, foot.n_nodes, n_points)
    x = foot.node_x_m[pick] + rng.uniform(-20, 20, n_points)
    y = foot.node_y_m[pick] + rng.uniform(-20, 20, n_points)
    places = namer.name_points(x, y)
    value_s = median_seconds(lambda: namer.name_points(x, y), repeat=repeat)
    share = sum(p.street is not None for p in places) / n_points
    print(f"{share:.1%} of the points named by a street within {STREET_RADIUS_M:.0f} m")

    lines = namer._lines
    names = namer._line_names
    subset = np.arange(min(n_baseline, n_points))
    start = time.perf_counter()
    scanned = []
    for i in subset:
        gaps = shapely.distance(shapely.points(x[i], y[i]), lines)
        best = int(np.argmin(gaps))
        scanned.append((names[best], float(gaps[best])))
    subset_s = time.perf_counter() - start
    for i, (name, gap) in zip(subset, scanned, strict=True):
        got = places[int(i)]
        found_m = got.street_m if got.street is not None else got.near_m
        if found_m is None and gap > NEAR_RADIUS_M:
            continue  # nothing named within reach, by both
        if found_m is None or abs(found_m - gap) > 1e-6:
            raise AssertionError(f"point {i}: tree {found_m} m, scan {gap:.3f} m ({name})")
    print(f"checked {len(subset)} points against the scan: same nearest street distance")
    figure = Figure(
        name=f"name {n_points:,} stops (street, crossing, place; Portland)",
        value_s=value_s,
        baseline_name=f"per-point shapely scan of every named edge ({len(subset)} timed, scaled)",
        baseline_s=subset_s * n_points / len(subset),
        target=TARGET,
    )
    print(figure.line())
    return [figure]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=N_POINTS)
    parser.add_argument("--baseline-points", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.points, args.baseline_points, args.repeat)


if __name__ == "__main__":
    main()
