"""``gridpatrol cache info|clear``: the street network cache (:mod:`geo.network.cache`)."""

from __future__ import annotations

import typer

from api.cli.app import JsonOption, app, console, emit_json

cache_app = typer.Typer(
    help="Show or clear the street network cache.", no_args_is_help=True, add_completion=False
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def info(json_mode: JsonOption = False) -> None:
    """Where the network cache is and what it holds (GRIDPATROL_CACHE_DIR moves it)."""
    from rich.table import Table

    from geo.network.cache import NetworkCache, cache_dir
    from maps.i18n import Translator

    summary = NetworkCache(cache_dir()).info().as_dict()
    if json_mode:
        emit_json(summary)
        return
    tr = Translator(None)
    con = console()
    con.print(
        tr(
            "cli2.cache.info",
            directory=summary["directory"],
            entries=summary["entries"],
            mb=summary["size_bytes"] / 1e6,
        )
    )
    if summary["networks"]:
        columns = ("mode", "source", "nodes", "edges", "mb", "written", "current")
        table = Table(*(tr(f"cli2.cache.col.{c}") for c in columns))
        for n in summary["networks"]:
            table.add_row(
                tr.mode(n["mode"]),
                n["source"],
                f"{n['nodes']:,}",
                f"{n['edges']:,}",
                f"{n['size_bytes'] / 1e6:.1f}",
                n["created"],
                tr("cli2.cache.yes") if n["current"] else tr("cli2.cache.stale"),
            )
        con.print(table)


@cache_app.command("clear")
def clear(json_mode: JsonOption = False) -> None:
    """Remove every cached network; the next command builds them again from the files."""
    from geo.network.cache import NetworkCache, cache_dir
    from maps.i18n import Translator

    cache = NetworkCache(cache_dir())
    removed = cache.clear()
    if json_mode:
        emit_json({"directory": str(cache.directory), "removed": removed})
        return
    tr = Translator(None)
    console().print(tr("cli2.cache.cleared", n=removed, directory=cache.directory))
