"""Parsers, adapters and floating-point checks of the routing benchmark."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.instances import check_routes, parse_optw, parse_top, read_bks, to_problem

TOP = """n 4
m 2
tmax 10.0
0.0 0.0 0
3.0 4.0 10
0.0 1.5 5
1.0 0.0 0
"""

OPTW = """4 2 3 1
0 200
  0 0.0 0.0 0.0 0 0 0 0 100
  1 1.0 1.0 5.0 10 1 1 1 0 50
  2 3.0 0.0 5.0 20 1 1 1 20 30
  3 0.0 2.0 5.0 30 1 1 1 80 90
"""


def test_parse_top_reads_header_and_vertices() -> None:
    inst = parse_top(TOP, "tiny")
    assert (inst.n, inst.n_vehicles, inst.tmax) == (4, 2, 10.0)
    assert (inst.start, inst.end) == (0, 3)
    assert inst.score == (0.0, 10.0, 5.0, 0.0)


def test_parse_top_rejects_missing_header() -> None:
    with pytest.raises(ValueError, match="missing 'tmax'"):
        parse_top("n 2\nm 1\nfoo 3\n0 0 0\n1 1 0\n", "bad")


def test_parse_optw_reads_windows_service_and_budget() -> None:
    inst = parse_optw(OPTW, "tiny")
    assert inst.n == 4 and inst.tmax == 100.0
    assert inst.open[2] == 20.0 and inst.close[2] == 30.0
    assert inst.service[1] == 5.0 and inst.score[3] == 30.0


def test_top_adapter_rounds_travel_up_and_budget_down() -> None:
    p = to_problem(parse_top(TOP, "tiny"))
    assert p.travel_s[0][0, 1] == 50_000  # exactly 5.0
    assert p.travel_s[0][1, 2] == math.ceil(math.hypot(3, 2.5) * 10_000)
    assert p.vehicles[0].shift_end_s == 100_000 and len(p.vehicles) == 2


def test_optw_adapter_truncates_to_one_decimal() -> None:
    p = to_problem(parse_optw(OPTW, "tiny"))
    assert p.travel_s[0][0, 1] == 14  # sqrt(2) = 1.414 -> 1.4
    assert p.window_open_s[2] == 200 and p.service_s[1] == 50


def test_check_routes_scores_feasible_and_zeroes_infeasible() -> None:
    top = parse_top(TOP, "tiny")
    assert check_routes(top, [[2], []]) == (5.0, [])
    score, problems = check_routes(top, [[1, 2]])
    assert score == 0.0 and "length" in problems[0]
    optw = parse_optw(OPTW, "tiny")
    assert check_routes(optw, [[1, 2]])[0] == 30.0
    score, problems = check_routes(optw, [[3, 2]])
    assert score == 0.0 and any("close" in m for m in problems)


def test_read_bks_handles_empty_values(tmp_path: Path) -> None:
    f = tmp_path / "bks.csv"
    f.write_text("instance,n_customers,vehicles,tmax,bks,status\nr1,3,1,5,,open\nr2,3,2,5,7,x\n")
    bks, vehicles = read_bks(f)
    assert bks == {"r1": None, "r2": 7.0} and vehicles == {"r1": 1, "r2": 2}
