"""Start-up: ``gridpatrol --help`` and ``validate`` on a small file load only what they need;
the root help lists every command with the summary its own help gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from api.cli import main
from api.cli.app import COMMANDS, app

#: Stacks neither the help page nor validating a small CSV needs.
HEAVY = (
    "ortools",
    "osmnx",
    "networkx",
    "sklearn",
    "matplotlib",
    "folium",
    "fastapi",
    "sqlalchemy",
    "dask",
    "distributed",
    "reportlab",
    "esda",
)


def _modules_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has imported after running ``code``."""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_heavy_stack() -> None:
    loaded = _modules_after(
        "from api.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert "typer" in loaded
    assert not loaded & {*HEAVY, "geopandas", "pandas", "numpy", "pydantic"}


def test_validate_of_a_small_csv_imports_no_heavy_stack(tmp_path: Path) -> None:
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(
        "id,date,category,lat,lon\n"
        "1,2024-03-01 22:10,theft,45.52,-122.68\n"
        "2,2024-03-02 01:40,robbery,45.521,-122.679\n",
        encoding="utf-8",
    )
    loaded = _modules_after(
        "from api.cli import main\n"
        f"try:\n    main(['validate', '--incidents', {str(incidents)!r}])\n"
        "except SystemExit:\n    pass"
    )
    assert "pandas" in loaded  # it did read the file
    assert not loaded & set(HEAVY)


def test_help_lists_every_command_with_its_summary(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for name in COMMANDS:
        assert f" {name} " in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_matches_the_commands_own_help(name: str) -> None:
    import importlib

    importlib.import_module(COMMANDS[name][0])
    group = typer.main.get_group(app)
    command = group.commands[name]
    own = " ".join((command.help or "").split("\n\n")[0].split())
    summary = COMMANDS[name][1].rstrip(".")
    assert own.startswith(summary), f"COMMANDS[{name!r}] says {summary!r}; its help: {own!r}"


def test_every_command_answers_its_help(capsys: pytest.CaptureFixture) -> None:
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        assert exited.value.code == 0, name
        assert f" {name} [OPTIONS]" in capsys.readouterr().out, name


def test_no_cache_option_turns_the_cache_off_for_the_command_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from geo.network.cache import CACHE_DIR_ENV, NO_CACHE_ENV, default_cache

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(NO_CACHE_ENV, raising=False)
    seen: list[bool] = []

    def probe() -> None:
        seen.append(default_cache() is None)

    monkeypatch.setattr(app, "registered_commands", list(app.registered_commands))
    app.command("probe-cache", hidden=True)(probe)
    for argv in (["--no-cache", "probe-cache"], ["probe-cache"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0
    assert seen == [True, False]
    assert default_cache() is not None  # the option does not outlive its command
