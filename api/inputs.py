"""Reading the units on duty: a units CSV, or per-mode counts such as ``car=3,foot=3``.

Both are checked completely before a plan is made: every problem is reported at once in one
:class:`geo.errors.GeoInputError`, naming the file, row and column (or the bad part of the
counts) and what was expected.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import GeoInputError, Problem
from geo.io.common import (
    RowIssues,
    duplicated_ids,
    find_column,
    is_text_table,
    list_columns,
    numeric_column,
    read_text_table,
    source_name,
)
from geo.io.duties import DAY_S, clock_seconds, next_day_end
from geo.network.modes import Mode
from planner.defaults import DEFAULT_CREW, DEFAULT_UNIT_COUNTS_TEXT
from planner.units import Break, Unit, parse_mode

if TYPE_CHECKING:  # planning and hotspot stacks load only when units are made
    from geo.hotspots import TimeBand

UNIT_ID = "unit_id"
MODE = "mode"
STATION = "station"
START_STATION = "start_station"
END_STATION = "end_station"
SHIFT_START = "shift_start"
SHIFT_END = "shift_end"
BREAK_EARLIEST = "break_earliest"
BREAK_LATEST = "break_latest"
BREAK_MIN = "break_min"
SKILLS = "skills"
CREW = "crew"


EXPECTED_MODE = (
    "expected foot, bicycle or car (or a synonym: walk, bike, cycle, vehicle, drive, 步巡, "
    "自行车巡, 车巡)"
)
_EXAMPLE_COUNTS = DEFAULT_UNIT_COUNTS_TEXT


def read_units(path: Path | str, *, stations: Collection[str]) -> tuple[Unit, ...]:
    """Read and check a units file.

    Parameters
    ----------
    path
        A CSV (``.csv``/``.txt``/``.tsv``), one unit a row: ``unit_id``, ``mode`` (foot,
        bicycle, car or a synonym such as ``walk``, ``vehicle``, 车巡), ``station`` (or
        ``start_station`` and ``end_station``; a missing end is the start), ``shift_start``
        and ``shift_end`` (``HH:MM``; an end at or before the start is on the next day, so
        22:00-06:00 runs 79,200-108,000 s), optionally ``break_earliest``, ``break_latest``
        (``HH:MM``; a time before the shift start is on the next day), ``break_min``,
        ``skills`` (``;``-separated tags) and ``crew`` (people, default 2 in a car, else 1).
    stations
        The ids of the district's stations; every station named must be one of them.

    Returns
    -------
    tuple of Unit
        In file order; times in seconds from local midnight of the plan date.

    Raises
    ------
    GeoInputError
        With every problem: an empty file or one that is not a CSV, missing columns, missing
        or duplicate ids, unknown modes or stations, unparseable times, shifts longer than a
        day, incomplete breaks or breaks that do not fit the shift, crews below 1.
    """
    path = Path(path)
    source = source_name(path)
    if not is_text_table(path):
        raise GeoInputError(
            [
                Problem(
                    source,
                    f"cannot read a {path.suffix or 'suffix-less'} file as units; expected a CSV "
                    "(.csv, .tsv or .txt) with unit_id, mode, station, shift_start, shift_end",
                )
            ]
        )
    frame = read_text_table(path, text_columns=lambda header: header)
    columns = [str(c) for c in frame.columns]
    n = len(frame)
    issues = RowIssues(source, n)

    def column(*candidates: str) -> str | None:
        return find_column(columns, candidates)

    id_column = column(UNIT_ID, "id")
    mode_column = column(MODE)
    station_column = column(STATION)
    start_station_column = column(START_STATION)
    end_station_column = column(END_STATION)
    start_column = column(SHIFT_START)
    end_column = column(SHIFT_END)
    for name, found in (
        (UNIT_ID, id_column),
        (MODE, mode_column),
        (SHIFT_START, start_column),
        (SHIFT_END, end_column),
    ):
        if found is None:
            issues.add_file(f"no {name} column; columns are: {list_columns(columns)}")
    if station_column is None and start_station_column is None:
        issues.add_file(
            "no station column; expected 'station' (or 'start_station' and 'end_station'); "
            f"columns are: {list_columns(columns)}"
        )

    ids = _text(frame, id_column)
    if id_column is not None:
        issues.add_rows(
            ids.isna().to_numpy(), column=id_column, message="unit_id is missing; expected one"
        )
        duplicated_ids(ids, issues, column=id_column)
    modes = _modes(frame, mode_column, issues)
    start_station, end_station = _stations(
        frame, station_column, start_station_column, end_station_column, stations, issues
    )
    shift_start, shift_end = _shift(frame, start_column, end_column, issues)
    breaks = _breaks(
        frame,
        shift_start,
        shift_end,
        issues,
        earliest_column=column(BREAK_EARLIEST),
        latest_column=column(BREAK_LATEST),
        minutes_column=column(BREAK_MIN),
    )
    crews = _crews(frame, column(CREW), modes, issues)
    skills_column = column(SKILLS)
    skills = _text(frame, skills_column)
    issues.raise_if_any(f"{source} cannot be used as units")

    units = []
    for i in range(n):
        tags = skills.iloc[i]
        units.append(
            Unit(
                unit_id=str(ids.iloc[i]),
                mode=modes[i],
                start_station=str(start_station.iloc[i]),
                end_station=str(end_station.iloc[i]),
                shift_start_s=int(shift_start[i]),
                shift_end_s=int(shift_end[i]),
                breaks=breaks[i],
                skills=frozenset()
                if pd.isna(tags)
                else frozenset(t.strip() for t in str(tags).split(";") if t.strip()),
                crew=int(crews[i]),
            )
        )
    return tuple(units)


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """A text column stripped, blanks as missing (all missing when there is no column)."""
    if column is None:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    text = frame[column].astype("str").str.strip()
    return text.where(text.notna() & (text != ""))


def _clock(seconds: float) -> str:
    """``HH:MM``, with ``(next day)`` past midnight, for messages."""
    minutes = int(seconds) // 60
    day, minutes = divmod(minutes, 24 * 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return text + (" (next day)" if day else "")


def _modes(frame: pd.DataFrame, column: str | None, issues: RowIssues) -> list[Mode]:
    """Modes per row (foot where missing or unknown, after recording the problem)."""
    text = _text(frame, column)
    known: dict[str, Mode] = {}
    for value in text.dropna().unique():
        with contextlib.suppress(ValueError):  # unknown modes are reported below, per row
            known[value] = parse_mode(value)
    if column is not None:
        missing = text.isna().to_numpy()
        issues.add_rows(missing, column=column, message=f"mode is missing; {EXPECTED_MODE}")
        unknown = ~missing & ~text.isin(list(known)).to_numpy()
        issues.add_rows(
            unknown, column=column, message=f"unknown mode; {EXPECTED_MODE}", values=frame[column]
        )
    return [known.get(v, Mode.FOOT) if isinstance(v, str) else Mode.FOOT for v in text]


def _stations(
    frame: pd.DataFrame,
    station_column: str | None,
    start_column: str | None,
    end_column: str | None,
    stations: Collection[str],
    issues: RowIssues,
) -> tuple[pd.Series, pd.Series]:
    """Start and end station per row; a missing end is the start."""
    station = _text(frame, station_column)
    start = _text(frame, start_column).fillna(station)
    end = _text(frame, end_column).fillna(station).fillna(start)
    if station_column is None and start_column is None:
        return start, end
    known = {str(s) for s in stations}
    listed = ", ".join(sorted(known)) or "(none)"
    start_name = start_column or station_column
    issues.add_rows(
        start.isna().to_numpy(),
        column=start_name,
        message="no station; expected the id of the station the unit starts from",
    )
    end_given = _text(frame, end_column).notna()
    # An end taken from the start (or from 'station') is reported once, with the start.
    for values, name, own in (
        (start, start_name, start.notna()),
        (end, end_column, end_given),
    ):
        unknown = (own & ~values.isin(list(known))).to_numpy()
        issues.add_rows(
            unknown,
            column=name,
            message=f"unknown station; expected one of: {listed}",
            values=values,
        )
    return start, end


def _shift(
    frame: pd.DataFrame, start_column: str | None, end_column: str | None, issues: RowIssues
) -> tuple[np.ndarray, np.ndarray]:
    """Shift start and end seconds; an end at or before the start is on the next day."""
    n = len(frame)
    if start_column is None or end_column is None:
        return np.full(n, np.nan), np.full(n, np.nan)
    start = clock_seconds(frame[start_column], issues, column=start_column)
    end = clock_seconds(frame[end_column], issues, column=end_column)
    for name in (start_column, end_column):
        issues.add_rows(
            _text(frame, name).isna().to_numpy(),
            column=name,
            message="the shift time is missing; expected HH:MM",
        )
    end = next_day_end(start, end)
    too_long = np.isfinite(start) & np.isfinite(end) & ((end - start > DAY_S) | (end <= start))
    issues.add_rows(
        too_long,
        column=end_column,
        message=[
            f"the shift {_clock(s)}-{_clock(e)} is longer than 24 hours; expected an end within "
            "a day of the start"
            for s, e in zip(start[too_long], end[too_long], strict=True)
        ],
    )
    return start, end


def _breaks(
    frame: pd.DataFrame,
    shift_start: np.ndarray,
    shift_end: np.ndarray,
    issues: RowIssues,
    *,
    earliest_column: str | None,
    latest_column: str | None,
    minutes_column: str | None,
) -> list[tuple[Break, ...]]:
    """At most one meal break per unit, checked against its shift."""
    n = len(frame)
    nan = np.full(n, np.nan)
    earliest = (
        clock_seconds(frame[earliest_column], issues, column=earliest_column)
        if earliest_column
        else nan
    )
    latest = (
        clock_seconds(frame[latest_column], issues, column=latest_column) if latest_column else nan
    )
    minutes = (
        numeric_column(
            frame, minutes_column, issues, expected="minutes > 0 (or blank)", allow_missing=True
        )
        if minutes_column
        else nan
    )
    issues.add_rows(
        minutes < 0,
        column=minutes_column,
        message="negative break length; expected minutes > 0 (or blank for no break)",
        values=frame[minutes_column] if minutes_column else None,
    )
    has_break = minutes > 0
    window_given = ~np.isnan(earliest) | ~np.isnan(latest)
    no_minutes = window_given & ~has_break & ~(minutes < 0)
    issues.add_rows(
        no_minutes,
        column=minutes_column or BREAK_MIN,
        message="a break window is given without its length; expected break_min in minutes",
    )
    for name, default_name in ((earliest_column, BREAK_EARLIEST), (latest_column, BREAK_LATEST)):
        given = _text(frame, name).notna().to_numpy()
        issues.add_rows(
            has_break & ~given,
            column=name or default_name,
            message="the break has a length but this end of its window is missing; expected HH:MM",
        )
    # Break times are on the shift's axis: a time before the shift start is the next day.
    earliest = np.where(earliest < shift_start, earliest + DAY_S, earliest)
    latest = np.where(latest < shift_start, latest + DAY_S, latest)
    complete = (
        has_break
        & np.isfinite(earliest)
        & np.isfinite(latest)
        & np.isfinite(shift_start)
        & np.isfinite(shift_end)
    )
    shift_text: dict[object, str] = {
        i: f"{_clock(shift_start[i])}-{_clock(shift_end[i])}" for i in np.flatnonzero(complete)
    }
    outside = np.zeros(n, dtype=bool)
    for values, name in ((earliest, earliest_column), (latest, latest_column)):
        beyond = complete & (values > shift_end)
        outside |= beyond
        issues.add_rows(
            beyond,
            column=name,
            message=[
                f"the break time is outside the shift {shift_text[i]}; expected a time inside it"
                for i in np.flatnonzero(beyond)
            ],
            values=frame[name] if name else None,
        )
    reversed_window = complete & ~outside & (latest < earliest)
    issues.add_rows(
        reversed_window,
        column=latest_column,
        message=[
            f"the break window ends ({_clock(b)}) before it starts ({_clock(a)}); expected "
            "break_latest at or after break_earliest"
            for a, b in zip(earliest[reversed_window], latest[reversed_window], strict=True)
        ],
    )
    duration_s = np.where(has_break, np.round(minutes * 60), 0)
    overrun = complete & ~outside & ~reversed_window & (latest + duration_s > shift_end)
    issues.add_rows(
        overrun,
        column=latest_column,
        message=[
            f"a {minutes[i]:g} min break starting at {_clock(latest[i])} ends after the shift "
            f"{shift_text[i]}; expected break_latest at most break_min before the shift end"
            for i in np.flatnonzero(overrun)
        ],
    )
    outside |= overrun
    ok = complete & ~reversed_window & ~outside
    return [
        (Break(int(earliest[i]), int(latest[i]), int(duration_s[i])),) if ok[i] else ()
        for i in range(n)
    ]


def _crews(
    frame: pd.DataFrame, column: str | None, modes: list[Mode], issues: RowIssues
) -> np.ndarray:
    """People per unit; blank means the mode's default (2 in a car, else 1)."""
    default = np.array([DEFAULT_CREW[m] for m in modes], dtype=float)
    if column is None:
        return default.astype(int)
    crew = numeric_column(
        frame, column, issues, expected="a whole number >= 1 (or blank)", allow_missing=True
    )
    bad = np.isfinite(crew) & ((crew < 1) | (crew != np.round(crew)))
    issues.add_rows(
        bad,
        column=column,
        message="crew must be a whole number of people >= 1",
        values=frame[column],
    )
    return np.where(np.isfinite(crew) & ~bad, crew, default).astype(int)


def units_from_counts(
    spec: str,
    stations: Collection[str],
    shift: TimeBand,
    *,
    argument: str = "unit counts",
    max_per_mode: int | None = None,
) -> tuple[Unit, ...]:
    """Units from per-mode counts such as ``"car=3,foot=3,bicycle=2"``.

    Units are made by :func:`planner.shift.default_units`: spread over the stations in turn,
    each working the whole ``shift`` with the default meal break.

    Parameters
    ----------
    spec
        ``mode=count`` parts separated by ``,`` or ``;``; modes may be synonyms (``walk``,
        ``bike``, ``vehicle``, 车巡 ...); counts are whole numbers >= 0, at least one above 0.
    stations
        Station ids the units start from and return to.
    shift
        The shift band the units work.
    argument
        Name of the option or field ``spec`` came from, used in problems.
    max_per_mode
        Largest count accepted for one mode (``None``: no bound).

    Raises
    ------
    GeoInputError
        Naming every bad part: not ``mode=count``, an unknown mode, a count that is not a
        whole number >= 0, a mode given twice, no units at all, no stations.
    """
    problems: list[Problem] = []
    counts: dict[Mode, int] = {}
    first_part: dict[Mode, str] = {}
    for part in (p.strip() for p in re.split(r"[,;]", spec)):
        if not part:
            continue
        name, equals, number = (s.strip() for s in part.partition("="))
        if not equals:
            problems.append(
                Problem(argument, f"{part!r} is not mode=count; expected e.g. {_EXAMPLE_COUNTS}")
            )
            continue
        try:
            mode = parse_mode(name)
        except ValueError:
            problems.append(
                Problem(argument, f"unknown mode {name!r} in {part!r}; {EXPECTED_MODE}")
            )
            mode = None
        if not re.fullmatch(r"\d+", number):
            problems.append(
                Problem(argument, f"count {number!r} in {part!r} is not a whole number >= 0")
            )
            continue
        if mode is None:
            continue
        if max_per_mode is not None and int(number) > max_per_mode:
            problems.append(
                Problem(
                    argument,
                    f"count {number} in {part!r} is more than {max_per_mode} units of one "
                    f"mode; expected at most {max_per_mode}",
                )
            )
            continue
        if mode in counts:
            problems.append(
                Problem(
                    argument,
                    f"{mode.value} is given twice ({first_part[mode]!r} and {part!r}); expected "
                    "each mode once",
                )
            )
            continue
        counts[mode] = int(number)
        first_part[mode] = part
    if not problems and sum(counts.values()) == 0:
        problems.append(
            Problem(
                argument,
                f"no units: {spec!r} asks for none; expected at least one count above 0, e.g. "
                f"{_EXAMPLE_COUNTS}",
            )
        )
    if not stations:
        problems.append(Problem(argument, "no stations for the units to start from"))
    if problems:
        raise GeoInputError(problems, f"cannot make units from {argument} {spec!r}")
    wanted = {mode: count for mode, count in counts.items() if count > 0}
    from planner.shift import default_units

    return default_units(list(stations), shift, wanted)
