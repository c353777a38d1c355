"""Routing core: team orienteering with time windows, skills, breaks and minimum gaps.

Build a :class:`RoutingProblem`, call :func:`solve` (or :func:`solve_varied` for several
different good plans) and get a :class:`RoutingSolution` that :func:`verify` has accepted.
"""

from planner.routing.model import (
    Break,
    BreakPlacement,
    MinGap,
    Route,
    RoutingProblem,
    RoutingSolution,
    Stop,
    Vehicle,
)
from planner.routing.solver import precheck, solve, solve_varied
from planner.routing.verify import verify

__all__ = [
    "Break",
    "BreakPlacement",
    "MinGap",
    "Route",
    "RoutingProblem",
    "RoutingSolution",
    "Stop",
    "Vehicle",
    "precheck",
    "solve",
    "solve_varied",
    "verify",
]
