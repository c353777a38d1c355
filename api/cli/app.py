"""The typer application and what every command shares: console, JSON output, user errors.

User mistakes (bad input files, unknown names, impossible options) exit with code 2 and a
message, never a traceback. Command modules decorate :data:`app` and are imported by
:mod:`api.cli`.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:  # typer's own copy of click, the one its groups and commands are built on
    from rich.progress import Progress
    from typer import _click as click

#: Every command: ``name: (module, summary)``. A command's module is imported only when the
#: command runs or shows its own help, so ``gridpatrol --help`` lists the summaries without
#: loading the geo, planning and service stacks (``tests/api/test_cli_startup.py`` checks the
#: summaries against the commands' own help).
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "api.cli.demo",
        "Run the main job on an embedded sample district and write its outputs to OUT.",
    ),
    "hotspots": (
        "api.cli.hotspots",
        "Write the hotspot table (CSV, GeoJSON) per band: score, rank, Gi*, counts, peak hours.",
    ),
    "evaluate": (
        "api.cli.hotspots",
        "Backtest the forecasting methods per shift band: hit rate, PAI and PEI*.",
    ),
    "plan": (
        "api.cli.plan",
        "Plan one shift: hotspot visits, posts, lines and the coverage floor, routed per unit.",
    ),
    "map": (
        "api.cli.maps_cmds",
        "Write the patrol map (risk, hotspots, incidents, unit routes) as one HTML file.",
    ),
    "sheets": (
        "api.cli.maps_cmds",
        "Write route sheets per unit and as one bundle (PDF, XLSX, CSV, GPX, GeoJSON).",
    ),
    "batch": (
        "api.cli.batch",
        "Plan many districts and shifts at once on Dask (a local cluster or a scheduler).",
    ),
    "serve": ("api.cli.serve", "Run the REST service (API docs at /docs)."),
    "staffing": (
        "api.cli.staffing",
        "Propose staffing: norms, workload curves, staggered shifts and a weekly roster.",
    ),
    "validate": (
        "api.cli.validate",
        "Check input files and print what they hold: counts, time span, categories, problems.",
    ),
    "cache": (
        "api.cli.cache",
        "Show or clear the caches (street networks, validated risk, the web font).",
    ),
    "user": ("api.cli.users", "Service users: add them and mint API tokens."),
    "review": (
        "api.cli.review",
        "The review cycle: a plan against its GPS tracks, the monthly evaluation of areas.",
    ),
}


class LazyGroup(TyperGroup):
    """The root command group: lists :data:`COMMANDS` and imports a command's module only
    when that command is run (or asked for its own ``--help``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        # listing for the help page: a stand-in carrying the summary
        return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in COMMANDS and args[0] not in self.commands:
            self._load(args[0])
        return super().resolve_command(ctx, args)

    def _load(self, name: str) -> None:
        importlib.import_module(COMMANDS[name][0])
        built = typer.main.get_group(app)
        for other, command in built.commands.items():
            self.commands.setdefault(other, command)


app = typer.Typer(
    name="gridpatrol",
    help="Plan street patrols from a grid: hotspots, routes, staffing, maps and route sheets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
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
    # imported here: `gridpatrol --help` does not draw progress bars
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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


NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Build street networks from their files and validate risk afresh, not from the "
        "caches (see `gridpatrol cache info`).",
    ),
]


@app.callback()
def _root(
    ctx: typer.Context,
    no_cache: NoCacheOption = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="GRIDPATROL_LANG",
            help="Language of the files written, their labels and what the commands print "
            "(tables, notes, progress, errors): en or zh-CN (a command's own --lang wins).",
        ),
    ] = None,
    font: Annotated[
        str | None,
        typer.Option(
            "--font",
            envvar="GRIDPATROL_FONT",
            help="TrueType font (.ttf/.ttc, FILE#N for a face of a collection) for the text "
            "of PDFs and charts; default: the fonts installed with gridpatrol.",
        ),
    ] = None,
) -> None:
    """Plan street patrols from a grid: hotspots, routes, staffing, maps and route sheets.

    Without input files, commands use the embedded sample district and say so.
    """
    _locale_options(lang, font)
    if no_cache:
        from geo.network.cache import cache_disabled

        ctx.with_resource(cache_disabled())


def _locale_options(lang: str | None, font: str | None) -> None:
    """Apply ``--lang`` (read back by :func:`maps.i18n.default_lang`) and ``--font``."""
    import os

    from maps.fonts import FontError, use_font
    from maps.i18n import LANG_ENV, check_lang

    try:
        if lang is not None:
            os.environ[LANG_ENV] = check_lang(lang)
        use_font(font)
    except (ValueError, FontError) as exc:
        raise typer.BadParameter(str(exc)) from None
