"""Settings of the service, read from ``GRIDPATROL_*`` environment variables when asked.

:class:`Settings` is created by whoever starts the service (``gridpatrol serve``, a test) and
passed to :func:`api.service.app.create_app`; nothing reads it at import time. The default
database is a SQLite file under the user's data directory, so the service runs with no
configuration; the signing secret is generated once and kept beside that file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE_NAME = "secret_key"


def default_data_dir() -> Path:
    """The user's data directory for gridpatrol.

    ``platformdirs`` decides where it is installed; otherwise ``$XDG_DATA_HOME/gridpatrol``
    or ``~/.local/share/gridpatrol``.
    """
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is usually present
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "gridpatrol"
    return Path(platformdirs.user_data_dir("gridpatrol", appauthor=False))


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) with mode 0700, or narrow it to 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def private_file(path: Path, *, make_folder: bool = False) -> None:
    """Create ``path`` empty with mode 0600 if missing, or narrow it to 0600; with
    ``make_folder`` its folder is created 0700 first."""
    if make_folder:
        private_folder(path.parent)
    if not path.exists():
        # Never open (and close) a file SQLite may have open in this process: closing any
        # descriptor of it drops the process's POSIX locks on it and can corrupt the database.
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another database or an in-memory one)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


class Settings(BaseSettings):
    """Everything the service can be told; each field is ``GRIDPATROL_<NAME>`` in the environment.

    Attributes
    ----------
    database_url
        SQLAlchemy URL; default a SQLite file ``gridpatrol.db`` in :attr:`data_dir`. For
        PostgreSQL with PostGIS: ``postgresql+psycopg://user@host:5432/dbname``.
    data_dir
        Where the default database and the generated secret live.
    secret_key
        Signs access tokens (HS256). When not given it is generated on first run and stored in
        ``<data_dir>/secret_key`` (mode 0600), so tokens survive restarts.
    access_token_minutes
        Lifetime of the JWT access tokens the password flow issues.
    max_upload_mb
        Largest accepted upload (413 beyond), counted while the request streams in.
    max_unpacked_mb, max_upload_members, max_upload_features
        Largest unpacked size and most members of an uploaded zip (a zipped Shapefile, an
        ``.xlsx``), and most features or rows of an uploaded file (413 beyond; see
        :mod:`api.service.uploads`).
    rate_limit_per_minute, rate_limit_burst
        Requests each user may make per minute on average, and in a burst (429 beyond).
    plan_time_limit_s
        Largest solver time limit a plan may ask for; also the default.
    web_threads, long_request_threads
        Worker threads of each web process for ordinary requests (default 40, anyio's) and,
        in a lane of their own, for long ones (default 4: an OSM extract or incident file
        read, hotspots, a grid, sheets, a review, a sign-in's password check; see
        :mod:`api.service.lanes`). However many long requests run, at most this many share
        the interpreter lock with the ordinary ones; the others wait their turn.
    active_requests, admission_wait_s
        Ordinary requests of each web process that run at once (default 8); the others wait
        in arrival order, each at most ``admission_wait_s`` seconds (default 30; then 503
        with ``Retry-After``). See :mod:`api.service.lanes`.
    gc_full_every_s
        Longest time (seconds, default 120) between two full collections of the garbage
        collector in a web process, which otherwise runs them when the process is idle or
        after a long request, never by CPython's own count (a full collection stops every
        request of the process; see :mod:`api.service.collector`); 0 leaves CPython's
        schedule.
    job_workers
        Jobs this server runs at the same time; 0 runs none (they stay queued for another
        server on the database). See also ``job_lease_s`` (a claimed job's lease, renewed
        every fifth of it; only an expired lease marks a job interrupted) and
        ``dask_scheduler`` (``tcp://host:8786``: hand jobs to that Dask scheduler instead of
        local worker processes).
    job_nice
        How much lower the CPU priority of a local job process is than the server's (POSIX
        ``nice``, 0-19; default 10): requests are answered first and the solver takes the
        CPU left over, so a plan on a busy machine is as good as the CPU it had.
    shared_rate_limit
        Keep the rate limit's buckets in the database (table ``rate_limit_buckets``, created
        when missing), so a limit reached through one web process holds in all of them; on by
        itself under ``gridpatrol serve --web-workers N`` with N > 1. Set it for several
        ``serve`` processes (or machines) on one database.
    rate_limit_users
        Per-user rates (requests a minute; the burst scales with it) by user name, overriding
        ``rate_limit_per_minute`` for those users, e.g. ``{"loadtest": 1000000}`` for a load
        test's API user (``GRIDPATROL_RATE_LIMIT_USERS='{"loadtest": 1000000}'``).
    staffing_max_units, staffing_time_limit_s
        Caps of a staffing run: the largest fleet on a coverage curve and the solver time per
        point of a curve (also the defaults).
    map_cache_size
        Rendered HTML maps kept in memory (finished plans never change, so a map is drawn
        once per plan, language and options); 0 turns the cache off.
    cookie_secure
        Mark the web sign-in cookie ``Secure``; ``None`` (default) does so when the request
        came over HTTPS.
    tiles, tianditu_key
        Base map of the HTML maps (``osm``, ``carto``, ``tianditu`` ...) and its key.
    """

    model_config = SettingsConfigDict(env_prefix="GRIDPATROL_", extra="ignore")

    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    secret_key: str | None = None
    access_token_minutes: int = Field(default=60, ge=1)
    jwt_algorithm: Literal["HS256"] = "HS256"
    max_upload_mb: float = Field(default=50.0, gt=0)
    max_unpacked_mb: float = Field(default=200.0, gt=0)
    max_upload_members: int = Field(default=200, ge=1)
    max_upload_features: int = Field(default=300_000, ge=1)
    rate_limit_per_minute: float = Field(default=600.0, gt=0)
    rate_limit_burst: int = Field(default=120, ge=1)
    rate_limit_users: dict[str, PositiveFloat] = Field(default_factory=dict)
    shared_rate_limit: bool = False
    plan_time_limit_s: float = Field(default=30.0, gt=0)
    web_threads: int = Field(default=40, ge=1, le=256)
    long_request_threads: int = Field(default=4, ge=1, le=64)
    active_requests: int = Field(default=8, ge=1, le=256)
    admission_wait_s: float = Field(default=30.0, gt=0, le=3600)
    gc_full_every_s: float = Field(default=120.0, ge=0, le=3600)
    job_workers: int = Field(default=2, ge=0)
    job_lease_s: float = Field(default=15.0, ge=0.5, le=3600)
    job_nice: int = Field(default=10, ge=0, le=19)
    dask_scheduler: str | None = Field(default=None, max_length=500)
    staffing_max_units: int = Field(default=6, ge=1, le=50)
    staffing_time_limit_s: float = Field(default=2.0, gt=0)
    map_cache_size: int = Field(default=64, ge=0)
    cookie_secure: bool | None = None
    tiles: str = "osm"
    tianditu_key: str | None = None
    run_migrations: bool = True

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def resolved_database_url(self) -> str:
        """The database URL; for SQLite the file is created 0600 (its journal and WAL files
        take the same mode) and the default's data directory 0700."""
        if self.database_url:
            path = sqlite_file(self.database_url)
            if path is not None:
                private_file(path, make_folder=not path.parent.exists())
            return self.database_url
        self.private_data_dir()
        path = self.data_dir / "gridpatrol.db"
        private_file(path)
        return sqlite_url(path)

    def private_data_dir(self) -> Path:
        """:attr:`data_dir`, created (or narrowed to) mode 0700."""
        private_folder(self.data_dir)
        return self.data_dir

    def resolved_secret_key(self) -> str:
        """The signing secret: given, or read from (or first written to) the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE_NAME
        if path.exists():
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return text
        self.private_data_dir()
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        return key
