"""Planning a shift from tasks and units: each duty kind, windows, breaks, stations, modes."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString

from geo.network.modes import Mode
from planner.errors import PlanningError
from planner.plan import PatrolPlan, order_overlap, plan_patrols, plan_variants
from planner.problem import UNREACHABLE_S, PatrolProblem, compile_problem
from planner.tasks import Task, TaskKind
from planner.travel import StreetTravel
from planner.units import Break, Unit, parse_mode

H = 3600
FOOT_MPS = 4.5 / 3.6


def foot_s(metres: float) -> int:
    """Straight-line foot time of the fallback (× 1.3 detour), rounded up."""
    return math.ceil(metres * 1.3 / FOOT_MPS)


def unit(uid: str, mode: Mode = Mode.FOOT, station: str = "north", **kw: object) -> Unit:
    return Unit(uid, mode, station, station, kw.pop("start", 16 * H), kw.pop("end", 24 * H), **kw)  # type: ignore[arg-type]


def hotspot(tid: str, x: float, y: float, prize: float = 10.0, **kw: object) -> Task:
    return Task(tid, TaskKind.HOTSPOT, tid, x, y, dwell_s=720, prize=prize, **kw)  # type: ignore[arg-type]


def stops_of(plan: PatrolPlan) -> dict[str, tuple[str, int, int]]:
    """task id -> (unit, arrival, departure)."""
    return {
        s.task_id: (r.unit_id, s.arrival_s, s.departure_s) for r in plan.routes for s in r.stops
    }


def test_hotspots_are_visited_with_the_koper_dwell(travel, stations) -> None:
    tasks = (hotspot("a", 500, 0), hotspot("b", 1000, 0), hotspot("c", 1000, 500))
    problem = PatrolProblem(tasks, (unit("F1"),), stations)
    plan = plan_patrols(problem, travel, time_limit_s=1, seed=0, max_iterations=50)
    visits = stops_of(plan)
    assert set(visits) == {"a", "b", "c"}
    assert all(dep - arr == 720 for _, arr, dep in visits.values())
    assert plan.risk_share == pytest.approx(1.0)
    # The first stop is reached no earlier than the walk from the station allows.
    first = plan.routes[0].stops[0]
    assert first.arrival_s >= 16 * H + foot_s(math.hypot(first.x, first.y))


def test_post_is_held_for_its_whole_window(travel, stations) -> None:
    post = Task(
        "exit",
        TaskKind.POST,
        "Station exit",
        800,
        0,
        dwell_s=2 * H,
        prize=5,
        required=True,
        window_open_s=17 * H,
        window_close_s=17 * H,
    )
    problem = PatrolProblem((post, hotspot("h", 400, 300)), (unit("F1"),), stations)
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    _, arrive, leave = stops_of(plan)["exit"]
    assert (arrive, leave) == (17 * H, 19 * H)


def test_line_task_is_walked_end_to_end(travel, stations) -> None:
    road = LineString([(0, 500), (1000, 500)])
    line = Task("road", TaskKind.LINE, "Main road", 0, 500, line=road, prize=8, required=True)
    after = hotspot("after", 1000, 900, prize=1)
    problem = PatrolProblem((line, after), (unit("F1"),), stations)
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    route = plan.routes[0]
    assert [s.task_id for s in route.stops] == ["road", "after"]
    walk_line = math.ceil(1000 / FOOT_MPS)
    # Leaving the line's far end (1000, 500) for (1000, 900) takes 400 m of walking.
    assert route.stops[1].arrival_s >= route.stops[0].arrival_s + walk_line + foot_s(400)
    # The route's distance includes the line itself.
    assert route.distance_m >= 1000 + 500


def test_time_window_of_a_school_gate_is_met(travel, stations) -> None:
    gate = Task(
        "school",
        TaskKind.POST,
        "School gate",
        600,
        600,
        dwell_s=720,
        prize=3,
        window_open_s=18 * H,
        window_close_s=18 * H + 1800,
    )
    problem = PatrolProblem((gate,), (unit("F1"),), stations)
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    _, arrive, _ = stops_of(plan)["school"]
    assert 18 * H <= arrive <= 18 * H + 1800


def test_meal_break_is_taken_inside_its_window(travel, stations) -> None:
    brk = Break(19 * H, 20 * H, 1800)
    tasks = tuple(hotspot(f"h{i}", 300 * i, 200) for i in range(1, 8))
    problem = PatrolProblem(tasks, (unit("F1", breaks=(brk,)),), stations)
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    (taken,) = plan.routes[0].breaks
    assert 19 * H <= taken.start_s <= 20 * H
    assert taken.duration_s == 1800
    for stop in plan.routes[0].stops:  # no visit overlaps the break
        assert stop.departure_s <= taken.start_s or stop.arrival_s >= taken.start_s + 1800


def test_units_start_and_end_at_their_own_stations(travel, stations) -> None:
    tasks = (hotspot("near-north", 200, 100), hotspot("near-south", 2800, 100))
    units = (
        unit("N", start=16 * H, end=17 * H),
        unit("S", station="south", start=16 * H, end=17 * H),
    )
    plan = plan_patrols(
        PatrolProblem(tasks, units, stations), travel, time_limit_s=1, max_iterations=50
    )
    visits = stops_of(plan)
    assert visits["near-north"][0] == "N"
    assert visits["near-south"][0] == "S"
    south = next(r for r in plan.routes if r.unit_id == "S")
    assert (south.start_station, south.end_station) == ("south", "south")
    assert south.legs[0].coords[0] == pytest.approx((3000.0, 0.0))
    assert south.legs[-1].coords[-1] == pytest.approx((3000.0, 0.0))


def test_mixed_modes_respect_allowed_modes_and_car_speed(travel, stations) -> None:
    far = hotspot("far", 2900, 2900, prize=20, modes=frozenset({Mode.CAR}))
    near = hotspot("near", 300, 0, prize=1)
    units = (unit("F1", start=16 * H, end=18 * H), unit("C1", Mode.CAR, start=16 * H, end=18 * H))
    plan = plan_patrols(
        PatrolProblem((far, near), units, stations), travel, time_limit_s=1, max_iterations=50
    )
    assert stops_of(plan)["far"][0] == "C1"
    compiled = compile_problem(PatrolProblem((far, near), units, stations), travel)
    foot, car = (compiled.routing.travel_s[compiled.modes.index(m)] for m in (Mode.FOOT, Mode.CAR))
    assert car[0, 2] < foot[0, 2]  # node 0 = station north, node 2 = task "far"
    assert compiled.routing.allowed_vehicles is not None
    assert compiled.routing.allowed_vehicles[2] == frozenset({1})


def test_repeat_visits_keep_their_spacing(travel, stations) -> None:
    first = hotspot("spot#1", 500, 0, prize=10, place_id="spot", repeat=0)
    second = hotspot("spot#2", 500, 0, prize=5, place_id="spot", repeat=1, min_gap_s=H)
    third = hotspot("spot#3", 500, 0, prize=2.5, place_id="spot", repeat=2, min_gap_s=H)
    problem = PatrolProblem((first, second, third), (unit("F1"),), stations)
    compiled = compile_problem(problem, travel)
    assert [(g.node_a, g.node_b, g.gap_s) for g in compiled.routing.min_gaps] == [
        (2, 3, H),
        (3, 4, H),
    ]
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    visits = stops_of(plan)
    assert len(visits) == 3
    assert visits["spot#2"][1] >= visits["spot#1"][1] + H
    assert visits["spot#3"][1] >= visits["spot#2"][1] + H


def test_required_coverage_floor_is_always_visited(travel, stations) -> None:
    floor = tuple(
        Task(
            f"area:{k}",
            TaskKind.AREA,
            f"Area {k}",
            400 * k,
            1500,
            dwell_s=300,
            prize=0.1,
            required=True,
        )
        for k in range(5)
    )
    rich = tuple(hotspot(f"h{k}", 100 * k, 50, prize=100) for k in range(10))
    problem = PatrolProblem(floor + rich, (unit("F1", start=16 * H, end=19 * H),), stations)
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    visited = set(stops_of(plan))
    assert {t.task_id for t in floor} <= visited


def test_impossible_required_post_is_named(travel, stations) -> None:
    far_post = Task(
        "far-post",
        TaskKind.POST,
        "Far checkpoint",
        20_000,
        0,
        dwell_s=600,
        required=True,
        window_open_s=16 * H + 60,
        window_close_s=16 * H + 120,
    )
    problem = PatrolProblem((far_post, hotspot("h", 100, 0)), (unit("F1"),), stations)
    with pytest.raises(PlanningError, match="far-post"):
        plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)
    plan = plan_patrols(problem, travel, time_limit_s=1, max_iterations=50, on_infeasible="drop")
    (dropped,) = plan.dropped
    assert dropped.task_id == "far-post" and dropped.required
    assert "impossible" in dropped.reason
    assert "h" in stops_of(plan)


def test_more_required_work_than_hours_is_refused(travel, stations) -> None:
    posts = tuple(
        Task(f"p{k}", TaskKind.POST, f"Post {k}", 100 * k, 0, dwell_s=3 * H, required=True)
        for k in range(4)
    )
    problem = PatrolProblem(posts, (unit("F1", start=16 * H, end=24 * H),), stations)
    with pytest.raises(PlanningError):
        plan_patrols(problem, travel, time_limit_s=1, max_iterations=50)


def test_same_seed_gives_the_same_plan(travel, stations) -> None:
    tasks = tuple(
        hotspot(f"h{k}", (k * 373) % 2500, (k * 611) % 2000, prize=1 + k % 5) for k in range(25)
    )
    units = (unit("F1"), unit("F2", station="south"))
    problem = PatrolProblem(tasks, units, stations)
    a = plan_patrols(problem, travel, time_limit_s=2, seed=3, max_iterations=40)
    b = plan_patrols(problem, travel, time_limit_s=2, seed=3, max_iterations=40)
    assert a.stop_order() == b.stop_order()
    assert [s.arrival_s for r in a.routes for s in r.stops] == [
        s.arrival_s for r in b.routes for s in r.stops
    ]


def test_variants_differ_in_order_and_stay_near_the_best(travel, stations) -> None:
    tasks = tuple(
        hotspot(f"h{k}", (k * 373) % 2500, (k * 611) % 2000, prize=1 + k % 3) for k in range(18)
    )
    problem = PatrolProblem(tasks, (unit("F1", start=16 * H, end=20 * H),), stations)
    plans = plan_variants(problem, travel, 3, time_limit_s=3, seed=0)
    assert len(plans) >= 2
    best = plans[0].prize
    for other in plans[1:]:
        assert other.prize >= 0.97 * best
        assert other.stop_order() != plans[0].stop_order()
        assert order_overlap(plans[0], other) < 1.0
    assert order_overlap(plans[0], plans[0]) == 1.0


def test_presence_is_reported_per_cell(travel, stations) -> None:
    tasks = (
        hotspot("a", 500, 0, cell_id="c1"),
        hotspot("b", 600, 0, cell_id="c1"),
        hotspot("c", 900, 0, cell_id="c2"),
    )
    plan = plan_patrols(
        PatrolProblem(tasks, (unit("F1"),), stations), travel, time_limit_s=1, max_iterations=50
    )
    assert plan.presence_min_by_cell == {"c1": 24.0, "c2": 12.0}


def test_problem_validation_names_every_problem(stations) -> None:
    tasks = (hotspot("a", 0, 0), hotspot("a", 1, 1))
    with pytest.raises(PlanningError, match=r"'a' is used twice.*'nowhere'"):
        PatrolProblem(tasks, (unit("F1", station="nowhere"),), stations)


def test_out_of_reach_matrix_entries_are_marked(stations) -> None:
    class HalfReach(StreetTravel):
        def reachable(self, mode, x, y):  # type: ignore[no-untyped-def]
            reach = super().reachable(mode, x, y)
            if mode is Mode.CAR:
                reach = reach & (x < 5000)
            return reach

    tasks = (hotspot("park", 9000, 0), hotspot("street", 1000, 0))
    units = (unit("F1"), unit("C1", Mode.CAR))
    compiled = compile_problem(PatrolProblem(tasks, units, stations), HalfReach())
    car = compiled.routing.travel_s[compiled.modes.index(Mode.CAR)]
    assert car[0, 2] == UNREACHABLE_S
    assert compiled.routing.allowed_vehicles is not None
    assert compiled.routing.allowed_vehicles[2] == frozenset({0})


@pytest.mark.parametrize(
    ("text", "mode"),
    [("walk", Mode.FOOT), ("步巡", Mode.FOOT), ("Bike", Mode.BICYCLE), ("车巡", Mode.CAR)],
)
def test_mode_synonyms(text: str, mode: Mode) -> None:
    assert parse_mode(text) is mode


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="horse"):
        parse_mode("horse")
