"""Bounded reading of uploaded files: one place that decides how much work an upload may cause.

Every upload route copies the file with :func:`save_upload` into a temporary folder it owns
(``tempfile.TemporaryDirectory``), then hands the path to its reader. :func:`save_upload`

* refuses the upload once more than :attr:`UploadLimits.max_bytes` have been read (413) - the
  request body itself is also counted while it streams in (``BodySizeLimit`` in
  :mod:`api.service.app`), so a chunked upload without a length is refused early too;
* answers a full disk with 507 (:class:`~api.service.errors.InsufficientStorageError`) and
  removes what it had written;
* checks the copy with :func:`check_upload` before any reader opens it: a zip (zipped
  Shapefile, ``.xlsx``, ``.kmz``) may hold at most :attr:`UploadLimits.max_members` members,
  :attr:`UploadLimits.max_unpacked_bytes` bytes unpacked and a compression ratio of
  :attr:`UploadLimits.max_ratio`; a zip given as a Shapefile must hold a ``.shp``; GeoJSON,
  GeoPackage, Shapefile and CSV files at most :attr:`UploadLimits.max_features` features or rows.

Problems of the file's content are :class:`geo.errors.GeoInputError` (422, naming the file and
what to do); sizes over a limit are 413.

Example (a route of a new upload kind)::

    with tempfile.TemporaryDirectory(prefix="gridpatrol-upload-") as tmp:
        path = save_upload(
            file, Path(tmp), upload_limits(state.settings), suffixes=(".osm", ".pbf")
        )
        ...read path...
"""

from __future__ import annotations

import errno
import os
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from api.service.errors import InsufficientStorageError, UploadTooLargeError
from geo.errors import GeoInputError, Problem

if TYPE_CHECKING:
    from api.service.settings import Settings

#: Bytes copied at a time.
CHUNK_BYTES = 1024 * 1024

#: Suffixes read as zip archives.
ZIP_SUFFIXES = frozenset({".zip", ".xlsx", ".kmz"})
#: Suffixes whose features :func:`check_upload` counts through GDAL.
VECTOR_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".shp", ".fgb", ".zip", ".kml", ".kmz"})
#: Suffixes whose lines :func:`check_upload` counts.
TEXT_TABLE_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})


class UploadSource(Protocol):
    """What :func:`save_upload` needs of an upload (FastAPI's ``UploadFile`` has it)."""

    filename: str | None
    file: BinaryIO


@dataclass(frozen=True)
class UploadLimits:
    """How much work one upload may cause.

    Attributes
    ----------
    max_bytes
        Largest file as sent (413 beyond).
    max_unpacked_bytes
        Largest total size of a zip's members once unpacked (413 beyond).
    max_members
        Most members of a zip (413 beyond).
    max_ratio
        Largest ratio of a zip's unpacked to packed size (413 beyond: a zip bomb).
    max_features
        Most features of a vector file or data rows of a CSV file (413 beyond).
    """

    max_bytes: int
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_members: int = 200
    max_ratio: float = 200.0
    max_features: int = 300_000


def upload_limits(settings: Settings) -> UploadLimits:
    """The service's upload limits (``GRIDPATROL_MAX_UPLOAD_MB`` and friends)."""
    return UploadLimits(
        max_bytes=settings.max_upload_bytes,
        max_unpacked_bytes=int(settings.max_unpacked_mb * 1024 * 1024),
        max_members=settings.max_upload_members,
        max_features=settings.max_upload_features,
    )


def safe_upload_name(name: str | None, default: str) -> str:
    """The base name of an uploaded file with unusual characters replaced (kept for messages)."""
    from api.service.districts import safe_filename

    return safe_filename(name, default)


def _write(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (the one place a copy writes, so tests can fill the
    disk)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def save_upload(
    upload: UploadSource,
    folder: Path,
    limits: UploadLimits,
    *,
    default_name: str = "upload.csv",
    suffixes: Collection[str] | None = None,
    zip_must_hold: Collection[str] | None = (".shp",),
) -> Path:
    """Copy ``upload`` into ``folder`` within ``limits`` and check it (:func:`check_upload`).

    Parameters
    ----------
    upload
        The uploaded file (FastAPI ``UploadFile``); read from its start.
    folder
        An existing folder the caller removes afterwards (a ``TemporaryDirectory``).
    limits
        The bounds (:func:`upload_limits` gives the service's).
    default_name
        File name when the client sent none (its suffix says how the file is read).
    suffixes
        Accepted file name suffixes (lower case, with the dot); ``None`` accepts any.
    zip_must_hold
        Suffixes one of which a ``.zip`` must hold (a zipped Shapefile by default); ``None``
        accepts any zip.

    Returns
    -------
    Path
        The copy, named like the upload (:func:`safe_upload_name`), created 0600.

    Raises
    ------
    UploadTooLargeError
        (413) Over a limit; nothing is left in ``folder``.
    InsufficientStorageError
        (507) The disk is full; nothing is left in ``folder``.
    GeoInputError
        (422) An empty file, a suffix not in ``suffixes``, a zip that is not one or lacks
        what ``zip_must_hold`` asks for.
    """
    path = folder / safe_upload_name(upload.filename, default_name)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise GeoInputError(
            [
                Problem(
                    path.name,
                    f"files ending {path.suffix or '(no suffix)'!r} are not read here; expected "
                    f"one of {', '.join(sorted(suffixes))}",
                )
            ]
        )
    size = 0
    upload.file.seek(0)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            while chunk := upload.file.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise UploadTooLargeError(limits.max_bytes)
                _write(fd, chunk)
        finally:
            os.close(fd)
        if size == 0:
            raise GeoInputError([Problem(path.name, "the file is empty; expected its content")])
        check_upload(path, limits, zip_must_hold=zip_must_hold)
    except OSError as exc:
        path.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorageError(
                "the server's disk is full: the upload was not stored; try again later or ask "
                "the administrator to free space"
            ) from None
        raise
    except (UploadTooLargeError, GeoInputError):
        path.unlink(missing_ok=True)
        raise
    return path


def check_upload(
    path: Path, limits: UploadLimits, *, zip_must_hold: Collection[str] | None = (".shp",)
) -> None:
    """Check a stored upload against ``limits`` before it is read (see the module docstring).

    Raises
    ------
    UploadTooLargeError
        (413) Naming the limit that was passed.
    GeoInputError
        (422) A zip that cannot be opened, or lacks what ``zip_must_hold`` asks for.
    """
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        check_zip(path, limits, must_hold=zip_must_hold if suffix == ".zip" else None)
    if suffix in VECTOR_SUFFIXES:
        check_feature_count(path, limits)
    elif suffix in TEXT_TABLE_SUFFIXES:
        check_line_count(path, limits)


def check_zip(path: Path, limits: UploadLimits, *, must_hold: Collection[str] | None) -> None:
    """Bound a zip's members, unpacked size and compression ratio; check what it holds.

    Raises
    ------
    UploadTooLargeError
        Too many members, too large unpacked, or compressed beyond ``max_ratio``.
    GeoInputError
        Not a zip, or none of its members ends with one of ``must_hold``.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise GeoInputError([Problem(path.name, f"cannot open the file as a zip: {exc}")]) from None
    if len(members) > limits.max_members:
        raise UploadTooLargeError(
            limits.max_bytes,
            detail=f"{path.name}: the zip holds {len(members)} members; at most "
            f"{limits.max_members} are read (zip only the files that belong together)",
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise UploadTooLargeError(
            limits.max_bytes,
            detail=f"{path.name}: the zip unpacks to {unpacked / 1024 / 1024:.0f} MB; at most "
            f"{limits.max_unpacked_bytes / 1024 / 1024:g} MB are read (split the data)",
        )
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > 1024 * 1024 and unpacked / packed > limits.max_ratio:
        raise UploadTooLargeError(
            limits.max_bytes,
            detail=f"{path.name}: the zip is compressed {unpacked / packed:.0f} to 1; at most "
            f"{limits.max_ratio:g} to 1 is read (a file this compressible is not real data)",
        )
    if must_hold is not None:
        wanted = tuple(s.lower() for s in must_hold)
        names = [m.filename for m in members if not m.is_dir()]
        if not any(n.lower().endswith(wanted) for n in names):
            shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            raise GeoInputError(
                [
                    Problem(
                        path.name,
                        f"the zip holds no {' or '.join(wanted)} file (it holds: "
                        f"{shown or 'nothing'}); a zip must be a Shapefile (.shp with its "
                        ".dbf, .shx and .prj); upload a CSV, GeoJSON or GeoPackage file as "
                        "it is, not zipped",
                    )
                ]
            )


def check_feature_count(path: Path, limits: UploadLimits) -> None:
    """Bound the features of every layer of a vector file (counted by GDAL, not read).

    A file GDAL cannot open is left to the reader, which names the problem.

    Raises
    ------
    UploadTooLargeError
        When a layer holds more than ``max_features`` features.
    """
    import pyogrio

    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        total = 0
        for layer in layers:
            count = int(pyogrio.read_info(path, layer=layer, force_feature_count=True)["features"])
            total += max(0, count)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return
    if total > limits.max_features:
        raise UploadTooLargeError(
            limits.max_bytes,
            detail=f"{path.name}: the file holds {total} features; at most "
            f"{limits.max_features} are read (split it by time or area)",
        )


def check_line_count(path: Path, limits: UploadLimits) -> None:
    """Bound the lines of a text table (the header and ``max_features`` rows; quoted line
    breaks count too, so this errs on the side of refusing only what is surely too long).

    Raises
    ------
    UploadTooLargeError
        When the file has more than ``max_features + 1`` lines.
    """
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            lines += chunk.count(b"\n")
            if lines > limits.max_features + 1:
                raise UploadTooLargeError(
                    limits.max_bytes,
                    detail=f"{path.name}: the file has more than {limits.max_features} rows; "
                    f"at most {limits.max_features} are read (split it by time or area)",
                )
