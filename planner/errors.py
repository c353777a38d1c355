"""Errors raised by the ``planner`` package.

Every error subclasses ``ValueError`` so that plain ``except ValueError`` still works;
messages name the field, node or vehicle concerned and the value found.
"""

from __future__ import annotations

from collections.abc import Sequence


class PlanningError(ValueError):
    """A planning request that cannot be turned into a valid plan.

    Parameters
    ----------
    message
        What was wrong, naming the nodes, tasks or vehicles concerned and the reason.
    nodes
        Node indices the error is about (empty when it concerns the whole problem).
    """

    def __init__(self, message: str, nodes: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.nodes: tuple[int, ...] = tuple(int(n) for n in nodes)


class ProblemValidationError(PlanningError):
    """A routing problem whose fields are malformed; lists every problem found at once.

    Parameters
    ----------
    problems
        One line per problem, each naming the field and the value it had.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        text = "; ".join(self.problems)
        super().__init__(f"invalid routing problem ({len(self.problems)} problem(s)): {text}")


class InfeasibleError(PlanningError):
    """No plan satisfies the hard constraints (required visits, windows, shifts, breaks).

    Parameters
    ----------
    message
        The reason, naming the nodes concerned.
    status
        Name of the solver status or of the check that failed (e.g. ``"PRECHECK"``,
        ``"ROUTING_FAIL_TIMEOUT"``).
    nodes
        Node indices the error is about.
    """

    def __init__(self, message: str, status: str, nodes: Sequence[int] = ()) -> None:
        super().__init__(f"{message} [status: {status}]", nodes)
        self.status = status


class VerificationError(PlanningError):
    """A plan produced by the solver failed the independent verifier: a bug, never an output.

    Parameters
    ----------
    violations
        The verifier's findings.
    """

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations: tuple[str, ...] = tuple(violations)
        shown = "; ".join(self.violations[:10])
        more = f" (+{len(self.violations) - 10} more)" if len(self.violations) > 10 else ""
        super().__init__(f"solver returned a plan that fails verification: {shown}{more}")
