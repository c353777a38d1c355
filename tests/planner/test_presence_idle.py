"""No idle unit at county scale: the decomposition does not send a unit where there is no work.

The pattern seen on the 2,000-task, 40-unit instance: farthest-first seeding makes an outlying
place (a far post, a few far cells) a sub-area of its own; every sub-area with prize gets a
unit, and that unit is back at its station after an hour while presence value remains
everywhere else. Reproduced here on a small synthetic instance above the decomposition's
size thresholds.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.routing import MinGap, RoutingProblem, Vehicle
from planner.routing.decompose import LARGE_NODES, LARGE_VEHICLES, solve_large, sub_areas

H = 3600


def outlier_instance(n_places: int = LARGE_NODES, n_units: int = LARGE_VEHICLES) -> RoutingProblem:
    """Hour-slot visits as the presence objective makes them: ``n_places // 2`` cells in a
    3 km square around two stations and one cell 8 km away, two visits per cell (one in each
    half of a 4-hour shift) chained by a 102-minute minimum gap; 12-minute visits, prize 1-5,
    30 km/h."""
    rng = np.random.default_rng(7)
    cells = np.vstack([rng.uniform(0, 3000, size=(n_places // 2 - 1, 2)), [[9500.0, 1500.0]]])
    xy = np.vstack([[[1400.0, 1500.0], [1600.0, 1500.0]], np.repeat(cells, 2, axis=0)])
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    travel = np.rint(dist / (30 / 3.6)).astype(np.int64)
    n = len(xy)
    service = np.r_[0, 0, np.full(n - 2, 12 * 60)].astype(np.int64)
    prize = np.r_[0, 0, np.repeat(rng.integers(1, 6, len(cells)), 2)].astype(np.int64)
    opens = np.r_[0, 0, np.tile([0, 2 * H], len(cells))].astype(np.int64)
    closes = np.r_[4 * H, 4 * H, np.tile([2 * H, 4 * H - 12 * 60], len(cells))].astype(np.int64)
    gaps = tuple(MinGap(a, a + 1, 102 * 60) for a in range(2, n, 2))
    vehicles = tuple(Vehicle(v % 2, v % 2, 0, 0, 4 * H, name=f"u{v}") for v in range(n_units))
    return RoutingProblem(
        travel_s=(travel,),
        service_s=service,
        prize=prize,
        window_open_s=opens,
        window_close_s=closes,
        required=np.zeros(n, dtype=bool),
        vehicles=vehicles,
        min_gaps=gaps,
    )


def test_no_sub_area_with_a_unit_holds_less_than_its_shifts_of_work() -> None:
    problem = outlier_instance()
    outlier = problem.n_nodes - 1
    assert len(problem.min_gaps) == LARGE_NODES // 2
    areas = sub_areas(problem)
    assert sorted(v for a in areas for v in a.vehicles) == list(range(LARGE_VEHICLES))
    assert sorted(n for a in areas for n in a.nodes) == list(range(2, problem.n_nodes))
    for area in areas:
        work = sum(int(problem.service_s[n]) for n in area.nodes)
        if area.vehicles:
            assert work >= 2 * 4 * H, f"sub-area of {len(area.nodes)} places has a unit"
    # the outlier shares a sub-area with many places, not a unit of its own
    home = next(a for a in areas if outlier in a.nodes)
    assert len(home.nodes) > 100


@pytest.mark.parametrize("units", [LARGE_VEHICLES, 12])
def test_every_unit_patrols_at_least_90_percent_of_its_shift(units: int) -> None:
    problem = outlier_instance(n_units=units)
    solution = solve_large(problem, time_limit_s=20, seed=0, max_iterations=60)
    assert solution.status == "DECOMPOSED"
    shares = [(r.return_s - r.depart_s) / (4 * H) if r.stops else 0.0 for r in solution.routes]
    assert min(shares) >= 0.9, shares
    # and work remained: far from every place visited
    assert len(solution.dropped) > problem.n_nodes / 2
