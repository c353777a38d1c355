"""Patrol tasks: the places to visit or hold in a shift (点 points, 线 lines, 面 areas, hotspots).

A :class:`Task` is where a unit must or should be, for how long, in which hours and with what
value. Tasks are built from the hotspot table, from a duties file (posts, lines, windows) and
from the coverage floor over areas; :mod:`planner.problem` turns them into a routing problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shapely.geometry import LineString

from geo.network.modes import Mode


class TaskKind(StrEnum):
    """The duty a task stands for."""

    HOTSPOT = "hotspot"  # a risk place, visited with a dwell (Koper curve)
    POST = "post"  # a fixed post or checkpoint held for a window (点)
    LINE = "line"  # a road segment walked or driven end to end (线)
    AREA = "area"  # the coverage floor: a walk through a sector's streets, or a visit (面)


@dataclass(frozen=True)
class Task:
    """One place a unit must or should be.

    Attributes
    ----------
    task_id
        Unique id; repeat visits of one place share ``place_id`` and differ in ``repeat``.
    kind
        What duty this is.
    label
        Human name shown on maps and sheets.
    x, y
        Where the task starts, in the working CRS (metres).
    dwell_s
        Time spent at the place (a post's holding time; 0 for a line, whose traversal time
        depends on the mode and is added when the problem is built).
    prize
        Value of doing it (risk covered); the solver maximises the sum over visited tasks.
    required
        Must be done; a plan that cannot do it fails with a planning error naming the task.
    window_open_s, window_close_s
        Arrival window in seconds from local midnight of the plan date (``None``: any time).
    modes
        Modes allowed to serve it (``None``: any mode).
    skills
        Skills a unit must have to serve it.
    line
        The street segment of a line task, in the working CRS; the task ends at its far end.
    cell_id, area_id
        The grid cell and official area the task lies in, for presence reporting.
    place_id
        Shared by the repeat visits of one place.
    repeat
        0 for the first visit, 1 for the second, ...
    min_gap_s
        Minimum time between the starts of consecutive repeat visits of ``place_id``.
    cell_path
        For a walk (line or sector): the grid cells it passes through in order with the
        share of its length in each (:func:`planner.walks.cell_path`), so presence along it
        is counted where it happens. Empty: presence counts in ``cell_id``.
    """

    task_id: str
    kind: TaskKind
    label: str
    x: float
    y: float
    dwell_s: int = 0
    prize: float = 0.0
    required: bool = False
    window_open_s: int | None = None
    window_close_s: int | None = None
    modes: frozenset[Mode] | None = None
    skills: frozenset[str] = field(default_factory=frozenset)
    line: LineString | None = None
    cell_id: str | None = None
    area_id: str | None = None
    place_id: str | None = None
    repeat: int = 0
    min_gap_s: int = 0
    cell_path: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if self.dwell_s < 0:
            raise ValueError(f"task {self.task_id!r}: dwell_s must be >= 0, got {self.dwell_s}")
        if self.prize < 0:
            raise ValueError(f"task {self.task_id!r}: prize must be >= 0, got {self.prize}")
        if (self.window_open_s is None) != (self.window_close_s is None):
            raise ValueError(
                f"task {self.task_id!r}: give both window_open_s and window_close_s or neither"
            )
        if (
            self.window_open_s is not None
            and self.window_close_s is not None
            and self.window_close_s < self.window_open_s
        ):
            raise ValueError(
                f"task {self.task_id!r}: window closes ({self.window_close_s} s) before it "
                f"opens ({self.window_open_s} s)"
            )
        if self.kind is TaskKind.LINE and self.line is None:
            raise ValueError(f"task {self.task_id!r}: a line task needs its line geometry")

    @property
    def end_xy(self) -> tuple[float, float]:
        """Where the task ends: the far end of a line, else the place itself."""
        if self.line is not None:
            x, y = self.line.coords[-1][:2]
            return float(x), float(y)
        return self.x, self.y

    def served_by(self, mode: Mode, skills: frozenset[str]) -> bool:
        """Whether a unit with ``mode`` and ``skills`` may do this task."""
        mode_ok = self.modes is None or mode in self.modes
        return mode_ok and self.skills <= skills
