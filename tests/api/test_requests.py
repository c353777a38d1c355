"""One definition of the planning options: the request model, its bounds and the CLI flags."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

from api.cli.params import plan_parameter_options, validation_message
from api.requests import PLAN_FLAGS, PlanParameters, plan_options, units_for
from geo.errors import GeoInputError
from planner.defaults import DEFAULT_SHIFT, DEFAULT_UNIT_COUNTS


def test_defaults_come_from_the_planner() -> None:
    params = PlanParameters()
    assert params.band == DEFAULT_SHIFT
    options = plan_options(params)
    assert options.shift.name == DEFAULT_SHIFT
    units = units_for(params, ["a", "b"])
    assert len(units) == sum(DEFAULT_UNIT_COUNTS.values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("band", "evening"),
        ("band", "25-02"),
        ("cell_size_m", 10.0),
        ("top", 0),
        ("dwell_min", 0.5),
        ("time_limit_s", 0.0),
        ("time_limit_s", 99999.0),
        ("vary", 0),
        ("vary", 99),
        ("max_iterations", 0),
        ("on_infeasible", "skip"),
        ("grid", "triangle"),
        ("unit_counts", "car=1," * 100),
    ],
)
def test_every_field_is_bounded(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        PlanParameters(**{field: value})  # type: ignore[arg-type]
    message = validation_message(info.value, PLAN_FLAGS)
    assert message.startswith(PLAN_FLAGS[field] + ":"), message


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        PlanParameters(bandd="18-02")  # type: ignore[call-arg]


def test_a_band_crossing_midnight_is_a_shift() -> None:
    assert PlanParameters(band=" 18-02 ").shift.name == "18-02"
    assert plan_options(PlanParameters(band="22-06")).shift.duration_h == 8


def test_too_many_units_per_mode_are_refused_before_planning() -> None:
    with pytest.raises(GeoInputError, match="more than 50 units"):
        units_for(PlanParameters(unit_counts="car=1000000000"), ["a"])


def test_cli_options_are_generated_from_the_model() -> None:
    def command(params: PlanParameters, out: str = "x") -> PlanParameters:
        return params

    wrapped = plan_parameter_options(command)
    names = set(inspect.signature(wrapped).parameters)
    assert set(PlanParameters.model_fields) <= names and "out" in names
    assert "params" not in names
    got = wrapped(**{"band": "22-06", "vary": 2, "out": "y"})
    assert got == PlanParameters(band="22-06", vary=2)


def test_flags_are_the_documented_ones() -> None:
    assert PLAN_FLAGS["cell_size_m"] == "--cell-size"
    assert PLAN_FLAGS["plan_date"] == "--date"
    assert PLAN_FLAGS["dwell_min"] == "--dwell"
    assert PLAN_FLAGS["on_infeasible"] == "--on-infeasible"
