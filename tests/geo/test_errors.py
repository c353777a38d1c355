"""Located problems and the one-raise error."""

from __future__ import annotations

import pytest

from geo.errors import GeoInputError, Problem, raise_if_problems


def test_problem_text_names_file_row_column_and_value() -> None:
    problem = Problem(
        "incidents.csv", "expected a date like 2024-03-05", row=7, column="date", value="31/02"
    )
    assert str(problem) == (
        "incidents.csv, row 7, column 'date': expected a date like 2024-03-05 (got '31/02')"
    )


def test_error_lists_every_problem_and_is_a_value_error() -> None:
    problems = [Problem("a.csv", f"bad {i}", row=i) for i in range(25)]
    with pytest.raises(ValueError, match="25 problem") as info:
        raise_if_problems(problems)
    assert isinstance(info.value, GeoInputError)
    assert len(info.value.problems) == 25
    assert "a.csv, row 0: bad 0" in str(info.value)
    assert "and 5 more" in str(info.value)


def test_no_problems_raises_nothing_and_empty_error_is_refused() -> None:
    raise_if_problems([])
    with pytest.raises(ValueError, match="at least one"):
        GeoInputError([])
