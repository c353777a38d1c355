"""The ``gridpatrol`` command line.

Each sub-command lives in its own module beside this one and registers itself on
:data:`api.cli.app.app` when imported; :data:`api.cli.app.COMMANDS` names the module of each
command so it is imported only when the command runs (``gridpatrol --help`` stays fast).
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

from api.cli.app import EXIT_USER_ERROR, UserError, app
from geo.errors import GeoInputError, NetworkError, SampleNotFoundError
from maps.errors import MapInputError
from planner.errors import PlanningError


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``gridpatrol`` console script."""
    err = Console(stderr=True, highlight=False)
    try:
        app(args=argv, standalone_mode=True)
    except (
        GeoInputError,
        NetworkError,
        SampleNotFoundError,
        PlanningError,
        MapInputError,
        UserError,
    ) as exc:
        label, text = _error_text(exc)
        err.print(f"[bold red]{escape(label)}[/] {escape(text)}", soft_wrap=True)
        sys.exit(EXIT_USER_ERROR)


def _error_text(exc: BaseException) -> tuple[str, str]:
    """``error:`` and the error's message in the language of ``--lang`` (a message the
    catalogue does not know stays as it is)."""
    from maps.i18n import Translator

    text = str(exc)
    try:
        tr = Translator(None)
    except ValueError:  # GRIDPATROL_LANG itself is wrong: that is the error reported
        return "error:", text
    return tr("cli.error"), tr.note(text)
