"""Fonts that come with the install: every PDF embeds every font it uses, Chinese text is
extractable, the Chinese charts have no empty glyph boxes, and none of it needs a system font
package (checked with the system font folders hidden)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from pypdf import PdfReader

from maps import fonts
from maps.bundle import PlanBundle
from maps.fonts import (
    FONT_ENV,
    FontError,
    apply_figure_font,
    cjk_font,
    latin_fonts,
    missing_glyphs,
    packaged_cjk_font,
    parse_font,
    pdf_fonts,
    use_font,
)
from maps.messages import MESSAGES
from maps.sheets.pdf import write_pdf_sheets
from maps.staffing import curves_png, staffing_page_input, write_staffing_pdf
from tests.planner.staffing.curves import hand_result

REPO = Path(__file__).resolve().parents[2]


def _pdffonts(path: Path) -> list[dict[str, str]]:
    """The rows of ``pdffonts`` (poppler): name, type and whether each font is embedded."""
    exe = shutil.which("pdffonts")
    if exe is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    out = subprocess.run([exe, str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name, type (1-2 words), encoding, emb, sub, uni, object, id
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "line": line})
    return rows


def _all_embedded(path: Path) -> list[dict[str, str]]:
    rows = _pdffonts(path)
    assert rows, f"{path.name}: no fonts at all"
    assert [r["line"] for r in rows if r["emb"] != "yes"] == [], path.name
    assert all(r["sub"] == "yes" for r in rows), "fonts are embedded as subsets"
    return rows


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.fixture(autouse=True)
def _no_user_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_ENV, raising=False)
    use_font(None)


def test_the_chinese_font_comes_with_the_install() -> None:
    packaged = packaged_cjk_font()
    assert packaged is not None, "paperang-p2-fonts-cjk is a dependency of gridpatrol"
    assert packaged.path.name == "wqy-microhei.ttc"
    assert "site-packages" in str(packaged.path) or "dist-packages" in str(packaged.path)
    assert cjk_font() == packaged  # preferred to whatever the system has
    assert pdf_fonts("zh-CN").source == str(packaged)
    assert pdf_fonts("en").source.endswith("DejaVuSans.ttf")
    assert (REPO / "maps/assets/fonts/LICENSE-Apache-2.0.txt").is_file()


def test_without_system_fonts_the_install_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "font_folders", list)
    fonts._system_cjk_font.cache_clear()
    assert cjk_font() == packaged_cjk_font()


def test_every_catalogue_text_has_glyphs_in_its_font() -> None:
    zh = "".join(v["zh-CN"] for v in MESSAGES.values())
    # web pages are drawn by the browser's fonts (and show Chinese column examples in English)
    en = "".join(v["en"] for k, v in MESSAGES.items() if not k.startswith("web."))
    assert missing_glyphs(zh, cjk_font()) == set()
    regular, bold = latin_fonts()
    # English texts may quote a Chinese term (见警率): those characters come from the
    # fallback font (maps.fonts.fallback_markup), never from nowhere
    assert missing_glyphs("".join(missing_glyphs(en, regular)), cjk_font()) == set()
    assert missing_glyphs("".join(missing_glyphs(en, bold)), cjk_font()) == set()
    assert pdf_fonts("en").fallback is not None
    # the check can fail: DejaVu has no Chinese
    assert "巡" in missing_glyphs(zh, regular)


def test_chinese_route_sheets_embed_every_font(
    bundle: PlanBundle, tmp_path: Path, pdftoppm: str
) -> None:
    paths = write_pdf_sheets(bundle, tmp_path, lang="zh-CN")
    for path in paths:
        rows = _all_embedded(path)
        assert any("WenQuanYi" in r["name"] for r in rows)
        assert not any("Helvetica" in r["name"] or "STSong" in r["name"] for r in rows)
    text = _text(paths[0])
    for label in ("巡逻路线单", "巡组", "到达", "停留", "带班人签字"):
        assert label in text, label


def test_english_route_sheets_embed_every_font(bundle: PlanBundle, tmp_path: Path) -> None:
    path = write_pdf_sheets(bundle, tmp_path, lang="en", per_unit=False)[0]
    rows = _all_embedded(path)
    assert {r["name"].split("+")[1] for r in rows} <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert "Route sheet" in _text(path)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_staffing_pdf_embeds_every_font(tmp_path: Path, lang: str) -> None:
    page = staffing_page_input(hand_result(), "示例辖区")
    path = write_staffing_pdf(page, tmp_path / f"staffing_{lang}.pdf", lang=lang)
    _all_embedded(path)
    text = _text(path)
    assert "示例辖区" in text
    if lang == "zh-CN":
        assert "缺口" in text and "巡防力量" in text


def _glyph_warnings(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if "missing from" in str(w.message)]


def test_chinese_chart_has_no_empty_glyph_boxes() -> None:
    curves = hand_result().proposal.curves
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        png = curves_png(curves, title="示例辖区：巡组规模与风险覆盖率", lang="zh-CN")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert _glyph_warnings(record) == []


def test_glyph_box_check_can_fail() -> None:
    """The same title in matplotlib's default font does warn: the check above means something."""
    fig = Figure(figsize=(2, 1))
    fig.suptitle("巡组规模")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig.savefig(os.devnull, format="png")
    assert _glyph_warnings(record)
    fig = Figure(figsize=(2, 1))
    fig.suptitle("巡组规模")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        apply_figure_font(fig, "zh-CN")
        fig.savefig(os.devnull, format="png")
    assert _glyph_warnings(record) == []


def test_chinese_glyphs_are_drawn_not_boxes() -> None:
    """Pixels of a Chinese word in the chosen font differ from the font's .notdef boxes."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def pixels(text: str, lang: str | None) -> np.ndarray:
        fig = Figure(figsize=(2, 0.6), dpi=80)
        fig.text(0.05, 0.3, text, fontsize=20)
        if lang:
            apply_figure_font(fig, lang)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., 0] < 128

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boxes = pixels("巡逻班", None)  # DejaVu: three .notdef boxes
    drawn = pixels("巡逻班", "zh-CN")
    other = pixels("夜早白", "zh-CN")
    assert drawn.sum() > 0 and not np.array_equal(drawn, boxes)
    assert not np.array_equal(drawn, other)  # different characters, different shapes


def test_user_font_is_used_and_checked(
    monkeypatch: pytest.MonkeyPatch, bundle: PlanBundle, tmp_path: Path
) -> None:
    dejavu = latin_fonts()[0]
    monkeypatch.setenv(FONT_ENV, str(dejavu.path))
    assert pdf_fonts("zh-CN").source == str(dejavu.path)
    monkeypatch.delenv(FONT_ENV)
    use_font(dejavu.path.name)  # a bare file name is looked up; here it is not in the folders?
    assert fonts.user_font() is not None
    use_font(None)
    with pytest.raises(FontError, match=r"no such file .*--font"):
        use_font(tmp_path / "missing.ttf")
    bad = tmp_path / "not-a-font.ttf"
    bad.write_bytes(b"OTTO" + b"\0" * 64)
    with pytest.raises(FontError, match="cannot be embedded"):
        use_font(bad)
    assert parse_font(f"{dejavu.path}#0").index == 0


def test_cff_fonts_are_refused_with_the_reason() -> None:
    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not noto.is_file():
        pytest.skip("no CFF font on this machine to try")
    with pytest.raises(FontError, match="TrueType"):
        use_font(noto)


FRESH_MACHINE = """
import warnings
warnings.simplefilter("error")
from pathlib import Path
from maps.fonts import cjk_font, packaged_cjk_font
from maps.staffing import curves_png, staffing_page_input, write_staffing_pdf
from tests.planner.staffing.curves import hand_result
assert cjk_font() == packaged_cjk_font()
result = hand_result()
curves_png(result.proposal.curves, title="示例辖区", lang="zh-CN")
write_staffing_pdf(staffing_page_input(result, "示例"), Path(r"{out}"), lang="zh-CN")
print("ok")
"""


def test_on_a_machine_without_font_packages(tmp_path: Path) -> None:
    """``/usr/share/fonts`` hidden behind an empty tmpfs (a private mount namespace): the
    Chinese chart and PDF are written with no warning, and the PDF embeds its fonts."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root to hide the system fonts")
    out = tmp_path / "staffing_zh-CN.pdf"
    script = tmp_path / "fresh.py"
    script.write_text(FRESH_MACHINE.replace("{out}", str(out)), encoding="utf-8")
    inner = (
        f"mount -t tmpfs none /usr/share/fonts && cd {REPO} && "
        f"PYTHONPATH={REPO} {sys.executable} {script}"
    )
    done = subprocess.run(
        [unshare, "--mount", "sh", "-c", inner], capture_output=True, text=True, timeout=300
    )
    if "Operation not permitted" in done.stderr or "cannot" in done.stderr[:200]:
        pytest.skip(f"cannot make a mount namespace here: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
    assert done.stderr.strip() == ""
    _all_embedded(out)
