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
        lines += [f"  - {p}" for p in self.problems[: self.max_listed]]
        if len(self.problems) > self.max_listed:
            lines.append(f"  ... and {len(self.problems) - self.max_listed} more")
        super().__init__("\n".join(lines))


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
