"""An on-disk cache of validated risk, so a warm run does not validate the same band again.

:func:`geo.hotspots.choice.validated_band_risk` fits and scores every candidate forecaster
on the district's last weeks (seconds of work, the learners included). Its result, one score
per cell and the method chosen with its validation figures, depends only on the band's
incidents, the grid and the options, which its content key already hashes; this module keeps
that result between processes (the command line, the service's jobs, batch workers).

An entry is one ``.npz`` file (numpy arrays and JSON text, never a pickle) named by the
content key and :func:`risk_code_version` (the format number, the numerical libraries'
versions and a digest of the forecasting modules' source), so changed input or changed code
misses. Writers write a temporary file in the folder and rename it over the entry, so
concurrent writers and readers never see half a file; an unreadable entry is reported with a
:class:`RiskCacheWarning`, removed and computed again.

The folder is ``risk`` under the cache root of :mod:`geo.network.cache`
(``$GRIDPATROL_CACHE_DIR`` or the user cache directory); ``GRIDPATROL_NO_CACHE=1`` and the
command line's ``--no-cache`` turn it off, as they turn off the network cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np

from geo.network.cache import cache_root, caching_enabled

__all__ = [
    "MAX_ENTRIES",
    "RISK_CACHE_FORMAT",
    "RiskCache",
    "RiskCacheWarning",
    "default_risk_cache",
    "risk_cache_dir",
    "risk_code_version",
]

#: Layout of the entries; bump when what is stored changes.
RISK_CACHE_FORMAT = 1
#: Entries kept in the folder; beyond it the least recently used go (each is a few kB to a
#: few hundred kB: one float per cell).
MAX_ENTRIES = 2000
_SUFFIX = ".npz"
T = TypeVar("T")
# what numpy, zipfile and json raise on a truncated, overwritten or foreign file
_DAMAGED = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    zipfile.BadZipFile,
    struct.error,
)
# the libraries whose numerics decide the fitted forecasts and the bootstrap intervals
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "pandas")


class RiskCacheWarning(UserWarning):
    """A risk cache entry could not be read (it is removed and the risk computed again)."""


def risk_cache_dir() -> Path:
    """The folder of the risk cache: ``risk`` under the cache root."""
    return cache_root() / "risk"


_CODE_VERSION: str | None = None


def risk_code_version() -> str:
    """The cache version of the validated risk: the format number, the numerical libraries'
    versions and a digest of every module of :mod:`geo.hotspots`, so any change to how risk is
    forecast or validated misses the cache."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        digest = hashlib.sha256(f"format {RISK_CACHE_FORMAT}".encode())
        for package in _LIBRARIES:
            try:
                version = metadata.version(package)
            except metadata.PackageNotFoundError:
                version = "absent"
            digest.update(f"{package} {version}".encode())
        for module in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(module.name.encode())
            digest.update(module.read_bytes())
        _CODE_VERSION = f"{RISK_CACHE_FORMAT}-{digest.hexdigest()[:16]}"
    return _CODE_VERSION


class RiskCache:
    """Validated risk (scores per cell and the choice as JSON) stored in one folder.

    Parameters
    ----------
    directory
        The folder (created on the first write).
    version
        The code version entries are written and read with (default
        :func:`risk_code_version`).
    max_entries
        Entries kept; a write beyond it removes the least recently used ones.
    """

    def __init__(
        self, directory: str | Path, version: str | None = None, max_entries: int = MAX_ENTRIES
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries!r}")
        self.directory = Path(directory)
        self.version = version or risk_code_version()
        self.max_entries = max_entries

    def __repr__(self) -> str:
        return f"RiskCache({str(self.directory)!r})"

    def path_for(self, key: str) -> Path:
        """The entry of content key ``key`` under this cache's code version."""
        name = hashlib.sha256(f"{self.version}|{key}".encode()).hexdigest()[:40]
        return self.directory / f"risk-{name}{_SUFFIX}"

    @overload
    def get(self, key: str) -> tuple[np.ndarray, dict[str, Any]] | None: ...

    @overload
    def get(self, key: str, decode: Callable[[np.ndarray, dict[str, Any]], T]) -> T | None: ...

    def get(
        self, key: str, decode: Callable[[np.ndarray, dict[str, Any]], Any] | None = None
    ) -> Any:
        """``(scores, choice)`` stored under ``key`` (or ``decode(scores, choice)``), or
        ``None`` when there is none.

        An entry that cannot be read, whose stored key or version differs, or that ``decode``
        refuses (raising ``ValueError``, ``KeyError`` or ``TypeError``), is removed with a
        :class:`RiskCacheWarning` and ``None`` is returned (the caller computes again).
        """
        path = self.path_for(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as arrays:
                stored = json.loads(str(arrays["key"]))
                if stored != {"key": key, "version": self.version}:
                    raise ValueError("the stored key differs from the file name's")
                scores = np.array(arrays["scores"], dtype=float)
                choice = json.loads(str(arrays["choice"]))
            if scores.ndim != 1 or not isinstance(choice, dict):
                raise ValueError("the entry holds no score vector and choice")
            decoded = decode(scores, choice) if decode is not None else (scores, choice)
        except _DAMAGED as exc:
            warnings.warn(
                f"risk cache entry {path} is unreadable ({type(exc).__name__}: {exc}); "
                "it was removed and the risk is computed again",
                RiskCacheWarning,
                stacklevel=2,
            )
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):  # used now: the last to be pruned
            os.utime(path)
        return decoded

    def put(self, key: str, scores: np.ndarray, choice: dict[str, Any]) -> Path:
        """Store ``scores`` and ``choice`` (JSON-able) under ``key`` atomically (a temporary
        file, then a rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(key)
        handle, temporary = tempfile.mkstemp(
            dir=self.directory, prefix=f".{target.stem}-", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    allow_pickle=False,
                    key=np.array(json.dumps({"key": key, "version": self.version})),
                    scores=np.asarray(scores, dtype=float),
                    choice=np.array(json.dumps(choice)),
                )
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._prune(keep=target)
        return target

    def _prune(self, keep: Path) -> None:
        """Remove the least recently used entries beyond :attr:`max_entries`."""
        entries = list(self.directory.glob(f"risk-*{_SUFFIX}"))
        if len(entries) <= self.max_entries:
            return
        used: list[tuple[float, str, Path]] = []
        for path in entries:
            try:
                used.append((path.stat().st_mtime, path.name, path))
            except OSError:  # removed by another process meanwhile
                continue
        used.sort()
        for _, _, path in used[: max(0, len(used) - self.max_entries)]:
            if path != keep:
                path.unlink(missing_ok=True)

    def clear(self) -> int:
        """Remove every entry (and stray temporary files); returns how many entries went."""
        removed = 0
        if not self.directory.is_dir():
            return removed
        for path in sorted(self.directory.glob(f"risk-*{_SUFFIX}")):
            path.unlink(missing_ok=True)
            removed += 1
        for stray in self.directory.glob(".risk-*.tmp"):
            stray.unlink(missing_ok=True)
        return removed


def default_risk_cache() -> RiskCache | None:
    """The cache :func:`geo.hotspots.choice.validated_band_risk` uses; ``None`` when caches
    are turned off (``GRIDPATROL_NO_CACHE=1``, ``--no-cache``)."""
    if not caching_enabled():
        return None
    return RiskCache(risk_cache_dir())
