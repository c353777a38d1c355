"""Units on duty: who patrols, by which mode, from which station, in which hours.

Times are seconds from local midnight of the plan date (a night shift 22:00-06:00 runs from
79,200 s to 108,000 s), so windows, shifts and breaks share one integer axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.network.modes import Mode, parse_mode

__all__ = ["Break", "Mode", "Unit", "parse_mode"]


@dataclass(frozen=True)
class Break:
    """A meal break: ``duration_s`` starting no earlier than ``earliest_s``, no later than
    ``latest_s``."""

    earliest_s: int
    latest_s: int
    duration_s: int

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ValueError(f"break duration_s must be positive, got {self.duration_s}")
        if self.latest_s < self.earliest_s:
            raise ValueError(
                f"break window ends before it starts: earliest_s={self.earliest_s}, "
                f"latest_s={self.latest_s}"
            )


@dataclass(frozen=True)
class Unit:
    """One patrol unit (a car crew, a foot pair, a cyclist).

    Attributes
    ----------
    unit_id
        Unique id shown on route sheets.
    mode
        Foot, bicycle or car.
    start_station, end_station
        Station ids (``geo.schema.STATION_ID``) the unit leaves from and returns to.
    shift_start_s, shift_end_s
        Seconds from local midnight of the plan date.
    breaks
        Meal breaks to fit into the route.
    skills
        Tags a task may require (e.g. ``"outer"`` for outer cells only cars serve).
    crew
        People in the unit (2 in a car, 1 on foot by default).
    """

    unit_id: str
    mode: Mode
    start_station: str
    end_station: str
    shift_start_s: int
    shift_end_s: int
    breaks: tuple[Break, ...] = ()
    skills: frozenset[str] = field(default_factory=frozenset)
    crew: int = 1

    def __post_init__(self) -> None:
        if self.shift_end_s <= self.shift_start_s:
            raise ValueError(
                f"unit {self.unit_id!r}: shift ends ({self.shift_end_s} s) before it starts "
                f"({self.shift_start_s} s)"
            )
        if self.crew < 1:
            raise ValueError(f"unit {self.unit_id!r}: crew must be at least 1, got {self.crew}")
        for brk in self.breaks:
            if (
                brk.earliest_s < self.shift_start_s
                or brk.latest_s + brk.duration_s > self.shift_end_s
            ):
                raise ValueError(
                    f"unit {self.unit_id!r}: break window {brk.earliest_s}-{brk.latest_s} s "
                    f"(+{brk.duration_s} s) does not fit the shift "
                    f"{self.shift_start_s}-{self.shift_end_s} s"
                )

    @property
    def shift_length_s(self) -> int:
        return self.shift_end_s - self.shift_start_s
