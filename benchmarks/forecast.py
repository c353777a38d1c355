"""Forecast quality per shift band on both samples, and the speed of ``evaluate``.

``python -m benchmarks.forecast [--quality] [--speed]`` (default: both).

Quality: PAI at 5 % of the area over the last 8 weeks, gridpatrol's default method
(:data:`geo.hotspots.blend.DEFAULT_METHOD`, chosen by validation) against the naive last-4-weeks
count in the same run, as a ratio with its 95 % bootstrap interval over the test weeks, on
Portland (dates only: the day) and Toronto (hour-stamped: the day and each default shift band),
at 150 m and 250 m square cells. The best simple method (decayed counts, 112 days) is printed
beside it.

Speed: what ``gridpatrol evaluate`` computes (the day and three bands, every default method)
on 100,000 incidents x 10,000 cells x 8 test weeks; baseline in the same run: the same
backtest with the naive count only. Target: under 60 s.
"""

from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import pandas as pd
import shapely

from geo.hotspots.backtest import backtest_bands
from geo.hotspots.blend import DEFAULT_METHOD, default_methods
from geo.hotspots.events import CellLayout, Events, events_from_incidents, layout_from_cells
from geo.hotspots.forecast import SIMPLE_DEFAULT, NaiveForecaster

SHARE = 0.05
WEEKS = 8
SAMPLES = {"portland-central": "2012-12-31", "toronto-uoft": None}


def sample_grid(name: str, cell_size_m: float) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Square cells over a shipped sample district, and its incidents with their cell ids."""
    from geo.assign import assign_incidents
    from geo.grid import square_grid
    from geo.sample import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        district = load(name)
    outline = district.boundary
    if not outline.is_valid:  # the Portland boundary has a degenerate ring; keep its polygons
        fixed = shapely.make_valid(outline)
        parts = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type.endswith("Polygon")]
        outline = shapely.union_all(parts)
    grid = square_grid(outline, cell_size_m, crs=district.crs)
    incidents = district.incidents.copy()
    incidents["cell_id"] = assign_incidents(grid, incidents)
    return grid.cells, incidents[incidents["cell_id"].notna()]


def sample_events(name: str, cell_size_m: float) -> tuple[Events, CellLayout]:
    """A shipped sample district on square cells, as backtest arrays."""
    cells, incidents = sample_grid(name, cell_size_m)
    layout = layout_from_cells(cells)
    return events_from_incidents(incidents, layout), layout


def quality(sizes: tuple[float, ...] = (150.0, 250.0)) -> list[tuple[str, float]]:
    """Print the default's PAI@5 % against naive per sample, band and cell size."""
    methods = [NaiveForecaster(4), SIMPLE_DEFAULT, DEFAULT_METHOD]
    out = []
    for name, until in SAMPLES.items():
        for size in sizes:
            events, layout = sample_events(name, size)
            started = time.perf_counter()
            runs = backtest_bands(events, layout, weeks=WEEKS, until=until, methods=methods)
            elapsed = time.perf_counter() - started
            for band, result in runs.results.items():
                comp = result.compare(metric="pai", share=SHARE)
                d, simple = comp[DEFAULT_METHOD.name], comp[SIMPLE_DEFAULT.name]
                base = comp[result.baseline]
                picks = result.choices.get(DEFAULT_METHOD.name, ())
                used = ", ".join(f"{m} x{picks[:-1].count(m)}" for m in dict.fromkeys(picks[:-1]))
                label = f"{name} {size:g} m {band}"
                out.append((label, d.ratio))
                print(
                    f"{label:<32} default PAI@5% {d.value:6.2f} vs naive-4w {base.value:6.2f} -> "
                    f"{d.ratio:.3f}x [{d.ratio_low:.2f}, {d.ratio_high:.2f}] {d.verdict}; "
                    f"{SIMPLE_DEFAULT.name} {simple.ratio:.3f}x; picks: {used}; "
                    f"{result.per_week['incidents'].sum() / len(result.shares) / len(methods):g} "
                    f"test incidents ({elapsed:.1f} s for all bands)"
                )
            for band, why in runs.skipped.items():
                print(f"{name} {size:g} m {band}: skipped ({why})")
    return out


def speed() -> float:
    """Time the evaluate computation on 100,000 incidents; print it against naive only."""
    from benchmarks.hotspots import N_INCIDENTS, _inputs

    incidents, cells = _inputs()
    layout = layout_from_cells(cells)
    events = events_from_incidents(incidents, layout)
    started = time.perf_counter()
    backtest_bands(events, layout, weeks=WEEKS, methods=[NaiveForecaster(4)])
    base = time.perf_counter() - started
    started = time.perf_counter()
    runs = backtest_bands(events, layout, weeks=WEEKS, methods=list(default_methods()))
    ours = time.perf_counter() - started
    verdict = "MET" if ours < 60 else "MISSED"
    print(
        f"evaluate ({N_INCIDENTS:,} incidents x {layout.n:,} cells x {WEEKS} weeks, "
        f"{len(runs.results)} bands x {len(default_methods())} methods): {ours:.1f} s vs naive "
        f"only {base:.1f} s ({ours / base:.0f}x the work of counting) [target < 60 s: {verdict}]"
    )
    return ours


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--cell-size", type=float, action="append", help="metres; repeatable")
    args = parser.parse_args(argv)
    both = not (args.quality or args.speed)
    pd.set_option("display.width", 200)
    if args.quality or both:
        quality(tuple(args.cell_size or (150.0, 250.0)))
    if args.speed or both:
        speed()


if __name__ == "__main__":
    main()
