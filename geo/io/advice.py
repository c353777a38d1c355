"""How the fixes suggested in reader messages are spelled: as library arguments, command-line
flags or service request fields, so that every message names something its reader can type.

The readers take an :class:`Advice` (library spelling by default); ``api`` passes
:data:`CLI_ADVICE` or :data:`SERVICE_ADVICE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["library", "cli", "service"]


@dataclass(frozen=True)
class Advice:
    """Spells the options a message suggests, for one way of calling the readers.

    Parameters
    ----------
    style
        ``"library"`` (``columns=IncidentColumns(date='x')``), ``"cli"``
        (``--columns date=x``) or ``"service"`` (the ``columns`` request field).
    """

    style: Style = "library"

    def columns(self, **roles: str) -> str:
        """The option naming source columns, e.g. ``columns(date="x")``."""
        if self.style == "library":
            inner = ", ".join(f"{role}={name!r}" for role, name in roles.items())
            return f"columns=IncidentColumns({inner})"
        pairs = ",".join(f"{role}={name}" for role, name in roles.items())
        if self.style == "cli":
            return f"--columns {pairs}"
        return f"the columns field ({pairs})"

    def datetime_format(self, fmt: str | None = None) -> str:
        """The option giving the date format (``fmt`` quoted when given)."""
        value = "" if fmt is None else fmt
        if self.style == "library":
            return f"datetime_format={value!r}" if fmt else "datetime_format="
        if self.style == "cli":
            return f"--datetime-format '{value}'" if fmt else "--datetime-format"
        return f"the datetime_format field ({value})" if fmt else "the datetime_format field"

    def crs(self, example: str) -> str:
        """The option giving the CRS of the coordinates, with an example value."""
        if self.style == "library":
            return f"crs={example!r}"
        if self.style == "cli":
            return f"--crs {example}"
        return f"the crs field ({example})"

    def keep_valid(self) -> str:
        """The option that keeps the valid rows and writes the rejected ones."""
        if self.style == "library":
            return "keep_valid=True with rejected_path="
        if self.style == "cli":
            return "--keep-valid"
        return "the keep_valid field (true)"

    def sheet(self) -> str:
        """The option choosing a worksheet of a workbook."""
        if self.style == "library":
            return "sheet="
        if self.style == "cli":
            return "--sheet"
        return "the sheet field"


LIBRARY_ADVICE = Advice("library")
CLI_ADVICE = Advice("cli")
SERVICE_ADVICE = Advice("service")
