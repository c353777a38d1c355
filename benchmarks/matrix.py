"""Benchmark: a 1,000 × 1,000 car travel-time matrix on the Portland sample vs networkx.

Run with ``python -m benchmarks.matrix``. Points are seeded uniform draws over the car
network's extent, kept when within 500 m of it; the baseline loops
``networkx.single_source_dijkstra_path_length`` over the same source nodes.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import networkx as nx
import numpy as np

from benchmarks.common import Figure, median_seconds
from geo.network import (
    DEFAULT_MAX_SNAP_M,
    Mode,
    StreetNetwork,
    load_network,
    snap,
    travel_time_matrix,
)

NETWORK_PATH = (
    Path(__file__).resolve().parent.parent
    / "geo"
    / "sample"
    / "data"
    / "portland-central"
    / "portland-central-filtered.osm.pbf"
)
N_POINTS = 1_000
SEED = 20240601
TARGET = ">= 20x faster than networkx"


def random_points(
    network: StreetNetwork, n: int, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` seeded uniform points over the network's extent, each within 500 m of a node."""
    rng = np.random.default_rng(seed)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    kept = 0
    while kept < n:
        x = rng.uniform(network.node_x_m.min(), network.node_x_m.max(), n)
        y = rng.uniform(network.node_y_m.min(), network.node_y_m.max(), n)
        near = snap(network, x, y).snap_distance_m <= DEFAULT_MAX_SNAP_M
        xs.append(x[near])
        ys.append(y[near])
        kept += int(near.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def networkx_rows(
    network: StreetNetwork, x: np.ndarray, y: np.ndarray, sources: np.ndarray
) -> dict[int, dict[int, float]]:
    """The baseline: one networkx Dijkstra per distinct source node (OSM id -> lengths)."""
    ids = network.node_ids[snap(network, x, y).node_index]
    return {
        int(node): nx.single_source_dijkstra_path_length(
            network.graph, int(node), weight="travel_time"
        )
        for node in np.unique(ids[sources])
    }


def check_rows(
    network: StreetNetwork,
    x: np.ndarray,
    y: np.ndarray,
    matrix: np.ndarray,
    rows: dict[int, dict[int, float]],
    sources: np.ndarray,
) -> int:
    """Compare ``matrix`` rows of ``sources`` with the networkx lengths; return pairs checked."""
    snapped = snap(network, x, y)
    ids = network.node_ids[snapped.node_index]
    access_s = snapped.snap_distance_m / (network.access_speed_kmh / 3.6)
    checked = 0
    for i in sources.tolist():
        lengths = rows[int(ids[i])]
        for j in range(len(x)):
            expected = (
                0 if i == j else math.ceil(access_s[i] + lengths[int(ids[j])] + access_s[j] - 1e-6)
            )
            if matrix[i, j] != expected:
                raise AssertionError(
                    f"pair {i}->{j}: matrix {matrix[i, j]} s, networkx {expected} s"
                )
            checked += 1
    return checked


def run(n_points: int = N_POINTS, n_baseline: int = N_POINTS, repeat: int = 3) -> list[Figure]:
    """Time :func:`geo.network.travel_time_matrix` against a networkx Dijkstra loop.

    Parameters
    ----------
    n_points
        Points in the matrix (``n_points × n_points``).
    n_baseline
        Source points the networkx loop is timed on (all by default, about 15 s); with fewer,
        its time is scaled to all distinct source nodes of the matrix and the line says so.
    repeat
        Timed runs of the matrix (median); the baseline runs once.
    """
    start = time.perf_counter()
    network = load_network(NETWORK_PATH, mode=Mode.CAR)
    load_s = time.perf_counter() - start
    print(f"loaded in {load_s:.2f} s: {network.summary()}")

    x, y = random_points(network, n_points)
    matrix = travel_time_matrix(network, x, y)
    value_s = median_seconds(lambda: travel_time_matrix(network, x, y), repeat=repeat)

    n_sources = int(np.unique(snap(network, x, y).node_index).size)
    subset = np.arange(min(n_baseline, n_points))
    start = time.perf_counter()
    rows = networkx_rows(network, x, y, subset)
    subset_s = time.perf_counter() - start
    scale = n_sources / len(rows)
    checked = check_rows(network, x, y, matrix, rows, subset)
    print(
        f"checked {checked:,} pairs ({len(subset)} source points x {n_points}): all equal; "
        f"networkx timed on {len(rows)} distinct source nodes, scaled x{scale:.2f} to "
        f"{n_sources} (the matrix's distinct nodes)"
    )
    figure = Figure(
        name=f"car travel-time matrix {n_points}x{n_points} (scipy csgraph, Portland)",
        value_s=value_s,
        baseline_name=(
            f"networkx single_source_dijkstra_path_length x{n_sources} "
            + ("(all timed)" if len(rows) == n_sources else f"({len(rows)} timed, x{scale:.2f})")
        ),
        baseline_s=subset_s * scale,
        target=TARGET,
    )
    print(figure.line())
    return [figure]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=N_POINTS)
    parser.add_argument("--baseline-sources", type=int, default=N_POINTS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.points, args.baseline_sources, args.repeat)


if __name__ == "__main__":
    main()
