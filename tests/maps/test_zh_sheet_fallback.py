"""Chinese names inside an English route sheet print in the CJK fallback font, not as boxes.

A coordinator planning in English on a Chinese district's data gets stations, streets, duties
and the district named in Chinese: the English sheet sets those characters in the packaged CJK
font (embedded, subset) and keeps its Latin text in DejaVu Sans.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from maps.fonts import FONT_ENV, fallback_runs, pdf_fonts, use_font
from maps.planfile import bundle_from_document
from maps.sheets.pdf import write_pdf_sheets
from tests.maps._named_plan import named_plan

STATION = "湾街派出所"
DISTRICT = "多伦多大学辖区"
STREET = "长安街"
CROSSING = "王府井大街"


@pytest.fixture(autouse=True)
def _no_user_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_ENV, raising=False)
    use_font(None)


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return exe


def _chinese_document() -> dict[str, Any]:
    """The demo-like plan with a Chinese district, station, stop street and duty name."""
    doc = copy.deepcopy(named_plan()[0])
    doc["district"]["name"] = DISTRICT
    first_unit = doc["routes"][0]
    station_id = first_unit["start_station"]
    for feature in doc["stations"]["features"]:
        if feature["properties"]["station_id"] == station_id:
            feature["properties"]["name"] = STATION
    stop = first_unit["stops"][0]
    stop["place"] = {
        **(stop.get("place") or {}),
        "kind": "crossing",
        "name": None,
        "street": STREET,
        "street_m": 0.0,
        "crossing": CROSSING,
        "crossing_m": 0.0,
        "poi": None,
    }
    return doc


def test_fallback_runs_split_latin_and_chinese() -> None:
    fonts = pdf_fonts("en")
    assert fonts.fallback is not None
    runs = fallback_runs(f"Unit C1 · {STATION} · page 1", fonts.regular, fonts)
    assert runs == [
        (fonts.regular, "Unit C1 · "),
        (fonts.fallback, STATION),
        (fonts.regular, " · page 1"),
    ]
    assert fallback_runs("plain", fonts.regular, fonts) == [(fonts.regular, "plain")]


def test_english_sheet_prints_chinese_names_in_embedded_fonts(tmp_path: Path) -> None:
    doc = _chinese_document()
    bundle = bundle_from_document(doc)
    unit = doc["routes"][0]["unit_id"]
    paths = write_pdf_sheets(bundle, tmp_path, lang="en", units=[unit], per_unit=False)
    pdf = paths[0]
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for word in (STATION, DISTRICT, STREET, CROSSING):
        assert word in text, word
    assert "Route sheet" in text or "Unit" in text  # the sheet is still English
    fonts = subprocess.run(
        [_tool("pdffonts"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    not_embedded = [line for line in fonts if line.split()[-5] != "yes"]
    assert not_embedded == []
    assert any("DejaVuSans" in n for n in names), names
    assert any("wenquanyi" in n.lower() for n in names), names  # the CJK fallback
    png = tmp_path / "page"
    render = [_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(png)]
    subprocess.run(render, check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000
