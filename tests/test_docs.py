"""The documentation's examples run as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.slow
def test_the_library_example_in_architecture_md_runs(tmp_path: Path, capsys) -> None:
    (block,) = python_blocks(ROOT / "docs" / "architecture.md")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(block, "docs/architecture.md", "exec"), {})
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out.split()
    assert printed[0] == "18-02"
    pdf = tmp_path / "out" / "library" / "sheets" / "route_sheets.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "out" / "library" / "plan.json").is_file()
    assert (tmp_path / "out" / "library" / "sheets" / "route_sheets.csv").is_file()
