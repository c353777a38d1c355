"""Norm headcount from population: 1.5 per 1,000 full-time, 8 % volunteers, pay, overrides."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner.staffing.norms import NormPolicy, NormRates, norm_for_population, norms_from_areas


def test_default_norm_arithmetic() -> None:
    exact, fulltime, volunteers, pay = norm_for_population(12_000)
    assert exact == pytest.approx(18.0)
    assert fulltime == 18
    assert volunteers == 960
    assert pay == pytest.approx(18 * 800.0)


def test_headcounts_round_up_because_norms_are_a_floor() -> None:
    _, fulltime, volunteers, pay = norm_for_population(1_001)
    assert fulltime == 2  # 1.5015 -> 2
    assert volunteers == 81  # 80.08 -> 81
    assert pay == pytest.approx(1_600.0)
    # No spurious round-up from float error: 2,000 residents give exactly 3.
    assert norm_for_population(2_000)[1] == 3


def test_areas_without_population_are_reported_not_guessed() -> None:
    areas = pd.DataFrame(
        {"area_id": ["a", "b", "c"], "name": ["A", "B", "C"], "population": [4000, None, 0]}
    )
    table = norms_from_areas(areas)
    by_id = table.by_id()
    assert by_id["a"].fulltime == 6 and by_id["a"].volunteers == 320
    assert by_id["b"].fulltime is None and by_id["b"].population is None
    assert by_id["c"].fulltime == 0
    assert table.missing == ("b",)
    assert table.fulltime == 6 and table.monthly_pay == pytest.approx(4800.0)
    assert any("1 of 3 areas have no population" in n and "b" in n for n in table.notes)


def test_no_population_at_all_says_so() -> None:
    table = norms_from_areas(pd.DataFrame({"area_id": ["x", "y"]}))
    assert table.missing == ("x", "y")
    # Unknown, not a norm of nobody: no total is 0 when no area has population.
    assert table.fulltime is None
    assert table.volunteers is None
    assert table.monthly_pay is None
    assert table.population is None
    assert any("None of the 2 areas has resident population" in n for n in table.notes)


def test_totals_are_over_the_areas_with_population_only() -> None:
    areas = pd.DataFrame({"area_id": ["a", "b", "c"], "population": [2000, None, 0]})
    table = norms_from_areas(areas)
    assert [a.area_id for a in table.with_population] == ["a", "c"]
    assert table.population == pytest.approx(2000.0)
    assert table.fulltime == 3  # an area of 0 residents has a norm of 0: it is known
    assert table.volunteers == 160


def test_rates_per_area_type_and_jurisdiction() -> None:
    rural = NormRates(fulltime_per_1000=1.0, volunteer_share=0.05)
    special = NormRates(fulltime_per_1000=3.0, monthly_pay_per_fulltime=1000.0)
    policy = NormPolicy(overrides={(None, "rural"): rural, ("county-b", None): special})
    areas = pd.DataFrame(
        {
            "area_id": ["u", "r", "rb"],
            "population": [10_000, 10_000, 10_000],
            "area_type": ["urban", "rural", "rural"],
            "jurisdiction": ["county-a", "county-a", "county-b"],
        }
    )
    got = {a.area_id: a for a in norms_from_areas(areas, policy).areas}
    assert got["u"].fulltime == 15 and got["u"].volunteers == 800
    assert got["r"].fulltime == 10 and got["r"].volunteers == 500
    # The jurisdiction's rates win over the area type's.
    assert got["rb"].fulltime == 30 and got["rb"].monthly_pay == pytest.approx(30_000.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fulltime_per_1000": -1.0}, "fulltime_per_1000"),
        ({"volunteer_share": 1.5}, "volunteer_share"),
        ({"monthly_pay_per_fulltime": math.nan}, "monthly_pay_per_fulltime"),
    ],
)
def test_bad_rates_name_the_argument(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        NormRates(**kwargs)  # type: ignore[arg-type]


def test_negative_population_names_the_area() -> None:
    with pytest.raises(ValueError, match="area 'z'"):
        norms_from_areas(pd.DataFrame({"area_id": ["z"], "population": [-5]}))
