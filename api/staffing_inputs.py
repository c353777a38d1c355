"""Reading the staffing command's CSV inputs: people to roster, current staff, populations.

Each reader checks every row and raises one :class:`StaffingInputError` listing every problem
with file, row (1-based data row, the header is row 0) and column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from planner.staffing.roster import DAY_NAMES, Person

_DAY_INDEX = {name.lower(): i for i, name in enumerate(DAY_NAMES)}
_DAY_INDEX.update(
    {
        "monday": 0,
        "tuesday": 1,
        "wednesday": 2,
        "thursday": 3,
        "friday": 4,
        "saturday": 5,
        "sunday": 6,
    }
)


class StaffingInputError(ValueError):
    """Problems found in a staffing input file, all of them at once.

    Parameters
    ----------
    path
        The file.
    problems
        One line per problem, naming row and column.
    """

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:20])
        more = f" (+{len(self.problems) - 20} more)" if len(self.problems) > 20 else ""
        super().__init__(f"{path}: {len(self.problems)} problem(s): {shown}{more}")


def _read(path: Path, required: Sequence[str]) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise StaffingInputError(path, [f"not a readable UTF-8 CSV file: {exc}"]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise StaffingInputError(
            path, [f"missing column(s) {missing}; the header has {list(frame.columns)}"]
        )
    return frame


def _day_index(token: str, start_date: date | None) -> int | None:
    """A day off as a roster day index: ``Sat``/``Saturday`` (by weekday, relative to
    ``start_date`` or Monday), ``0``-``6`` (roster day index) or an ISO date in the week."""
    text = token.strip().lower()
    if text in _DAY_INDEX:
        offset = start_date.weekday() if start_date is not None else 0
        return (_DAY_INDEX[text] - offset) % 7
    if text.isdigit() and 0 <= int(text) < 7:
        return int(text)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    if start_date is None:
        return None
    delta = (day - start_date).days
    return delta if 0 <= delta < 7 else None


def read_people_csv(path: Path, *, start_date: date | None = None) -> tuple[Person, ...]:
    """People to roster from a CSV with ``person_id``, ``name`` and optional ``days_off``.

    ``days_off`` holds days separated by ``;`` or spaces: weekday names (``Sat;Sun``), roster
    day indices 0-6, or ISO dates inside the roster week (needs ``start_date``).

    Raises
    ------
    StaffingInputError
        Listing every bad row and column (empty or duplicate id, unknown day).
    FileNotFoundError
        When ``path`` does not exist.
    """
    frame = _read(path, ("person_id", "name"))
    problems: list[str] = []
    people: list[Person] = []
    seen: dict[str, int] = {}
    for row_no, row in enumerate(frame.to_dict("records"), start=1):
        pid = str(row["person_id"]).strip()
        name = str(row["name"]).strip()
        if not pid:
            problems.append(f"row {row_no}, column 'person_id': empty")
            continue
        if pid in seen:
            problems.append(
                f"row {row_no}, column 'person_id': {pid!r} already used in row {seen[pid]}"
            )
            continue
        seen[pid] = row_no
        days: set[int] = set()
        raw = str(row.get("days_off", "") or "")
        for token in raw.replace(",", ";").replace(" ", ";").split(";"):
            if not token.strip():
                continue
            idx = _day_index(token, start_date)
            if idx is None:
                problems.append(
                    f"row {row_no}, column 'days_off': {token.strip()!r} is not a weekday name "
                    "(Mon..Sun), a day index 0-6 or a date in the roster week"
                )
            else:
                days.add(idx)
        people.append(Person(pid, name or pid, frozenset(days)))
    if not people and not problems:
        problems.append("no people listed (the file has a header but no data rows)")
    if problems:
        raise StaffingInputError(path, problems)
    return tuple(people)


def read_current_csv(path: Path) -> dict[tuple[str, str], int]:
    """Current staff from a CSV with ``area_id``, ``shift`` and ``people``.

    ``area_id`` may be ``all`` for the whole district; ``shift`` is a band name (``08-16``) or
    ``team`` for the whole team of the area.
    """
    from planner.staffing.proposal import TEAM

    frame = _read(path, ("area_id", "shift", "people"))
    problems: list[str] = []
    out: dict[tuple[str, str], int] = {}
    for row_no, row in enumerate(frame.to_dict("records"), start=1):
        area = str(row["area_id"]).strip()
        shift = str(row["shift"]).strip()
        if not area:
            problems.append(f"row {row_no}, column 'area_id': empty")
        if not shift:
            problems.append(f"row {row_no}, column 'shift': empty")
        text = str(row["people"]).strip()
        try:
            value = float(text)
            ok = math.isfinite(value) and value >= 0 and value == int(value)
        except ValueError:
            ok = False
        if not ok:
            problems.append(
                f"row {row_no}, column 'people': expected a whole number >= 0, got {text!r}"
            )
            continue
        key = (area, TEAM if shift.lower() == "team" else shift)
        if key in out:
            problems.append(f"row {row_no}: area {area!r} and shift {shift!r} listed twice")
        out[key] = int(float(text))
    if problems:
        raise StaffingInputError(path, problems)
    return out


def read_population_csv(path: Path) -> pd.DataFrame:
    """Resident population per area from a CSV with ``area_id`` and ``population`` (and
    optionally ``name``, ``area_type``, ``jurisdiction``); an empty population means unknown."""
    frame = _read(path, ("area_id", "population"))
    problems: list[str] = []
    values: list[float] = []
    for row_no, row in enumerate(frame.to_dict("records"), start=1):
        text = str(row["population"]).strip()
        if not str(row["area_id"]).strip():
            problems.append(f"row {row_no}, column 'area_id': empty")
        if not text:
            values.append(math.nan)
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
            problems.append(f"row {row_no}, column 'population': not a number: {text!r}")
        else:
            if not math.isfinite(value) or value < 0:
                problems.append(
                    f"row {row_no}, column 'population': expected residents >= 0, got {text!r}"
                )
        values.append(value)
    if problems:
        raise StaffingInputError(path, problems)
    out = frame.copy()
    out["area_id"] = out["area_id"].str.strip()
    out["population"] = values
    return out
