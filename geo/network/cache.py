"""An on-disk cache of built street networks, so each OSM file is parsed and simplified once.

A cached network is one ``.npz`` file (numpy arrays and JSON text, never a pickle) holding the
node ids and coordinates, the CSR travel-time and length matrices, and every edge with its
attributes (``osmid``, ``highway``, ``name``, ``maxspeed``, ``oneway``, geometry ...), so the
osmnx graph is rebuilt exactly. Entries are keyed by the file's content hash and name, the
mode's speed profile, the working CRS asked for and the code's cache version
(:func:`code_version`): changing any of them misses. Writers write a temporary file in the
cache folder and rename it over the entry, so concurrent writers and readers never see half a
file; an unreadable entry is reported with a :class:`NetworkCacheWarning`, removed and rebuilt.

The folder is ``$GRIDPATROL_CACHE_DIR/networks`` when that variable is set, else the user
cache directory of :mod:`platformdirs`; ``GRIDPATROL_NO_CACHE=1`` turns the default cache off
(the command line's ``--no-cache``).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import time
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from geo.network.modes import Mode, ModeSpeeds, as_mode

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_FORMAT",
    "NO_CACHE_ENV",
    "CacheEntry",
    "CacheInfo",
    "NetworkCache",
    "NetworkCacheWarning",
    "NetworkKey",
    "cache_dir",
    "cache_disabled",
    "cache_root",
    "caching_enabled",
    "code_version",
    "default_cache",
    "file_sha256",
    "mode_profile",
]

#: Environment variable naming the cache root (networks go in its ``networks`` folder).
CACHE_DIR_ENV = "GRIDPATROL_CACHE_DIR"
#: Environment variable that turns the default cache off when set to 1/true/yes/on.
NO_CACHE_ENV = "GRIDPATROL_NO_CACHE"
#: Layout of the cache files; bump when the arrays written change.
CACHE_FORMAT = 1

_SUFFIX = ".npz"
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
_TRUE = frozenset({"1", "true", "yes", "on"})
# the modules whose code decides what a built network contains
_BUILDER_MODULES = ("graph.py", "modes.py", "load.py")


class NetworkCacheWarning(UserWarning):
    """A cache entry could not be read (it is removed and the network rebuilt)."""


def cache_root() -> Path:
    """The root of gridpatrol's caches: ``$GRIDPATROL_CACHE_DIR`` or the user cache folder
    (networks go in its ``networks`` folder, validated risk in ``risk``)."""
    root = os.environ.get(CACHE_DIR_ENV, "").strip()
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("gridpatrol", appauthor=False)
    return Path(root).expanduser()


def cache_dir() -> Path:
    """The folder of the network cache: ``$GRIDPATROL_CACHE_DIR/networks`` or the user cache."""
    return cache_root() / "networks"


_DISABLED: ContextVar[bool] = ContextVar("gridpatrol_network_cache_disabled", default=False)


@contextmanager
def cache_disabled() -> Iterator[None]:
    """Within this block :func:`default_cache` is ``None`` (the command line's ``--no-cache``)."""
    token = _DISABLED.set(True)
    try:
        yield
    finally:
        _DISABLED.reset(token)


def caching_enabled() -> bool:
    """``False`` when caches are turned off (``GRIDPATROL_NO_CACHE=1`` or inside
    :func:`cache_disabled`, the command line's ``--no-cache``)."""
    return not (_DISABLED.get() or os.environ.get(NO_CACHE_ENV, "").strip().casefold() in _TRUE)


def default_cache() -> NetworkCache | None:
    """The cache :func:`geo.network.load_networks` uses by default; ``None`` when turned off
    (``GRIDPATROL_NO_CACHE=1`` or inside :func:`cache_disabled`)."""
    if not caching_enabled():
        return None
    return NetworkCache(cache_dir())


_CODE_VERSION: str | None = None


def code_version() -> str:
    """The code's cache version: the format number, the osmnx version and a digest of the
    modules that build networks, so a change to how networks are built misses the cache."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        digest = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
        for package in ("osmnx", "networkx"):
            digest.update(f"{package} {metadata.version(package)}".encode())
        here = Path(__file__).parent
        for name in _BUILDER_MODULES:
            digest.update((here / name).read_bytes())
        _CODE_VERSION = f"{CACHE_FORMAT}-{digest.hexdigest()[:16]}"
    return _CODE_VERSION


_HASHES: dict[tuple[str, int, int], str] = {}


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's content (remembered per path, size and modification time)."""
    path = Path(path)
    stat = path.stat()
    memo = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _HASHES[memo] = digest.hexdigest()
    return _HASHES[memo]


def mode_profile(mode: Mode | str, speeds: ModeSpeeds | None = None) -> dict[str, Any]:
    """The part of ``speeds`` that shapes ``mode``'s network (its cache profile)."""
    mode = as_mode(mode)
    s = speeds or ModeSpeeds()
    if mode is Mode.FOOT:
        return {"mode": mode.value, "foot_kmh": s.foot_kmh}
    if mode is Mode.BICYCLE:
        return {"mode": mode.value, "bicycle_kmh": s.bicycle_kmh}
    profile: dict[str, Any] = {"mode": mode.value}
    for f in fields(s):
        if f.name.startswith("car_") and f.name != "car_straight_line_kmh":
            value = getattr(s, f.name)
            profile[f.name] = dict(sorted(value.items())) if isinstance(value, Mapping) else value
    return profile


@dataclass(frozen=True)
class NetworkKey:
    """What a cached network depends on.

    Attributes
    ----------
    file_sha256
        Content hash of the street network file.
    file_name
        The file's name (networks quote it in their notes and messages).
    mode
        The patrol mode.
    profile
        :func:`mode_profile` of the speeds used.
    crs
        The working CRS asked for, as WKT, or ``"auto"`` (the UTM zone of the network).
    version
        :func:`code_version` when the key was made.
    """

    file_sha256: str
    file_name: str
    mode: Mode
    profile: Mapping[str, Any]
    crs: str
    version: str

    @classmethod
    def for_file(
        cls,
        path: str | Path,
        mode: Mode | str,
        speeds: ModeSpeeds | None = None,
        crs: Any = None,
    ) -> NetworkKey:
        """The key of ``mode``'s network built from ``path`` with ``speeds`` in ``crs``."""
        path = Path(path)
        wkt = "auto"
        if crs is not None:
            from pyproj import CRS

            wkt = CRS(crs).to_wkt()
        mode = as_mode(mode)
        return cls(
            file_sha256(path), path.name, mode, mode_profile(mode, speeds), wkt, code_version()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "file_name": self.file_name,
            "mode": self.mode.value,
            "profile": dict(self.profile),
            "crs": self.crs,
            "version": self.version,
        }

    @property
    def digest(self) -> str:
        """The entry's file stem: a hash of every field."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class CacheEntry:
    """One cached network, as :meth:`NetworkCache.info` lists it."""

    path: Path
    size_bytes: int
    mode: str
    file_name: str
    nodes: int
    edges: int
    created: float
    current: bool


@dataclass(frozen=True)
class CacheInfo:
    """The cache folder and its entries."""

    directory: Path
    entries: tuple[CacheEntry, ...]

    @property
    def size_bytes(self) -> int:
        return sum(e.size_bytes for e in self.entries)

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "entries": len(self.entries),
            "size_bytes": self.size_bytes,
            "networks": [
                {
                    "file": e.path.name,
                    "size_bytes": e.size_bytes,
                    "mode": e.mode,
                    "source": e.file_name,
                    "nodes": e.nodes,
                    "edges": e.edges,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(e.created)),
                    "current": e.current,
                }
                for e in self.entries
            ],
        }


class NetworkCache:
    """Built street networks stored as ``.npz`` files in one folder.

    Parameters
    ----------
    directory
        The folder (created on the first write).
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"NetworkCache({str(self.directory)!r})"

    def path_for(self, key: NetworkKey) -> Path:
        return self.directory / f"{key.mode.value}-{key.digest}{_SUFFIX}"

    def get(self, key: NetworkKey) -> Any:
        """The cached :class:`~geo.network.graph.StreetNetwork` of ``key``, or ``None``.

        An entry that cannot be read, or whose stored key differs, is removed with a
        :class:`NetworkCacheWarning` and ``None`` is returned (the caller rebuilds it).
        """
        path = self.path_for(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as arrays:
                stored = json.loads(str(arrays["key"]))
                if stored != key.as_dict():
                    raise ValueError("the stored key differs from the file name's")
                from geo.network.serial import network_from_arrays

                return network_from_arrays(arrays)
        except _DAMAGED as exc:
            warnings.warn(
                f"network cache entry {path} is unreadable ({type(exc).__name__}: {exc}); "
                "it was removed and the network is rebuilt",
                NetworkCacheWarning,
                stacklevel=2,
            )
            path.unlink(missing_ok=True)
            return None

    def put(self, key: NetworkKey, network: Any) -> Path:
        """Store ``network`` under ``key`` atomically (temporary file, then rename)."""
        from geo.network.serial import network_to_arrays

        arrays = network_to_arrays(network)
        arrays["key"] = np.array(json.dumps(key.as_dict(), sort_keys=True))
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(key)
        handle, temporary = tempfile.mkstemp(
            dir=self.directory, prefix=f".{target.stem}-", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez_compressed(out, allow_pickle=False, **arrays)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    def _files(self) -> Iterator[Path]:
        if self.directory.is_dir():
            yield from sorted(self.directory.glob(f"*{_SUFFIX}"))

    def info(self) -> CacheInfo:
        """The entries (readable ones with their mode, source file and size)."""
        version = code_version()
        entries = []
        for path in self._files():
            try:
                with np.load(path, allow_pickle=False) as arrays:
                    key = json.loads(str(arrays["key"]))
                    meta = json.loads(str(arrays["meta"]))
            except _DAMAGED:
                key, meta = {"mode": "?", "file_name": "(unreadable)", "version": ""}, {}
            stat = path.stat()
            entries.append(
                CacheEntry(
                    path=path,
                    size_bytes=stat.st_size,
                    mode=str(key.get("mode", "?")),
                    file_name=str(key.get("file_name", "?")),
                    nodes=int(meta.get("nodes", 0)),
                    edges=int(meta.get("edges", 0)),
                    created=stat.st_mtime,
                    current=key.get("version") == version,
                )
            )
        return CacheInfo(self.directory, tuple(entries))

    def clear(self) -> int:
        """Remove every entry (and stray temporary files); returns how many entries went."""
        removed = 0
        for path in list(self._files()):
            path.unlink(missing_ok=True)
            removed += 1
        if self.directory.is_dir():
            for stray in self.directory.glob(".*.tmp"):
                stray.unlink(missing_ok=True)
        return removed
