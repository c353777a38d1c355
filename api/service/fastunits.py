"""A quick path for the common small units file: plain comma-separated ASCII, the five
required columns, nothing unusual, every row valid.

:func:`api.inputs.read_units` reads a units file with pandas (sniffing the delimiter,
decoding GBK, reading every optional column, vectorised checks) and costs about 15 ms of CPU
even for two rows, most of a units upload's cost. :func:`quick_units` accepts only files that
are certainly valid by the same rules, and only answers for those: anything it is not sure of
(another column, a quote, a blank, a non-ASCII byte, a value pandas would read as missing, an
unknown mode or station, a repeated id, a time outside ``HH:MM``, a shift the reader would
refuse) returns ``None``, and the caller reads the file the full way, which names every
problem as before. So errors and their messages are those of :func:`read_units`; only the
valid common case is quicker. A property test checks that every file accepted here is
accepted by :func:`read_units` with the same count.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from geo.network.modes import parse_mode

#: The columns of the quick path, exactly (in any order).
QUICK_COLUMNS = frozenset({"unit_id", "mode", "station", "shift_start", "shift_end"})
#: A value the quick path takes as written: ASCII letters, digits, ``_ . : -`` (no blanks,
#: quotes or delimiters pandas could read differently).
_PLAIN = re.compile(r"[A-Za-z0-9_.:\-]+")
#: ``HH:MM`` as :func:`geo.io.duties.clock_seconds` reads it (hours up to 47).
_CLOCK = re.compile(r"([0-4][0-9]):([0-5][0-9])")
#: Values pandas reads as missing (case-insensitive superset of its defaults).
_NA = frozenset(
    {
        "#n/a",
        "#n/a n/a",
        "#na",
        "-1.#ind",
        "-1.#qnan",
        "-nan",
        "1.#ind",
        "1.#qnan",
        "<na>",
        "n/a",
        "na",
        "null",
        "nan",
        "none",
    }
)
_DAY_S = 24 * 3600
#: Files larger than this go the full way (the quick path is for the small common file).
QUICK_MAX_BYTES = 64 * 1024


def _clock_s(value: str) -> int | None:
    match = _CLOCK.fullmatch(value)
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return hours * 3600 + minutes * 60 if hours <= 47 else None


def quick_units(path: Path, stations: Collection[str]) -> tuple[str, int] | None:
    """``(text, unit count)`` of a units file that is certainly valid, else ``None`` (read
    it with :func:`api.inputs.read_units`, which reports any problem).

    Parameters
    ----------
    path
        The uploaded file.
    stations
        The ids of the area's stations.
    """
    if path.suffix.lower() != ".csv":
        return None
    data = path.read_bytes()
    if len(data) > QUICK_MAX_BYTES or not data.isascii():
        return None
    text = data.decode("ascii")
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    header = lines[0].split(",")
    if len(header) != len(QUICK_COLUMNS) or set(header) != QUICK_COLUMNS:
        return None
    at = {name: i for i, name in enumerate(header)}
    known = {str(s) for s in stations}
    seen: set[str] = set()
    for line in lines[1:]:
        values = line.split(",")
        if len(values) != len(header):
            return None
        for value in values:
            if _PLAIN.fullmatch(value) is None or value.lower() in _NA:
                return None
        unit_id = values[at["unit_id"]]
        if unit_id.casefold() in seen:
            return None
        seen.add(unit_id.casefold())
        try:
            parse_mode(values[at["mode"]])
        except ValueError:
            return None
        if values[at["station"]] not in known:
            return None
        start = _clock_s(values[at["shift_start"]])
        end = _clock_s(values[at["shift_end"]])
        if start is None or end is None:
            return None
        if end <= start:
            end += _DAY_S
        if end <= start or end - start > _DAY_S:
            return None
    return text, len(lines) - 1
