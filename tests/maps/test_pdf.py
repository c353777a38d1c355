"""PDF route sheets, rendered to PNG and read back as text (staffing: tests/maps/staffing)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from maps.bundle import PlanBundle
from maps.errors import MapInputError
from maps.sheets.pdf import write_pdf_sheets


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _render(pdftoppm: str, path: Path) -> list[Path]:
    subprocess.run([pdftoppm, "-r", "40", "-png", str(path), str(path.with_suffix(""))], check=True)
    pngs = sorted(path.parent.glob(path.stem + "-*.png"))
    assert pngs and all(p.stat().st_size > 2000 for p in pngs)
    return pngs


def test_english_sheets(bundle: PlanBundle, tmp_path: Path, pdftoppm: str) -> None:
    paths = write_pdf_sheets(bundle, tmp_path, lang="en")
    assert bundle.plan is not None
    assert [p.name for p in paths] == ["route_sheets.pdf"] + [
        f"route_{r.unit_id}.pdf" for r in bundle.plan.routes
    ]
    _render(pdftoppm, paths[0])
    text = _text(paths[0])
    route = next(r for r in bundle.plan.routes if r.stops)
    stop = route.stops[0]
    for expected in ("Route sheet", route.unit_id, "Arrive", "Dwell", "Unit leader", "Totals:"):
        assert expected in text, expected
    assert stop.label.split(" (")[0] in text
    hh, mm = divmod(round(stop.arrival_s / 60), 60)
    assert f"{hh % 24:02d}:{mm:02d}" in text
    assert "2024-03-05 16:00" in text


def test_chinese_sheets(bundle: PlanBundle, tmp_path: Path, pdftoppm: str) -> None:
    path = write_pdf_sheets(bundle, tmp_path, lang="zh-CN", per_unit=False)[0]
    _render(pdftoppm, path)
    text = _text(path)
    for expected in (
        "巡逻路线单",
        "到达",
        "离开",
        "停留",
        "带班人签字",
        "2024年3月5日",
        "次日00:00",
    ):
        assert expected in text, expected
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in PdfReader(path).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in f or "CJK" in f or "Droid" in f or "STSong" in f for f in fonts)


def test_unknown_unit_is_named(bundle: PlanBundle, tmp_path: Path) -> None:
    with pytest.raises(MapInputError, match=r"unknown unit ids \['X9'\]"):
        write_pdf_sheets(bundle, tmp_path, units=["X9"])
