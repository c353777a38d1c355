"""Fonts for PDFs: Helvetica for English, an embedded CJK font for Chinese.

reportlab embeds only TrueType-outlined fonts. Debian's ``fonts-noto-cjk`` ships Noto Sans CJK
with PostScript (CFF) outlines, which reportlab rejects ("postscript outlines are not
supported"), so for ``zh-CN`` the first TrueType CJK font found is embedded: WenQuanYi Zen Hei
(``fonts-wqy-zenhei``), Droid Sans Fallback (``fonts-droid-fallback``), AR PL UMing
(``fonts-arphic-uming``), or a Noto CJK file should a TrueType build be installed. Without any,
reportlab's built-in ``STSong-Light`` CID font is used: it needs no file, but the PDF then
relies on the reader's Asian font pack, and a warning says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from maps.i18n import check_lang

#: TrueType CJK fonts to embed, in order of preference: (file, subfont index of a .ttc).
CJK_FONT_FILES: Final[tuple[tuple[str, int], ...]] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
)
FALLBACK_CID = "STSong-Light"


@dataclass(frozen=True)
class PdfFonts:
    """Regular and bold font names registered with reportlab, and where they came from."""

    regular: str
    bold: str
    source: str
    embedded: bool


def _register_first(name: str, candidates: tuple[tuple[str, int], ...]) -> str | None:
    """Register the first usable font file of ``candidates`` as ``name``; return its path."""
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        try:
            font = TTFont(name, path, subfontIndex=index)
        except TTFError:
            continue  # e.g. CFF outlines, which reportlab cannot embed
        pdfmetrics.registerFont(font)
        return path
    return None


_REGISTERED: dict[str, str | None] = {}


def pdf_fonts(lang: str, *, cjk_font_path: str | Path | None = None) -> PdfFonts:
    """Register and return the fonts a PDF in ``lang`` needs.

    Parameters
    ----------
    lang
        ``"en"`` (Helvetica) or ``"zh-CN"`` (Noto Sans CJK SC, else ``STSong-Light``).
    cjk_font_path
        A ``.ttc``/``.ttf``/``.otf`` CJK font to use instead of the system's.
    """
    if check_lang(lang) == "en":
        return PdfFonts("Helvetica", "Helvetica-Bold", "reportlab standard fonts", False)
    if cjk_font_path is not None:
        path = Path(cjk_font_path)
        if not path.is_file():
            raise ValueError(f"cjk_font_path: no font file at {str(path)!r}")
        name = f"GP-CJK-{path.stem}"
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except TTFError as exc:
                raise ValueError(
                    f"cjk_font_path: reportlab cannot embed {str(path)!r}: {exc}"
                ) from None
        return PdfFonts(name, name, str(path), True)
    if "cjk" not in _REGISTERED:
        _REGISTERED["cjk"] = _register_first("GP-CJK", CJK_FONT_FILES)
    found = _REGISTERED["cjk"]
    if found is not None:
        return PdfFonts("GP-CJK", "GP-CJK", found, True)
    warnings.warn(
        "no TrueType CJK font found (install fonts-wqy-zenhei); using reportlab's built-in "
        f"{FALLBACK_CID} CID font, which the PDF reader must supply",
        stacklevel=2,
    )
    if FALLBACK_CID not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    return PdfFonts(FALLBACK_CID, FALLBACK_CID, f"{FALLBACK_CID} (not embedded)", False)


def matplotlib_cjk_font() -> str | None:
    """A CJK font file for matplotlib labels, or ``None`` when none is installed."""
    for path, _ in (*CJK_FONT_FILES, ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0)):
        if Path(path).is_file():
            return path
    return None
