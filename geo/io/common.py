"""Shared machinery of the readers in :mod:`geo.io`: decoding text files, reading vector files,
collecting row problems, parsing datetimes and coordinates, and writing rejected rows.

Every reader reports problems the same way: each one names the file, row and column and what
was expected, and all of them are raised together in one :class:`~geo.errors.GeoInputError`.
"""

from __future__ import annotations

import codecs
import io
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from geo.errors import CRSMismatchError, GeoInputError, Problem
from geo.io.advice import LIBRARY_ADVICE, Advice
from geo.schema import GEOMETRY

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
VECTOR_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".zip", ".shp", ".fgb"})
GEOJSON_SUFFIXES = frozenset({".geojson", ".json"})
WGS84 = CRS.from_epsg(4326)

_SAMPLE_SIZE = 200


# --------------------------------------------------------------------------------------------
# files


def source_name(path: Path | str) -> str:
    """The name used for ``path`` in problems: the file name without its folder."""
    return Path(path).name


def is_text_table(path: Path | str) -> bool:
    """True for tables read row by row: delimited text (``.csv``, ``.txt``, ``.tsv``) and
    Excel workbooks (``.xlsx``)."""
    suffix = Path(path).suffix.lower()
    return suffix in TEXT_SUFFIXES or suffix in WORKBOOK_SUFFIXES


#: Delimiters a text table may use, in the order ties are settled.
DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(text: str, *, default: str = ",") -> str:
    """The delimiter of a text table: the candidate found most often in its header line
    (quoted text ignored); ``default`` when the header holds none of them."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in DELIMITERS}
    best = max(DELIMITERS, key=lambda sep: (counts[sep], sep == default))
    return best if counts[best] > 0 else default


def decode_text(data: bytes, source: str) -> str:
    """Decode a text file: UTF-8 (a byte-order mark is dropped), else GBK/GB18030.

    Raises
    ------
    GeoInputError
        When neither decodes; the problem names the byte offset and data row where UTF-8
        decoding failed.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as gb_error:
            offset = utf8_error.start
            line = data[:offset].count(b"\n")  # 0 is the header line
            raise GeoInputError(
                [
                    Problem(
                        source,
                        f"cannot decode the file at byte offset {offset}: it is neither UTF-8 "
                        f"nor GBK/GB18030 (GB18030 fails at byte {gb_error.start}); "
                        "expected a text file saved as UTF-8 or GBK",
                        row=line if line > 0 else None,
                        value=data[offset : offset + 4].hex(" "),
                    )
                ]
            ) from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_text_table(
    path: Path | str,
    *,
    text_columns: Callable[[list[str]], Iterable[str]],
    sheet: str | None = None,
    advice: Advice = LIBRARY_ADVICE,
) -> pd.DataFrame:
    """Read a delimited text file or a workbook, keeping the columns chosen by
    ``text_columns`` as text.

    Parameters
    ----------
    path
        A ``.csv``/``.txt``/``.tsv`` file separated by commas, semicolons, tabs or ``|``
        (sniffed from the header line), or an ``.xlsx`` workbook.
    text_columns
        Given the header, returns the columns to read as strings (coordinates, dates, ids),
        so their values are reported exactly as written; other columns are inferred.
    sheet
        Worksheet of a workbook (default: the first); an error for a text file.

    Raises
    ------
    GeoInputError
        For an undecodable, empty or malformed file, or one with no data rows.
    """
    source = source_name(path)
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        frame = _read_workbook(Path(path), source, text_columns, sheet, advice)
        return _with_rows(frame, source)
    if sheet is not None:
        raise GeoInputError(
            [
                Problem(
                    source,
                    f"{advice.sheet()} is for .xlsx workbooks; this is a text table "
                    "(expected no sheet)",
                    value=sheet,
                )
            ]
        )
    data = Path(path).read_bytes()
    text = decode_text(data, source)
    if not text.strip():
        raise GeoInputError(
            [Problem(source, "the file is empty; expected a header row and data rows")]
        )
    # Let the C parser decode the bytes itself: much faster than parsing a Python string.
    encoding = "utf-8-sig" if _is_utf8(data) else "gb18030"
    sep = sniff_delimiter(text, default="\t" if Path(path).suffix.lower() == ".tsv" else ",")
    del text
    try:
        header = list(pd.read_csv(io.BytesIO(data), sep=sep, nrows=0, encoding=encoding).columns)
        as_text = {column: "str" for column in text_columns([str(c) for c in header])}
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=sep,
            encoding=encoding,
            dtype=as_text,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise GeoInputError(
            [
                Problem(
                    source,
                    f"cannot read the file as a table separated by {_SEP_NAMES[sep]}: {exc}",
                )
            ]
        ) from None
    return _with_rows(frame, source)


_SEP_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|'"}


def _read_workbook(
    path: Path,
    source: str,
    text_columns: Callable[[list[str]], Iterable[str]],
    sheet: str | None,
    advice: Advice,
) -> pd.DataFrame:
    """The first (or the named) worksheet of an ``.xlsx`` workbook as a table."""
    import zipfile

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise GeoInputError(
            [Problem(source, f"cannot open the file as an .xlsx workbook: {exc}")]
        ) from None
    with book:
        names = [str(name) for name in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise GeoInputError(
                [
                    Problem(
                        source,
                        f"no sheet {sheet!r} in the workbook; sheets are: "
                        f"{', '.join(names)} (choose one with {advice.sheet()})",
                        value=sheet,
                    )
                ]
            )
        chosen = sheet if sheet is not None else names[0]
        header = list(pd.read_excel(book, sheet_name=chosen, nrows=0).columns)
        as_text = {column: "str" for column in text_columns([str(c) for c in header])}
        frame = pd.read_excel(book, sheet_name=chosen, dtype=as_text)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _with_rows(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    if len(frame.columns) == 0:
        raise GeoInputError(
            [Problem(source, "the file is empty; expected a header row and data rows")]
        )
    if len(frame) == 0:
        raise GeoInputError(
            [
                Problem(
                    source,
                    "the file has a header but no data rows; expected at least one row "
                    f"(columns: {list_columns(frame.columns)})",
                )
            ]
        )
    return frame


def _unbuildable_geometries(
    path: Path | str, layer: str | None, source: str, exc: Exception
) -> list[Problem]:
    """The features whose geometry GEOS cannot build (a line of one point, a ring of three),
    each named; the whole file when they cannot be told apart."""
    import pyogrio.raw

    try:
        _, _, wkb, _ = pyogrio.raw.read(path, layer=layer)
        built = shapely.from_wkb(wkb, on_invalid="ignore")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        built = None
    if built is None:
        return [Problem(source, f"cannot build the geometries: {exc}")]
    bad = [
        i + 1 for i, (raw, geom) in enumerate(zip(wkb, built, strict=True)) if raw and geom is None
    ]
    if not bad:
        return [Problem(source, f"cannot build the geometries: {exc}")]
    reason = str(exc).split(":", 1)[-1].strip()
    return [
        Problem(
            source,
            f"the geometry cannot be built ({reason}); expected a point, a line of at least two "
            "points or a closed polygon ring of at least four",
            row=i,
            column=GEOMETRY,
        )
        for i in bad
    ]


def read_vector(
    path: Path | str,
    *,
    layer: str | None = None,
    crs_given: bool = False,
    advice: Advice | None = None,
) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage, (zipped) Shapefile, FlatGeobuf or KML/KMZ layer.

    Dates and datetimes are read as ISO 8601 text so they go through the same parser as CSV
    files. A GeoJSON file without a CRS is taken as EPSG:4326 (the format's only CRS), and is
    refused when its coordinates are not degrees, unless ``crs_given`` (the caller has a CRS
    for it; ``advice`` spells that option in the message).

    Raises
    ------
    GeoInputError
        When the file cannot be opened, holds several layers and ``layer`` is not given, or
        holds no features.
    """
    source = source_name(path)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise GeoInputError(
            [Problem(source, f"cannot open the file as a vector dataset: {exc}")]
        ) from None
    if layer is None and len(layers) > 1:
        raise GeoInputError(
            [
                Problem(
                    source,
                    f"the file has {len(layers)} layers ({', '.join(layers)}); "
                    "expected one (save the layer you mean as a file of its own)",
                )
            ]
        )
    if layer is not None and layer not in layers:
        raise GeoInputError(
            [
                Problem(
                    source,
                    f"no layer {layer!r} in the file; layers are: {', '.join(layers)}",
                    value=layer,
                )
            ]
        )
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio", datetime_as_string=True)
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        OSError,
    ) as exc:
        raise GeoInputError([Problem(source, f"cannot read the layer: {exc}")]) from None
    except shapely.errors.GEOSException as exc:
        raise GeoInputError(_unbuildable_geometries(path, layer, source, exc)) from None
    if len(frame) == 0:
        raise GeoInputError([Problem(source, "the file holds no features; expected at least one")])
    geojson = Path(path).suffix.lower() in GEOJSON_SUFFIXES
    if geojson and (frame.crs is None or CRS(frame.crs) == WGS84):
        # GDAL reports EPSG:4326 for every GeoJSON file; metres in one are a projected CRS
        # the file does not name.
        bounds = _bounds_if_not_degrees(frame)
        if bounds is not None and crs_given:
            return frame.set_crs(None, allow_override=True)
        if bounds is not None:
            _raise_not_degrees(bounds, source, advice)
    if frame.crs is None and geojson:
        frame = frame.set_crs(WGS84)
    return frame


def _bounds_if_not_degrees(frame: gpd.GeoDataFrame) -> tuple[float, ...] | None:
    """The bounds of the geometries when they cannot be degrees, else ``None``."""
    geometry = np.asarray(frame.geometry.array, dtype=object)
    present = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    if not present.any():
        return None
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geometry[present]))
    if max(abs(minx), abs(maxx)) <= 180.0 and max(abs(miny), abs(maxy)) <= 90.0:
        return None
    return minx, miny, maxx, maxy


def _raise_not_degrees(bounds: tuple[float, ...], source: str, advice: Advice | None) -> None:
    """Raise for a GeoJSON file without a CRS whose coordinates are not degrees."""
    minx, miny, maxx, maxy = bounds
    fix = f", or give the CRS they are in with {advice.crs('EPSG:xxxx')}" if advice else ""
    raise GeoInputError(
        [
            Problem(
                source,
                f"the coordinates span x {minx:.10g}..{maxx:.10g}, y {miny:.10g}..{maxy:.10g}: "
                "not longitude/latitude degrees, but a GeoJSON file without a CRS is "
                "EPSG:4326; expected degrees (export the file as EPSG:4326, or as GeoPackage "
                f"with its CRS){fix}",
                column=GEOMETRY,
            )
        ]
    )


def write_rejected(
    frame: pd.DataFrame, positions: np.ndarray, reasons: Sequence[str], path: Path
) -> None:
    """Write the rejected rows of ``frame`` with their ``source_row`` and ``reasons`` as CSV.

    Geometries (vector input) are written as WKT so the file stays a plain table.
    """
    out = pd.DataFrame(frame.iloc[positions])
    if isinstance(frame, gpd.GeoDataFrame):
        geometry_name = frame.geometry.name
        out[geometry_name] = shapely.to_wkt(np.asarray(frame.geometry.iloc[positions]))
    out["source_row"] = np.asarray(positions) + 1
    out["reasons"] = list(reasons)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8")


def find_column(
    columns: Sequence[str], candidates: Sequence[str], *, exclude: Iterable[str] = ()
) -> str | None:
    """The first column whose name matches a candidate (case-insensitive, ignoring blanks)."""
    skip = set(exclude)
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(str(column).strip().casefold(), column)
    for candidate in candidates:
        found = by_key.get(candidate.casefold())
        if found is not None and found not in skip:
            return found
    return None


def list_columns(columns: Iterable[object]) -> str:
    """The column names of a table, for messages."""
    return ", ".join(repr(str(c)) for c in columns) or "(none)"


# --------------------------------------------------------------------------------------------
# collecting problems


@dataclass(frozen=True)
class _RowIssue:
    positions: np.ndarray
    column: str | None
    messages: tuple[str, ...]
    values: tuple[str | None, ...]


class RowIssues:
    """Collects file-level and per-row problems of one input file, vectorised.

    Row checks pass a boolean mask over the rows; only the flagged rows are turned into
    :class:`Problem` objects, so the happy path stays free of Python loops.

    Parameters
    ----------
    source
        The file name used in every problem.
    n_rows
        Number of data rows (or features).
    """

    def __init__(self, source: str, n_rows: int) -> None:
        self.source = source
        self.n_rows = n_rows
        self.file_problems: list[Problem] = []
        self.bad = np.zeros(n_rows, dtype=bool)
        self._issues: list[_RowIssue] = []

    def add_file(
        self, message: str, *, column: str | None = None, value: str | None = None
    ) -> None:
        """Record a problem concerning the whole file (or a whole column)."""
        self.file_problems.append(Problem(self.source, message, column=column, value=value))

    def add_rows(
        self,
        mask: np.ndarray | pd.Series,
        *,
        column: str | None,
        message: str | Sequence[str],
        values: pd.Series | np.ndarray | None = None,
    ) -> None:
        """Record a problem for every row where ``mask`` is True.

        Parameters
        ----------
        message
            One message for all flagged rows, or one per flagged row (in row order).
        values
            Full-length values; the flagged ones are quoted in the problems.
        """
        flags = np.asarray(mask, dtype=bool)
        positions = np.flatnonzero(flags)
        if len(positions) == 0:
            return
        self.bad |= flags
        if isinstance(message, str):
            messages: tuple[str, ...] = (message,) * len(positions)
        else:
            messages = tuple(message)
            if len(messages) != len(positions):
                raise ValueError("need one message per flagged row")
        quoted: tuple[str | None, ...]
        if values is None:
            quoted = (None,) * len(positions)
        else:
            picked = pd.Series(np.asarray(values, dtype=object)[positions])
            quoted = tuple(None if pd.isna(v) else str(v) for v in picked)
        self._issues.append(_RowIssue(positions, column, messages, quoted))

    @property
    def has_problems(self) -> bool:
        return bool(self.file_problems) or bool(self._issues)

    def problems(self) -> list[Problem]:
        """File-level problems first, then row problems in row order."""
        rows: list[tuple[int, int, Problem]] = []
        for order, issue in enumerate(self._issues):
            for position, message, value in zip(
                issue.positions, issue.messages, issue.values, strict=True
            ):
                problem = Problem(
                    self.source, message, row=int(position) + 1, column=issue.column, value=value
                )
                rows.append((int(position), order, problem))
        rows.sort(key=lambda item: (item[0], item[1]))
        return self.file_problems + [problem for _, _, problem in rows]

    def reasons(self) -> tuple[np.ndarray, list[str]]:
        """Positions of the rejected rows and, for each, its reasons joined with ``"; "``."""
        by_row: dict[int, list[str]] = {}
        for issue in self._issues:
            for position, message, value in zip(
                issue.positions, issue.messages, issue.values, strict=True
            ):
                text = f"{issue.column}: {message}" if issue.column else message
                if value is not None:
                    text += f" (got {value!r})"
                by_row.setdefault(int(position), []).append(text)
        positions = np.array(sorted(by_row), dtype=np.int64)
        return positions, ["; ".join(by_row[int(p)]) for p in positions]

    def raise_if_any(self, summary: str | None = None) -> None:
        """Raise one :class:`GeoInputError` with every problem collected so far."""
        if self.has_problems:
            raise GeoInputError(self.problems(), summary or f"problems in {self.source}")


# --------------------------------------------------------------------------------------------
# CRSs


def parse_crs(
    value: str | int | CRS,
    issues: RowIssues,
    *,
    argument: str = "crs",
    advice: Advice | None = None,
) -> CRS | None:
    """``value`` as a :class:`pyproj.CRS`, or ``None`` after recording a problem.

    ``advice`` (when given) spells the option in the message instead of ``argument``.
    """
    try:
        return CRS.from_user_input(value)
    except CRSError:
        given = f"{argument}={value!r}" if advice is None else advice.crs(str(value))
        issues.add_file(
            f"{given} is not a coordinate reference system pyproj knows; "
            "expected e.g. 'EPSG:4326', 4326 or a WKT/PROJ string",
            value=str(value),
        )
        return None


def crs_label(crs: CRS | None) -> str:
    """A short name for ``crs``: ``EPSG:xxxx`` when it has one, else its name."""
    if crs is None:
        return "no CRS"
    authority = crs.to_authority()
    if authority is not None:
        return f"{authority[0]}:{authority[1]}"
    return str(crs.name)


def check_same_crs(layers: Mapping[str, gpd.GeoDataFrame | gpd.GeoSeries]) -> None:
    """Check that every layer has a CRS and that they are all the same.

    Parameters
    ----------
    layers
        Layers by the name to use in messages (e.g. ``{"incidents": ..., "areas": ...}``).

    Raises
    ------
    CRSMismatchError
        Naming each layer and its CRS, and the fix (``.to_crs`` / ``.set_crs``).
    """
    crss = {name: (None if layer.crs is None else CRS(layer.crs)) for name, layer in layers.items()}
    known = [crs for crs in crss.values() if crs is not None]
    if all(crs is not None for crs in crss.values()) and all(crs == known[0] for crs in known):
        return
    target = crs_label(known[0]) if known else "EPSG:4326"
    problems = []
    for name, crs in crss.items():
        if crs is None:
            fix = f"set it with .set_crs(...) if you know it, then .to_crs({target!r})"
            problems.append(Problem(name, f"layer has no CRS; {fix}"))
        else:
            problems.append(
                Problem(name, f"layer is in {crs_label(crs)}; reproject with .to_crs({target!r})")
            )
    labels = ", ".join(f"{name}: {crs_label(crs)}" for name, crs in crss.items())
    raise CRSMismatchError(
        problems, f"layers are in different CRSs ({labels}); expected one CRS for all"
    )


# --------------------------------------------------------------------------------------------
# coordinates


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    issues: RowIssues,
    *,
    expected: str,
    allow_missing: bool = False,
) -> np.ndarray:
    """Column ``column`` as floats; non-numeric (and, unless allowed, missing) values are
    recorded as problems.

    Returns NaN at missing values and at the rows that were flagged.
    """
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype=float, na_value=np.nan, copy=True)
        missing = np.isnan(values)
        if not allow_missing:
            issues.add_rows(
                missing, column=column, message=f"value is missing; expected {expected}"
            )
        infinite = np.isinf(values)
        issues.add_rows(infinite, column=column, message=f"not finite; expected {expected}")
        values[infinite] = np.nan
        return values
    text = raw if pd.api.types.is_string_dtype(raw) else raw.astype("str")
    missing = (text.isna() | (text == "")).to_numpy(copy=True)
    parsed = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=float, copy=True)
    not_numeric = ~missing & ~np.isfinite(parsed)
    if not_numeric.any():  # blanks-only cells are missing values, not bad numbers
        blank = (text[not_numeric].str.strip() == "").to_numpy()
        missing[np.flatnonzero(not_numeric)[blank]] = True
        not_numeric &= ~missing
    if not allow_missing:
        issues.add_rows(missing, column=column, message=f"value is missing; expected {expected}")
    issues.add_rows(
        not_numeric, column=column, message=f"not a number; expected {expected}", values=raw
    )
    parsed[not_numeric] = np.nan
    return parsed


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def check_lonlat(
    lon: np.ndarray,
    lat: np.ndarray,
    issues: RowIssues,
    *,
    lon_column: str,
    lat_column: str,
    boundary: BaseGeometry | None = None,
    advice: Advice | None = None,
) -> None:
    """Record out-of-range, swapped, (0, 0) and outside-the-boundary coordinates.

    ``advice`` spells the column option a swap message suggests; without one (readers that
    take no column option) the message says to swap the columns in the file.

    Swaps are detected per row (latitude outside ±90 that fits as a longitude while the
    longitude fits as a latitude, or a point outside ``boundary`` whose swap is inside) and
    file-wide, when every row looks swapped.
    """
    known = np.isfinite(lon) & np.isfinite(lat)
    lat_bad = known & (np.abs(lat) > 90.0)
    lon_bad = known & (np.abs(lon) > 180.0)
    swapped = lat_bad & ~lon_bad & (np.abs(lat) <= 180.0) & (np.abs(lon) <= 90.0)
    swap_fix = (
        f"swap the columns with {advice.columns(lon=lat_column, lat=lon_column)}"
        if advice is not None and lon_column != lat_column
        else "swap the two coordinates in the file"
    )
    # Antarctica has no patrols: every point south of 60°S whose swap is an inhabited
    # latitude is a file with the columns exchanged (Toronto read as lon 43.66, lat -79.39).
    polar = known & (lat < -60.0) & (np.abs(lon) <= 60.0)
    if known.any() and polar[known].all():
        issues.add_file(
            f"latitude and longitude look swapped in every row: column {lat_column!r} holds "
            f"values like {_fmt(lat[known][0])} (in Antarctica) and column {lon_column!r} "
            f"values like {_fmt(lon[known][0])}, which fit as latitudes; expected latitudes in "
            f"{lat_column!r} ({swap_fix})"
        )
    if known.any() and swapped[known].all():
        issues.add_file(
            f"latitude and longitude look swapped in every row: column {lat_column!r} holds "
            f"values like {_fmt(lat[known][0])} (outside -90..90, a longitude) and column "
            f"{lon_column!r} values like {_fmt(lon[known][0])}; expected latitudes in "
            f"{lat_column!r} ({swap_fix})"
        )
    if swapped.any():
        issues.add_rows(
            swapped,
            column=lat_column,
            message=[
                f"latitude and longitude look swapped: latitude {_fmt(a)} is outside -90..90 "
                f"but fits as a longitude, and longitude {_fmt(o)} fits as a latitude"
                for a, o in zip(lat[swapped], lon[swapped], strict=True)
            ],
        )
    issues.add_rows(
        lat_bad & ~swapped,
        column=lat_column,
        message="latitude out of range; expected degrees in -90..90",
        values=lat,
    )
    issues.add_rows(
        lon_bad & ~swapped,
        column=lon_column,
        message="longitude out of range; expected degrees in -180..180",
        values=lon,
    )
    in_range = known & ~lat_bad & ~lon_bad
    null_island = in_range & (lon == 0.0) & (lat == 0.0)
    issues.add_rows(
        null_island,
        column=lon_column,
        message="coordinates are (0, 0), a placeholder for a missing location; "
        "expected a real position",
    )
    if boundary is None:
        return
    check = in_range & ~null_island
    inside = np.ones(len(lon), dtype=bool)
    inside[check] = shapely.intersects_xy(boundary, lon[check], lat[check])
    outside = check & ~inside
    if not outside.any():
        return
    swapped_inside = np.zeros(len(lon), dtype=bool)
    swapped_inside[outside] = shapely.intersects_xy(boundary, lat[outside], lon[outside])
    if swapped_inside[check].all():
        issues.add_file(
            "latitude and longitude look swapped: every point is outside the boundary but "
            f"inside it with {lon_column!r} and {lat_column!r} exchanged; expected longitudes "
            f"in {lon_column!r} and latitudes in {lat_column!r} ({swap_fix})"
        )
    issues.add_rows(
        swapped_inside,
        column=lat_column,
        message="latitude and longitude look swapped: the point is outside the boundary "
        "but inside it with latitude and longitude exchanged",
    )
    plain_outside = outside & ~swapped_inside
    issues.add_rows(
        plain_outside,
        column=lon_column,
        message=[
            f"point (lon {_fmt(o)}, lat {_fmt(a)}) is outside the boundary; "
            "expected a location inside it"
            for o, a in zip(lon[plain_outside], lat[plain_outside], strict=True)
        ],
    )


def boundary_lonlat(
    boundary: BaseGeometry | gpd.GeoDataFrame | gpd.GeoSeries | None,
) -> BaseGeometry | None:
    """The boundary as one prepared geometry in EPSG:4326 (``None`` passes through).

    A bare shapely geometry is taken to be in longitude/latitude degrees.

    Raises
    ------
    ValueError
        If a GeoDataFrame has no CRS, or a bare geometry has coordinates outside degrees.
    """
    if boundary is None:
        return None
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is None:
            raise ValueError("boundary has no CRS; set one with .set_crs(...) first")
        geometry = boundary.to_crs(WGS84).union_all()
    else:
        geometry = boundary
        minx, miny, maxx, maxy = geometry.bounds
        if min(minx, maxx) < -180 or max(minx, maxx) > 180 or min(miny, maxy) < -90 or maxy > 90:
            raise ValueError(
                f"boundary geometry has bounds {geometry.bounds}, not longitude/latitude "
                "degrees; pass a GeoDataFrame with its CRS instead of a bare geometry"
            )
    shapely.prepare(geometry)
    return geometry


def project_to_lonlat(
    x: np.ndarray,
    y: np.ndarray,
    crs: CRS,
    issues: RowIssues,
    *,
    x_column: str,
    y_column: str,
    advice: Advice | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinates in ``crs`` to longitude/latitude, flagging untransformable rows.

    ``advice`` spells the CRS option suggested when the values look like degrees; without
    one, the message asks for the file to be saved in EPSG:4326.
    """
    known = np.isfinite(x) & np.isfinite(y)
    if crs.is_projected and known.any():
        looks_like_degrees = (np.abs(x[known]) <= 180.0) & (np.abs(y[known]) <= 90.0)
        if looks_like_degrees.all():
            fix = (
                f"or give {advice.crs('EPSG:4326')}"
                if advice is not None
                else "or save the file in EPSG:4326"
            )
            issues.add_file(
                f"columns {x_column!r}/{y_column!r} hold values like {_fmt(x[known][0])}, "
                f"{_fmt(y[known][0])} that look like degrees, but the CRS {crs_label(crs)} is "
                f"projected; expected coordinates in that CRS's units ({fix})"
            )
    if crs == WGS84:
        return x.copy(), y.copy()
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    lon, lat = transformer.transform(x, y)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    failed = known & ~(np.isfinite(lon) & np.isfinite(lat))
    issues.add_rows(
        failed,
        column=x_column,
        message=f"cannot transform the point from {crs_label(crs)} to longitude/latitude; "
        f"expected coordinates valid in {crs_label(crs)}",
        values=x,
    )
    lon[failed] = np.nan
    lat[failed] = np.nan
    return lon, lat


# --------------------------------------------------------------------------------------------
# datetimes

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_DAY_MONTH_PAIRS = (
    ("%d/%m/%Y", "%m/%d/%Y"),
    ("%d.%m.%Y", "%m.%d.%Y"),
    ("%d-%m-%Y", "%m-%d-%Y"),
)
_TIME_SUFFIXES = (
    "",
    " %H:%M",
    " %H:%M:%S",
    " %H:%M:%S.%f",
    " %I:%M %p",
    " %I:%M:%S %p",
    "T%H:%M",
    "T%H:%M:%S",
    "%H:%M",
    "%H:%M:%S",
    " %H时%M分",
    "%H时%M分",
    " %H点%M分",
)
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%H%M", "%H时%M分")
_ISO = "ISO8601"
_OFFSET_RE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def expected_datetime(advice: Advice = LIBRARY_ADVICE) -> str:
    """What a date column should hold, ending with the option that names its format."""
    return (
        "expected a date such as 2024-03-05, 2024/03/05 or 2024年3月5日, optionally with a "
        "time such as 14:30, 21时30分 or an ISO 8601 offset (+08:00), or give "
        + advice.datetime_format()
    )


EXPECTED_DATETIME = expected_datetime()

# Chinese spellings rewritten to ISO-like text before the formats are tried.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：．－／　", "0123456789:.-/ ")
_CJK_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CJK_PERIOD_RE = re.compile(
    r"(上午|早上|早晨|凌晨|中午|下午|傍晚|晚上|夜里|夜间)\s*(\d{1,2})(?=\s*[时点:])"
)
_CJK_HM_RE = re.compile(r"(\d{1,2})\s*[时点]\s*(\d{1,2})\s*分(?:\s*(\d{1,2})\s*秒)?")
_CJK_HALF_RE = re.compile(r"(\d{1,2})\s*[时点]\s*半")
_CJK_H_RE = re.compile(r"(\d{1,2})\s*[时点](?:整|钟)?(?!\s*\d)")
_DATE_THEN_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(\d{1,2}:)")
_CJK_MARKS_RE = r"[年月日号时点分秒０-９：]"
_AFTERNOON = frozenset({"下午", "傍晚", "晚上", "夜里", "夜间"})


def _period_hour(match: re.Match[str]) -> str:
    """An hour after 上午/下午/晚上... on the 24-hour clock; left as written when the pair
    is not certain (晚上12点, 凌晨12点, 下午15点), so it is reported, not guessed."""
    period, hour = match.group(1), int(match.group(2))
    if period in _AFTERNOON:
        if 1 <= hour <= 11:
            return str(hour + 12)
        return "12" if period == "下午" and hour == 12 else match.group(0)
    if period == "中午":
        if hour in (11, 12):
            return str(hour)
        return str(hour + 12) if hour in (1, 2) else match.group(0)
    return str(hour) if 0 <= hour <= 11 else match.group(0)


def normalize_cjk_datetimes(text: pd.Series) -> pd.Series:
    """Rewrite Chinese date and time spellings to ``YYYY-MM-DD HH:MM[:SS]``.

    Handles full-width digits, ``2024年3月5日``, ``21时``/``21点``, ``21时30分``,
    ``9点半`` and ``晚上9点`` (an hour after 上午/下午/晚上 only when the pair is certain).
    Values without such marks are returned unchanged.
    """
    marked = text.str.contains(_CJK_MARKS_RE, regex=True, na=False)
    if not marked.any():
        return text
    out = text.copy()
    part = text[marked].str.translate(_FULL_WIDTH)
    part = part.str.replace(
        _CJK_DATE_RE,
        lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d} ",
        regex=True,
    )
    part = part.str.replace(_CJK_PERIOD_RE, _period_hour, regex=True)
    part = part.str.replace(
        _CJK_HM_RE,
        lambda m: (
            f"{int(m.group(1)):02d}:{int(m.group(2)):02d}"
            + (f":{int(m.group(3)):02d}" if m.group(3) else "")
        ),
        regex=True,
    )
    part = part.str.replace(_CJK_HALF_RE, lambda m: f"{int(m.group(1)):02d}:30", regex=True)
    part = part.str.replace(_CJK_H_RE, lambda m: f"{int(m.group(1)):02d}:00", regex=True)
    part = part.str.strip().str.replace(_DATE_THEN_TIME_RE, r"\1 \2", regex=True)
    part = part.str.replace(r"\s+", " ", regex=True)
    out[marked] = part
    return out


def _candidate_formats() -> tuple[list[str], dict[str, str]]:
    formats = [_ISO]
    twins: dict[str, str] = {}
    for suffix in _TIME_SUFFIXES:
        formats += [date + suffix for date in _DATE_FORMATS if not date.startswith("%Y%m")]
        for day_first, month_first in _DAY_MONTH_PAIRS:
            a, b = day_first + suffix, month_first + suffix
            formats += [a, b]
            twins[a] = b
            twins[b] = a
    formats.append("%Y%m%d")
    return formats, twins


_FORMATS, _TWINS = _candidate_formats()


def _has_time(fmt: str) -> bool:
    return any(code in fmt for code in ("%H", "%I", "%M"))


@dataclass
class ParsedTimes:
    """Result of :func:`parse_datetimes`: UTC instants and whether the time of day was given."""

    utc: pd.Series  # datetime64[ns, UTC]; NaT where missing or unparseable
    time_known: np.ndarray
    missing: np.ndarray  # no value at all (blank)
    failed: np.ndarray  # a value that could not be parsed (problem already recorded)


_NAT = np.datetime64("NaT", "ns")


def _utc_ns(instants: pd.Series) -> np.ndarray:
    """Tz-aware instants as naive UTC ``datetime64[ns]`` (no per-element Timestamps)."""
    naive = instants.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive.to_numpy(dtype="datetime64[ns]", copy=True)


def _localize(naive: pd.Series, timezone: str) -> np.ndarray:
    """Wall-clock times in ``timezone`` as naive UTC ``datetime64[ns]``."""
    # At the autumn DST change a wall-clock time occurs twice; take standard time rather than
    # dropping the row. Times skipped in spring move forward to the first valid instant.
    localized = naive.dt.tz_localize(
        timezone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return _utc_ns(localized)


def _parse_iso(text: pd.Series, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        parsed = pd.to_datetime(text, format=_ISO, errors="coerce")
    except ValueError:  # mixed offsets, or offsets and local times mixed: the slow path
        parsed = None
    if parsed is not None and isinstance(parsed.dtype, pd.DatetimeTZDtype):
        out = _utc_ns(parsed)
    elif parsed is not None:
        out = np.full(len(text), _NAT)
        ok = parsed.notna().to_numpy()
        out[ok] = _localize(parsed[ok], timezone)
    else:
        out = _utc_ns(pd.to_datetime(text, format=_ISO, errors="coerce", utc=True))
        has_offset = text.str.contains(_OFFSET_RE, regex=True, na=False).to_numpy()
        local = ~has_offset & ~np.isnat(out)
        if local.any():
            naive = pd.to_datetime(text[local], format=_ISO, errors="coerce")
            out[local] = _localize(naive, timezone)
    date_only = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").notna().to_numpy()
    return out, ~date_only


def _parse_format(text: pd.Series, fmt: str, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``text`` with one format: naive UTC instants and the has-time-of-day mask."""
    if fmt == _ISO:
        return _parse_iso(text, timezone)
    has_time = np.full(len(text), _has_time(fmt))
    if "%z" in fmt or "%Z" in fmt:
        return _utc_ns(pd.to_datetime(text, format=fmt, errors="coerce", utc=True)), has_time
    naive = pd.to_datetime(text, format=fmt, errors="coerce")
    out = np.full(len(text), _NAT)
    ok = naive.notna().to_numpy()
    if ok.any():
        out[ok] = _localize(naive[ok], timezone)
    return out, has_time


def _sample(text: pd.Series) -> pd.Series:
    return text.iloc[: 20 * _SAMPLE_SIZE].drop_duplicates().iloc[:_SAMPLE_SIZE]


def _score(sample: pd.Series, fmt: str) -> int:
    if fmt == _ISO:
        return int(pd.to_datetime(sample, format=_ISO, errors="coerce", utc=True).notna().sum())
    return int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())


def _best_format(sample: pd.Series, candidates: list[str], excluded: set[str]) -> tuple[int, int]:
    """The score and index of the format that parses most of ``sample`` (the earliest of
    equals). A format that parses all of it cannot be beaten, so the later ones are not
    tried: each try compiles a ``strptime`` pattern, and on a typical file the first few
    formats settle it."""
    best_score, best_index = -1, 0
    for i, fmt in enumerate(candidates):
        score = 0 if fmt in excluded else _score(sample, fmt)
        if score > best_score:
            best_score, best_index = score, i
        if score == len(sample):
            break
    return best_score, best_index


def parse_datetimes(
    values: pd.Series,
    issues: RowIssues,
    *,
    column: str,
    timezone: str,
    datetime_format: str | None = None,
    expected: str | None = None,
    advice: Advice = LIBRARY_ADVICE,
) -> ParsedTimes:
    """Parse a column of dates or datetimes to UTC instants, vectorised.

    The format is detected on a sample of the values and applied to the whole column with
    pandas' C parser; values it misses are tried with the remaining formats. Day/month order
    (``03/05/2024``) is decided by the data; when no value settles it, a problem asks for
    ``datetime_format``. Values without an offset are local time in ``timezone``; values with
    one (ISO 8601 ``+08:00``/``Z``, or ``%z`` in ``datetime_format``) are converted.

    Parameters
    ----------
    values
        The raw column (text, or datetimes already).
    issues
        Where problems go: one per unparseable value, plus file-level ones for ambiguity.
        Blank values are not problems here (see :attr:`ParsedTimes.missing`).
    column
        The column name used in problems.
    timezone
        IANA time zone of local times.
    datetime_format
        An explicit ``strftime`` format; disables detection.
    expected
        What the column should hold, for unparseable values (default:
        :func:`expected_datetime`).
    advice
        Spells the datetime format option the messages suggest.
    """
    if expected is None:
        expected = expected_datetime(advice)
    n = len(values)
    utc = np.full(n, _NAT)
    time_known = np.zeros(n, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values):
        present = values.notna().to_numpy()
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            utc[present] = _utc_ns(values[present])
        elif present.any():
            utc[present] = _localize(values[present], timezone)
        time_known[present] = True
        return _parsed(utc, time_known, ~present, np.zeros(n, dtype=bool))
    text = values if pd.api.types.is_string_dtype(values) else values.astype("str")
    present = (text.notna() & (text != "")).to_numpy()
    if not datetime_format:
        text = normalize_cjk_datetimes(text)
    done = ~present
    candidates = [datetime_format] if datetime_format else list(_FORMATS)
    twins = {} if datetime_format else _TWINS
    excluded: set[str] = set()
    stripped = False
    while not done.all():
        remaining = text[~done]
        sample = _sample(remaining)
        best_score, best_index = _best_format(sample, candidates, excluded)
        if best_score == 0 and not datetime_format:
            if stripped:
                break
            # Stray blanks defeat the exact formats: strip the (few) leftovers and try again.
            text = text.copy()
            text[~done] = remaining.str.strip()
            excluded.clear()
            stripped = True
            continue
        fmt = candidates[best_index]
        excluded.add(fmt)
        parsed, has_time = _parse_format(remaining, fmt, timezone)
        ok = ~np.isnat(parsed)
        twin = twins.get(fmt)
        if twin is not None and twin not in excluded:
            excluded.add(twin)
            other, _ = _parse_format(remaining, twin, timezone)
            other_ok = ~np.isnat(other)
            differ = ok & other_ok & (parsed != other)
            only_fmt = ok & ~other_ok
            only_twin = other_ok & ~ok
            if only_fmt.any() and only_twin.any():
                issues.add_file(
                    "dates mix day-first and month-first order (e.g. "
                    f"{remaining[only_fmt].iloc[0]!r} and {remaining[only_twin].iloc[0]!r}); "
                    f"expected one order throughout, or give {advice.datetime_format()}",
                    column=column,
                )
                done[np.flatnonzero(~done)[ok | other_ok]] = True
                continue
            if only_twin.any():
                fmt, parsed, ok = twin, other, other_ok
            elif not only_fmt.any() and differ.any():
                example = str(remaining[differ].iloc[0])
                day_first, month_first = _day_month(fmt)
                issues.add_file(
                    f"dates like {example!r} could be day/month or month/day and no value "
                    f"settles it; expected {advice.datetime_format(day_first)} or "
                    f"{advice.datetime_format(month_first)}",
                    column=column,
                    value=example,
                )
                done[np.flatnonzero(~done)[ok]] = True
                continue
        rows = np.flatnonzero(~done)[ok]
        utc[rows] = parsed[ok]
        time_known[rows] = has_time[ok]
        done[rows] = True
        if datetime_format:
            break
    failed = present & np.isnat(utc) & ~done
    if datetime_format and failed.any():
        issues.add_rows(
            failed,
            column=column,
            message=f"does not match {advice.datetime_format(datetime_format)}",
            values=values,
        )
    elif failed.any():
        issues.add_rows(
            failed, column=column, message=f"unparseable date; {expected}", values=values
        )
    return _parsed(utc, time_known, ~present, failed)


def _parsed(
    utc: np.ndarray, time_known: np.ndarray, missing: np.ndarray, failed: np.ndarray
) -> ParsedTimes:
    return ParsedTimes(pd.Series(utc).dt.tz_localize("UTC"), time_known, missing, failed)


def _day_month(fmt: str) -> tuple[str, str]:
    twin = _TWINS.get(fmt, fmt)
    return (fmt, twin) if fmt.startswith("%d") else (twin, fmt)


def parse_times_of_day(
    values: pd.Series, issues: RowIssues, *, column: str
) -> tuple[pd.Series, np.ndarray]:
    """Parse a time-of-day column (``14:30``, ``2:30 PM``, ``1430``) to offsets from midnight.

    Blank values are allowed (the row's time of day is unknown). Returns the offsets
    (NaT where blank or bad) and the mask of rows with a parsed time.
    """
    text = values if pd.api.types.is_string_dtype(values) else values.astype("str")
    present = (text.notna() & (text != "")).to_numpy()
    text = normalize_cjk_datetimes(text)
    out = np.full(len(values), np.timedelta64("NaT", "ns"))
    remaining = present.copy()
    for attempt in range(2):
        if attempt == 1 and remaining.any():
            text = text.copy()
            text[remaining] = text[remaining].str.strip()
        for fmt in _TIME_FORMATS:
            if not remaining.any():
                break
            parsed = pd.to_datetime(text[remaining], format=fmt, errors="coerce")
            ok = parsed.notna().to_numpy()
            rows = np.flatnonzero(remaining)[ok]
            since_midnight = parsed[ok] - parsed[ok].dt.normalize()
            out[rows] = since_midnight.to_numpy(dtype="timedelta64[ns]")
            remaining[rows] = False
    issues.add_rows(
        remaining,
        column=column,
        message="unparseable time of day; expected HH:MM (00:00-23:59), HH:MM:SS or H:MM AM/PM",
        values=values,
    )
    return pd.Series(out, index=values.index), present & ~remaining


def check_timezone(timezone: str, issues: RowIssues) -> bool:
    """True when ``timezone`` is a known IANA name; otherwise records a problem."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        issues.add_file(
            f"unknown time zone {timezone!r}; expected an IANA name such as 'Asia/Shanghai' "
            "or 'America/Los_Angeles'",
            value=timezone,
        )
        return False
    return True


_BOOL_TEXT = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "是": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
    "否": False,
}


def bool_column(
    values: pd.Series, issues: RowIssues, *, column: str, default: bool = False
) -> np.ndarray:
    """A yes/no column (``true``/``false``, ``1``/``0``, ``yes``/``no``, 是/否) as booleans."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(default).to_numpy(dtype=bool)
    text = values.astype("str").str.strip().str.casefold()
    missing = (text.isna() | (text == "")).to_numpy()
    mapped = text.map(_BOOL_TEXT)
    bad = ~missing & mapped.isna().to_numpy()
    issues.add_rows(
        bad, column=column, message="not a yes/no value; expected true or false", values=values
    )
    flags = mapped.astype(object).where(mapped.notna(), default)
    return flags.to_numpy(dtype=bool)


def duplicated_ids(ids: pd.Series, issues: RowIssues, *, column: str) -> None:
    """Record every row whose id repeats an earlier row's, naming that row."""
    present = ids.notna()
    repeated = (ids.duplicated(keep="first") & present).to_numpy()
    if not repeated.any():
        return
    first_row: dict[object, int] = {}
    involved = present & ids.duplicated(keep=False)  # only ids that repeat are looked up
    for position, value in zip(np.flatnonzero(involved.to_numpy()), ids[involved], strict=True):
        first_row.setdefault(value, int(position) + 1)
    issues.add_rows(
        repeated,
        column=column,
        message=[
            f"duplicate id; expected unique ids (first used in row {first_row[v]})"
            for v in ids[repeated]
        ],
        values=ids,
    )
