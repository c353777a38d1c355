"""Settings of the service, read from ``GRIDPATROL_*`` environment variables when asked.

:class:`Settings` is created by whoever starts the service (``gridpatrol serve``, a test) and
passed to :func:`api.service.app.create_app`; nothing reads it at import time. The default
database is a SQLite file under the user's data directory, so the service runs with no
configuration; the signing secret is generated once and kept beside that file.
"""

from __future__ import annotations

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
        Largest accepted upload (413 beyond).
    rate_limit_per_minute, rate_limit_burst
        Requests each user may make per minute on average, and in a burst (429 beyond).
    plan_time_limit_s
        Largest solver time limit a plan may ask for; also the default.
    job_workers
        Plans run at the same time, each in its own process; 0 runs none (jobs stay queued,
        for tests or a separate worker).
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
    rate_limit_per_minute: float = Field(default=600.0, gt=0)
    rate_limit_burst: int = Field(default=120, ge=1)
    rate_limit_users: dict[str, PositiveFloat] = Field(default_factory=dict)
    plan_time_limit_s: float = Field(default=30.0, gt=0)
    job_workers: int = Field(default=2, ge=0)
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
        """The database URL, creating the data directory for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return sqlite_url(self.data_dir / "gridpatrol.db")

    def resolved_secret_key(self) -> str:
        """The signing secret: given, or read from (or first written to) the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE_NAME
        if path.exists():
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return text
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        return key
