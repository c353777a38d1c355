"""Speed of risk + Gi*: 100,000 incidents x 10,000 cells x 3 bands.

Run with ``python -m benchmarks.hotspots``.

Ours: :func:`geo.hotspots.compute_risk` end to end (checks, band assignment, decayed weighted
scores, sparse distance-band weights, vectorised analytic Gi* for all bands at once).
Baseline, same run, same inputs: the straightforward stack — a pandas groupby per band for
the scores, libpysal ``DistanceBand`` weights and esda ``G_Local(star=True, transform="B",
permutations=0)`` per band. Target: ours <= 5 s.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from benchmarks.common import Figure, median_seconds

N_INCIDENTS = 100_000
SIDE = 100  # 100 x 100 = 10,000 cells
CELL_M = 100.0


def _inputs(seed: int = 0) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    boxes = [
        box(j * CELL_M, i * CELL_M, (j + 1) * CELL_M, (i + 1) * CELL_M)
        for i in range(SIDE)
        for j in range(SIDE)
    ]
    cells = gpd.GeoDataFrame(
        {"cell_id": [f"c{i}" for i in range(SIDE * SIDE)]}, geometry=boxes, crs="EPSG:32650"
    )
    # clustered incidents: a few hundred hot cells on a uniform background
    hot = rng.choice(SIDE * SIDE, size=300, replace=False)
    pick = np.where(
        rng.random(N_INCIDENTS) < 0.4,
        rng.choice(hot, N_INCIDENTS),
        rng.integers(0, SIDE * SIDE, N_INCIDENTS),
    )
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 60, N_INCIDENTS), unit="min"
    )
    categories = np.array(["theft", "robbery", "burglary", "Assault", "诈骗"])
    incidents = pd.DataFrame(
        {
            "cell_id": cells["cell_id"].to_numpy()[pick],
            "occurred_at": pd.Series(when).dt.tz_localize("Asia/Shanghai"),
            "category": categories[rng.integers(0, 5, N_INCIDENTS)],
            "time_known": rng.random(N_INCIDENTS) < 0.95,
        }
    )  # fmt: skip
    return incidents, cells


def _baseline(incidents: pd.DataFrame, cells: gpd.GeoDataFrame) -> None:
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    from geo.hotspots.weights import CategoryWeights

    centroids = cells.geometry.centroid
    coords = np.column_stack([centroids.x, centroids.y])
    w = DistanceBand(coords, threshold=1.5 * CELL_M, binary=True, silence_warnings=True)
    frame = incidents.copy()
    frame["w"] = CategoryWeights().weigh(frame["category"])[0]
    age = (frame["occurred_at"].max() - frame["occurred_at"]).dt.total_seconds() / 86400
    frame["w"] *= 0.5 ** (age / 112.0)
    hour = frame["occurred_at"].dt.hour
    for lo, hi in ((8, 16), (16, 24), (0, 8)):
        sub = frame[frame["time_known"] & (hour >= lo) & (hour < hi)]
        score = sub.groupby("cell_id")["w"].sum().reindex(cells["cell_id"], fill_value=0.0)
        G_Local(score.to_numpy(), w, transform="B", star=True, permutations=0)


def run(repeat: int = 3) -> list[Figure]:
    """Measure ours against the baseline; returns the figures."""
    from geo.hotspots import compute_risk

    incidents, cells = _inputs()
    ours = median_seconds(lambda: compute_risk(incidents, cells), repeat=repeat)
    base = median_seconds(lambda: _baseline(incidents, cells), repeat=repeat)
    return [
        Figure(
            name=f"risk + Gi* ({N_INCIDENTS:,} incidents x {SIDE * SIDE:,} cells x 3 bands)",
            value_s=ours,
            baseline_name="pandas groupby + libpysal DistanceBand + esda G_Local(permutations=0)",
            baseline_s=base,
            target="<= 5 s",
        )
    ]


def main() -> None:
    for figure in run():
        print(figure.line())


if __name__ == "__main__":
    main()
