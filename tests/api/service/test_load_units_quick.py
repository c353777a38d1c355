"""The quick units path (:mod:`api.service.fastunits`) agrees with the full reader: whatever it
accepts, :func:`api.inputs.read_units` accepts with the same count; whatever is unusual or
wrong it leaves to the full reader (so the errors stay the reader's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.inputs import read_units
from api.service.fastunits import quick_units
from geo.errors import GeoInputError

STATIONS = ("queens-park", "bay-street")
HEADER = "unit_id,mode,station,shift_start,shift_end"
GOOD = f"{HEADER}\nF1,foot,queens-park,16:00,24:00\nC1,car,bay-street,16:00,24:00\n"


def _write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_common_file_is_quick_and_matches_the_reader(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    assert quick_units(path, STATIONS) == (GOOD, 2)
    assert len(read_units(path, stations=STATIONS)) == 2


def test_columns_in_another_order_and_night_shift(tmp_path: Path) -> None:
    text = "mode,unit_id,shift_end,shift_start,station\nbike,B7,06:00,22:00,bay-street\r\n"
    path = _write(tmp_path, text)
    assert quick_units(path, STATIONS) == (text, 1)
    (unit,) = read_units(path, stations=STATIONS)
    assert (unit.shift_start_s, unit.shift_end_s) == (22 * 3600, 30 * 3600)


def test_a_whole_day_shift_is_accepted_by_both(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nF1,foot,queens-park,16:00,16:00\n")
    assert quick_units(path, STATIONS) is not None
    (unit,) = read_units(path, stations=STATIONS)
    assert unit.shift_end_s - unit.shift_start_s == 24 * 3600


@pytest.mark.parametrize(
    "text",
    [
        f"{HEADER}\n",  # no rows
        f"{HEADER}\nF1,foot,nowhere,16:00,24:00\n",  # unknown station
        f"{HEADER}\nF1,boat,queens-park,16:00,24:00\n",  # unknown mode
        f"{HEADER}\nF1,foot,queens-park,16:00,24:00\nf1,car,bay-street,16:00,24:00\n",
        f"{HEADER}\nNA,foot,queens-park,16:00,24:00\n",  # read as missing by pandas
        f"{HEADER}\nF1,foot,queens-park,30:00,05:00\n",  # longer than a day
        f"{HEADER}\nF1,foot,queens-park,1600,24:00\n",  # another clock form
        f"{HEADER}\nF1, foot,queens-park,16:00,24:00\n",  # a blank
        f'{HEADER}\n"F1",foot,queens-park,16:00,24:00\n',  # a quote
        f"{HEADER}\n\nF1,foot,queens-park,16:00,24:00\n",  # a blank line
        f"{HEADER},crew\nF1,foot,queens-park,16:00,24:00,1\n",  # another column
        "unit_id;mode;station;shift_start;shift_end\nF1;foot;queens-park;16:00;24:00\n",
        f"{HEADER}\n巡1,foot,queens-park,16:00,24:00\n",  # not ASCII
        f"\ufeff{HEADER}\nF1,foot,queens-park,16:00,24:00\n",  # byte-order mark
    ],
)
def test_unusual_or_wrong_files_go_the_full_way(tmp_path: Path, text: str) -> None:
    assert quick_units(_write(tmp_path, text), STATIONS) is None


def test_a_wrong_file_keeps_the_readers_message(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nF1,foot,nowhere,16:00,24:00\n")
    assert quick_units(path, STATIONS) is None
    with pytest.raises(GeoInputError, match="unknown station; expected one of: bay-street"):
        read_units(path, stations=STATIONS)


def test_other_suffix_goes_the_full_way(tmp_path: Path) -> None:
    assert quick_units(_write(tmp_path, GOOD, "units.txt"), STATIONS) is None


#: Values close to the quick path's edges: valid ones and ones pandas or the reader treat
#: specially.
_IDS = st.sampled_from(["F1", "f1", "C1", "c-2", "u.3", "NA", "null", "None", "", " F1", "1", "01"])
_MODES = st.sampled_from(["foot", "car", "bike", "Car", "walk", "vehicle", "boat", "", "FOOT"])
_STATIONS = st.sampled_from(["queens-park", "bay-street", "Bay-Street", "nowhere", ""])
_TIMES = st.sampled_from(
    ["00:00", "08:00", "16:00", "24:00", "23:59", "47:59", "48:00", "7:30", "1600", "16:60", ""]
)


@st.composite
def _files(draw: st.DrawFn) -> str:
    columns = draw(st.permutations(HEADER.split(",")))
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "unit_id": _IDS,
                    "mode": _MODES,
                    "station": _STATIONS,
                    "shift_start": _TIMES,
                    "shift_end": _TIMES,
                }
            ),
            min_size=0,
            max_size=6,
        )
    )
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(columns)] + [",".join(row[c] for c in columns) for row in rows]
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_files())
def test_quick_acceptance_implies_the_reader_accepts(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    quick = quick_units(path, STATIONS)
    if quick is None:
        return
    units = read_units(path, stations=STATIONS)  # raises if the quick path was wrong
    assert quick == (text, len(units))
