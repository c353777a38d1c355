"""The typer application and what every command shares: console, JSON output, user errors.

User mistakes (bad input files, unknown names, impossible options) exit with code 2 and a
message, never a traceback. Command modules decorate :data:`app` and are imported by
:mod:`api.cli`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

app = typer.Typer(
    name="gridpatrol",
    help="Plan street patrols from a grid: hotspots, routes, staffing, maps and route sheets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USER_ERROR = 2

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON on stdout instead of text.")
]
OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Folder to write the outputs to (created if missing).")
]
SampleOption = Annotated[
    str,
    typer.Option(
        "--sample",
        help="Embedded sample district used when no input files are given "
        "(portland-central or toronto-uoft).",
    ),
]


def console(json_mode: bool = False) -> Console:
    """A console for human output; in JSON mode it writes to stderr so stdout stays JSON."""
    return Console(stderr=json_mode, highlight=False)


def emit_json(payload: Any) -> None:
    """Write ``payload`` as JSON to stdout (datetimes and paths as strings)."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


class UserError(Exception):
    """A mistake of the user's: reported on stderr with exit code 2, no traceback."""


@contextmanager
def progress(json_mode: bool = False) -> Iterator[Progress]:
    """A rich progress display for long steps (on stderr in JSON mode)."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console(json_mode),
        transient=False,
    )
    with bar:
        yield bar


@app.callback()
def _root() -> None:
    """Plan street patrols from a grid: hotspots, routes, staffing, maps and route sheets.

    Without input files, commands use the embedded sample district and say so.
    """
