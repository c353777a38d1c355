"""Errors raised by the ``geo`` package.

Every error subclasses a built-in (mostly ``ValueError``) so that plain ``except ValueError``
still works. Input checks collect **every** problem first and raise once with all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the format allows.

    Parameters
    ----------
    source
        The file name (or argument name) the problem is in.
    message
        What was wrong and what was expected.
    row
        1-based data row (CSV, not counting the header) or feature number; ``None`` when the
        problem concerns the whole file.
    column
        The column or field name, when one is to blame.
    value
        The offending value as text, quoted in the message when given.
    """

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        return text

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "source": self.source,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class GeoInputError(ValueError):
    """Input that cannot be used as it is; carries every :class:`Problem` found.

    The message lists the first problems (all of them are in :attr:`problems`).
    """

    max_listed = 20

    def __init__(self, problems: Sequence[Problem], summary: str | None = None) -> None:
        if not problems:
            raise ValueError("GeoInputError needs at least one Problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        head = summary or f"{len(self.problems)} problem(s) in the input"
        lines = [head + ":"]
        shown = condense_problems(self.problems)
        lines += [f"  - {p}" for p in shown[: self.max_listed]]
        if len(shown) > self.max_listed:
            lines.append(f"  ... and {len(shown) - self.max_listed} more")
        super().__init__("\n".join(lines))


#: Rows named in a condensed problem before "...".
FIRST_ROWS_SHOWN = 5


def condense_problems(problems: Sequence[Problem]) -> list[Problem]:
    """The problems with every message repeated on several rows shown once.

    Row problems with the same source, column and message become one problem that says on
    how many rows it occurs and names the first of them (the value quoted is the first row's);
    a problem met once is kept as it is. The order is that of the first occurrence.

    Parameters
    ----------
    problems
        Problems as a reader raised them (file-level ones first, then by row).
    """
    groups: dict[tuple[str, str | None, str, bool], list[Problem]] = {}
    for problem in problems:
        key = (problem.source, problem.column, problem.message, problem.row is None)
        groups.setdefault(key, []).append(problem)
    out: list[Problem] = []
    for group in groups.values():
        first = group[0]
        rows = [p.row for p in group if p.row is not None]
        if len(rows) < 2:
            out.extend(group)
            continue
        listed = ", ".join(str(r) for r in rows[:FIRST_ROWS_SHOWN])
        more = ", ..." if len(rows) > FIRST_ROWS_SHOWN else ""
        out.append(
            Problem(
                first.source,
                f"{first.message} [on {len(rows)} rows: {listed}{more}]",
                row=first.row,
                column=first.column,
                value=first.value,
            )
        )
    return out


class CRSMismatchError(GeoInputError):
    """Layers given in different coordinate reference systems where one was required."""


class NetworkError(ValueError):
    """A street network that cannot be loaded or routed on (empty, disconnected, unreadable)."""


class SampleNotFoundError(KeyError):
    """An unknown sample district name."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "unknown sample"


def raise_if_problems(problems: Iterable[Problem], summary: str | None = None) -> None:
    """Raise one :class:`GeoInputError` carrying all ``problems`` if there are any."""
    found = list(problems)
    if found:
        raise GeoInputError(found, summary)


class GeoInputWarning(UserWarning):
    """Input that was usable after a repair the user should know about (e.g. fixed polygons)."""
