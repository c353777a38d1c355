"""``--objective presence|tasks``: one field of the plan request, shared by the CLI and service."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

from api.cli.params import plan_parameter_options, validation_message
from api.requests import PLAN_FLAGS, PlanParameters, plan_options
from api.service.schemas import PlanCreate


def test_presence_is_the_default_and_tasks_reaches_the_planner() -> None:
    assert PlanParameters().objective == "presence"
    assert plan_options(PlanParameters()).objective == "presence"
    assert plan_options(PlanParameters(objective="tasks")).objective == "tasks"


def test_a_bad_objective_names_the_flag_and_the_choices() -> None:
    with pytest.raises(ValidationError) as info:
        PlanParameters(objective="coverage")  # type: ignore[arg-type]
    message = validation_message(info.value, PLAN_FLAGS)
    assert message.startswith("--objective:"), message
    assert "'presence'" in message and "'tasks'" in message and "'coverage'" in message


def test_the_command_line_has_the_option() -> None:
    assert PLAN_FLAGS["objective"] == "--objective"

    def command(params: PlanParameters) -> PlanParameters:
        return params

    wrapped = plan_parameter_options(command)
    assert "objective" in inspect.signature(wrapped).parameters
    assert wrapped(objective="tasks").objective == "tasks"  # type: ignore[call-arg]


def test_the_service_request_takes_the_field_with_the_same_rule() -> None:
    assert PlanCreate.model_validate({"dataset_id": 1, "objective": "tasks"}).objective == "tasks"
    with pytest.raises(ValidationError, match="objective"):
        PlanCreate.model_validate({"dataset_id": 1, "objective": "x" * 10_000})
