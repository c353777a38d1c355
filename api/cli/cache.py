"""``gridpatrol cache info|clear``: the caches under gridpatrol's cache root: street networks
(:mod:`geo.network.cache`), validated risk choices (:mod:`geo.hotspots.riskcache`) and the
web pages' CJK font (:func:`maps.fonts.web_font_cache_dir`)."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.app import JsonOption, app, console, emit_json

cache_app = typer.Typer(
    help="Show or clear the caches (street networks, validated risk, the web font).",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def info(json_mode: JsonOption = False) -> None:
    """Where the caches are and what they hold (GRIDPATROL_CACHE_DIR moves them)."""
    from rich.table import Table

    from geo.network.cache import NetworkCache, cache_dir
    from maps.i18n import Translator

    summary = NetworkCache(cache_dir()).info().as_dict()
    summary["other"] = {name: _usage(folder) for name, folder in _other_caches().items()}
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
    for name, usage in summary["other"].items():
        con.print(tr(f"cli2.cache.{name}", files=usage["files"], mb=usage["size_bytes"] / 1e6))


@cache_app.command("clear")
def clear(json_mode: JsonOption = False) -> None:
    """Remove every cached network, risk choice and web font; the next command builds them
    again from the files."""
    from geo.hotspots.riskcache import RiskCache
    from geo.network.cache import NetworkCache, cache_dir
    from maps.i18n import Translator

    cache = NetworkCache(cache_dir())
    removed = cache.clear()
    folders = _other_caches()
    others = {
        "risk": RiskCache(folders["risk"]).clear(),
        "webfont": _clear_files(folders["webfont"]),
    }
    if json_mode:
        emit_json({"directory": str(cache.directory), "removed": removed, "other": others})
        return
    tr = Translator(None)
    con = console()
    con.print(tr("cli2.cache.cleared", n=removed, directory=cache.directory))
    con.print(tr("cli2.cache.cleared_other", risk=others["risk"], webfont=others["webfont"]))


def _other_caches() -> dict[str, Path]:
    """The folders of the caches besides the networks', by name."""
    from geo.hotspots.riskcache import risk_cache_dir
    from maps.fonts import web_font_cache_dir

    return {"risk": risk_cache_dir(), "webfont": web_font_cache_dir()}


def _usage(folder: Path) -> dict[str, int | str]:
    """How many files a cache folder holds and their size (0 for a missing folder)."""
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    return {
        "directory": str(folder),
        "files": len(files),
        "size_bytes": sum(p.stat().st_size for p in files),
    }


def _clear_files(folder: Path) -> int:
    """Remove the files of a cache folder (built again when next needed); how many went."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
