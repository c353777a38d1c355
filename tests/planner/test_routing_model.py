"""Validation of routing problems on construction."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import ProblemValidationError
from planner.routing import Break, MinGap, RoutingProblem, Vehicle


def _kwargs(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "travel_s": (np.array([[0, 5, 5], [5, 0, 5], [5, 5, 0]]),),
        "service_s": np.zeros(3),
        "prize": np.array([0, 1, 1]),
        "window_open_s": np.zeros(3),
        "window_close_s": np.full(3, 100),
        "required": np.zeros(3, dtype=bool),
        "vehicles": (Vehicle(0, 0, shift_end_s=100),),
    }
    base.update(over)
    return base


def test_valid_problem_is_accepted_and_read_only() -> None:
    p = RoutingProblem(**_kwargs())  # type: ignore[arg-type]
    assert p.depots == frozenset({0})
    with pytest.raises(ValueError, match="read-only"):
        p.prize[1] = 3


@pytest.mark.parametrize(
    ("over", "pattern"),
    [
        ({"prize": np.array([0, -1, 1])}, r"prize\[1\]: negative value -1"),
        ({"service_s": np.zeros(2)}, r"service_s: expected shape \(3,\), got \(2,\)"),
        ({"travel_s": (np.zeros((3, 2)),)}, r"travel_s\[0\]: expected shape \(3, 3\)"),
        ({"vehicles": (Vehicle(0, 7),)}, r"vehicles\[0\].end_node: node 7 is not in 0..2"),
        ({"vehicles": (Vehicle(0, 0, profile=2),)}, r"vehicles\[0\].profile: 2"),
        (
            {"window_open_s": np.array([0, 50, 0]), "window_close_s": np.array([9, 10, 9])},
            r"window_open_s\[1\] = 50 is after window_close_s\[1\] = 10",
        ),
        ({"min_gaps": (MinGap(1, 1, 5),)}, r"min_gaps\[0\]: nodes \(1, 1\)"),
        ({"required": np.array([True, False, False])}, r"depot node 0 cannot be a required"),
        ({"vehicles": (Vehicle(0, 0, breaks=(Break(5, 10, 2),)),)}, r"breaks\[0\]"),
        ({"allowed_vehicles": (None, frozenset({4}), None)}, r"unknown vehicle indices \[4\]"),
    ],
)
def test_malformed_fields_are_named(over: dict[str, object], pattern: str) -> None:
    with pytest.raises(ProblemValidationError, match=pattern):
        RoutingProblem(**_kwargs(**over))  # type: ignore[arg-type]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ProblemValidationError) as info:
        RoutingProblem(**_kwargs(prize=np.array([0, -1, -1]), service_s=np.zeros(4)))  # type: ignore[arg-type]
    assert len(info.value.problems) == 2
