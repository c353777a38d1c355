"""Fonts for PDFs (reportlab) and charts (matplotlib), all coming with the install.

Every PDF embeds every font it uses (subset by reportlab), so a page reads the same on a machine
without any font package:

- **Latin text** (``en``): DejaVu Sans, regular and bold, the files matplotlib ships in its
  ``mpl-data`` folder (matplotlib is a dependency anyway).
- **Chinese text** (``zh-CN``): WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0), a TrueType
  (``glyf``) CJK font installed from PyPI with the project (package ``paperang-p2-fonts-cjk``);
  it holds Latin letters and digits as well. Its licence and attribution are in
  ``maps/assets/fonts/`` (see the README there).

A user can name their own TrueType font: ``--font FILE`` on the commands that write PDFs and
charts, or ``GRIDPATROL_FONT`` for the service; a bare file name (``msyh.ttc``) is looked up in
the usual font folders of Linux, Windows (``C:\\Windows\\Fonts``) and macOS
(``/System/Library/Fonts``, ``/Library/Fonts``, ``~/Library/Fonts``). ``FILE#N`` picks face
``N`` of a ``.ttc`` collection. Fonts with PostScript (CFF) outlines, such as most ``.otf`` files
and Debian's Noto Sans CJK, cannot be embedded by reportlab and are refused with that reason.
When the packaged font is missing (an install without dependencies), TrueType CJK fonts in those
folders are tried; when none is found a :class:`FontError` says what to install.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from maps.i18n import check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

#: Environment variable naming the font of PDFs and charts (the service's ``--font``).
FONT_ENV: Final = "GRIDPATROL_FONT"

#: The packaged CJK font: (distribution's import name, file inside it).
PACKAGED_CJK: Final = ("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc")

#: TrueType CJK fonts looked for in the system's folders when the packaged one is missing, in
#: order of preference: (file name, face index of a collection).
SYSTEM_CJK_FILES: Final[tuple[tuple[str, int], ...]] = (
    ("wqy-microhei.ttc", 0),
    ("wqy-zenhei.ttc", 0),
    ("DroidSansFallbackFull.ttf", 0),
    ("msyh.ttc", 0),  # Windows: Microsoft YaHei
    ("simhei.ttf", 0),  # Windows: SimHei
    ("simsun.ttc", 0),  # Windows: SimSun
    ("Arial Unicode.ttf", 0),  # macOS
    ("STHeiti Light.ttc", 0),  # macOS
    ("Songti.ttc", 0),  # macOS
    ("uming.ttc", 0),
)


class FontError(ValueError):
    """A font that cannot be used (missing, not TrueType) or no CJK font at all."""


@dataclass(frozen=True)
class FontFile:
    """A TrueType font file and the face of it to use (``0`` unless a ``.ttc`` says otherwise)."""

    path: Path
    index: int = 0

    def __str__(self) -> str:
        return f"{self.path}#{self.index}" if self.index else str(self.path)


@dataclass(frozen=True)
class PdfFonts:
    """Regular and bold font names registered with reportlab, and where they came from."""

    regular: str
    bold: str
    source: str
    embedded: bool = True
    #: Font for characters the regular one lacks (Chinese names in an English PDF), or ``None``.
    fallback: str | None = None
    regular_file: FontFile | None = None


def font_folders() -> list[Path]:
    """The usual font folders of this system, those of Linux, Windows and macOS alike."""
    home = Path.home()
    folders = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts",
        home / "AppData/Local/Microsoft/Windows/Fonts",
        Path("/System/Library/Fonts"),
        Path("/System/Library/Fonts/Supplemental"),
        Path("/Library/Fonts"),
        home / "Library/Fonts",
    ]
    return folders


def _walk(folder: Path) -> Iterator[Path]:
    try:
        yield from (p for p in folder.rglob("*") if p.is_file())
    except OSError:
        return


def find_font_file(name: str) -> Path | None:
    """The first file called ``name`` (case ignored) under :func:`font_folders`, or ``None``."""
    wanted = name.lower()
    for folder in font_folders():
        if not folder.is_dir():
            continue
        direct = folder / name
        if direct.is_file():
            return direct
        for path in _walk(folder):
            if path.name.lower() == wanted:
                return path
    return None


def parse_font(spec: str | Path) -> FontFile:
    """The font file of ``spec``: a path, or a file name found in the font folders; ``#N``
    after it picks face ``N`` of a collection.

    Raises
    ------
    FontError
        If no such file exists, naming where it was looked for.
    """
    text = str(spec).strip()
    index = 0
    head, sep, tail = text.rpartition("#")
    if sep and tail.isdigit():
        text, index = head, int(tail)
    path = Path(text).expanduser()
    if path.is_file():
        return FontFile(path, index)
    if path.name == text:  # a bare name: look in the font folders
        found = find_font_file(text)
        if found is not None:
            return FontFile(found, index)
    where = ", ".join(str(f) for f in font_folders() if f.is_dir()) or "no font folder found"
    raise FontError(
        f"font {str(spec)!r}: no such file (looked in: {where}); give the path of a TrueType "
        "font (.ttf or .ttc), e.g. --font /path/to/font.ttf or GRIDPATROL_FONT=/path/to/font.ttf"
    )


_CHOSEN: dict[str, FontFile] = {}


def use_font(spec: str | Path | None) -> FontFile | None:
    """Make ``spec`` the font of every PDF and chart written by this process (``--font``);
    ``None`` goes back to the default (``GRIDPATROL_FONT``, else the packaged fonts).

    The file is checked at once (exists, TrueType outlines), so a bad ``--font`` fails before
    any work is done.
    """
    if spec is None or not str(spec).strip():
        _CHOSEN.clear()
        return None
    font = parse_font(spec)
    _register(font)  # raises FontError for CFF outlines
    _CHOSEN["font"] = font
    return font


def user_font() -> FontFile | None:
    """The font the user named (:func:`use_font`, else ``GRIDPATROL_FONT``), or ``None``."""
    if "font" in _CHOSEN:
        return _CHOSEN["font"]
    env = os.environ.get(FONT_ENV, "").strip()
    return parse_font(env) if env else None


def packaged_cjk_font() -> FontFile | None:
    """The CJK font installed with the project (WenQuanYi Micro Hei), or ``None``."""
    package, name = PACKAGED_CJK
    if find_spec(package) is None:
        return None
    path = Path(str(resources.files(package).joinpath(name)))
    return FontFile(path) if path.is_file() else None


@cache
def _system_cjk_font() -> FontFile | None:
    for name, index in SYSTEM_CJK_FILES:
        found = find_font_file(name)
        if found is not None:
            return FontFile(found, index)
    return None


def cjk_font() -> FontFile:
    """The font for Chinese text: the user's, else the packaged one, else a system one.

    Raises
    ------
    FontError
        If there is none, with what to install or which option to give.
    """
    chosen = user_font() or packaged_cjk_font() or _system_cjk_font()
    if chosen is None:
        raise FontError(
            "no TrueType CJK font found: reinstall gridpatrol with its dependencies "
            "(pip install paperang-p2-fonts-cjk) or name one with --font FILE / "
            f"{FONT_ENV}=FILE (e.g. C:\\Windows\\Fonts\\msyh.ttc)"
        )
    return chosen


def latin_fonts() -> tuple[FontFile, FontFile]:
    """DejaVu Sans regular and bold, as shipped by matplotlib."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return FontFile(folder / "DejaVuSans.ttf"), FontFile(folder / "DejaVuSans-Bold.ttf")


def text_fonts(lang: str) -> tuple[FontFile, FontFile]:
    """(regular, bold) font files for text in ``lang``; the user's font is both when given."""
    code = check_lang(lang)
    chosen = user_font()
    if chosen is not None:
        return chosen, chosen
    if code == "zh-CN":
        cjk = cjk_font()
        return cjk, cjk  # WenQuanYi Micro Hei has no bold face
    return latin_fonts()


_REGISTERED: dict[FontFile, str] = {}


def _register(font: FontFile) -> str:
    """Register ``font`` with reportlab (once) and return its name there."""
    if font in _REGISTERED:
        return _REGISTERED[font]
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not font.path.is_file():
        raise FontError(f"font {str(font.path)!r}: no such file")
    name = f"GP-{len(_REGISTERED)}-{font.path.stem.replace(' ', '')}"
    try:
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.index))
    except (TTFError, OSError, IndexError, KeyError) as exc:
        raise FontError(
            f"font {str(font)!r} cannot be embedded in a PDF ({exc}); use a font with TrueType "
            "outlines (.ttf/.ttc), not PostScript/CFF ones (most .otf files, Noto Sans CJK)"
        ) from None
    _REGISTERED[font] = name
    return name


def pdf_fonts(lang: str, *, cjk_font_path: str | Path | None = None) -> PdfFonts:
    """Register and return the (embedded) fonts a PDF in ``lang`` needs.

    Parameters
    ----------
    lang
        ``"en"`` (DejaVu Sans) or ``"zh-CN"`` (WenQuanYi Micro Hei).
    cjk_font_path
        A TrueType font to use instead (``FILE`` or ``FILE#N``), for any language.

    Raises
    ------
    FontError
        If the font cannot be found or embedded.
    """
    if cjk_font_path is not None:
        chosen = parse_font(cjk_font_path)
        regular = bold = chosen
    else:
        regular, bold = text_fonts(lang)
    fallback = None
    if regular != bold or cjk_font_path is None:
        try:
            cjk = cjk_font()
        except FontError:
            cjk = None
        if cjk is not None and cjk != regular:
            fallback = _register(cjk)
            from reportlab.pdfbase import pdfmetrics

            # ``<b>`` around a fallback run: the CJK face has no bold, it stands in for both
            pdfmetrics.registerFontFamily(
                fallback, normal=fallback, bold=fallback, italic=fallback, boldItalic=fallback
            )
    fonts = PdfFonts(
        _register(regular), _register(bold), str(regular), True, fallback, regular_file=regular
    )
    _embedded_defaults()
    from reportlab.pdfbase import pdfmetrics

    # ``<b>`` in a paragraph then picks the bold face rather than a standard (unembedded) font
    pdfmetrics.registerFontFamily(
        fonts.regular,
        normal=fonts.regular,
        bold=fonts.bold,
        italic=fonts.regular,
        boldItalic=fonts.bold,
    )
    return fonts


def _embedded_defaults() -> None:
    """Point reportlab's own defaults at an embedded font.

    A table cell sets its style's font even when it holds only paragraphs, and a graphics
    drawing (a QR code) sets the graphics state's font even when it draws no text: both would
    list a standard font (Helvetica, Times-Roman) in the PDF, unembedded. No text is ever set
    in these defaults here (every paragraph names its font), so DejaVu Sans, always at hand,
    stands in for them in every document of the process.
    """
    if "defaults" in _REGISTERED_DEFAULTS:
        return
    from reportlab.graphics import shapes
    from reportlab.platypus import tables

    name = _register(latin_fonts()[0])
    tables.CellStyle.fontname = name
    shapes.STATE_DEFAULTS["fontName"] = name
    _REGISTERED_DEFAULTS["defaults"] = name


_REGISTERED_DEFAULTS: dict[str, str] = {}


def fallback_markup(markup: str, fonts: PdfFonts) -> str:
    """``markup`` (reportlab paragraph text, already escaped) with each run of characters the
    regular font has no glyph for set in the fallback font, so a Chinese area name in an
    English PDF prints instead of empty boxes."""
    if fonts.fallback is None or fonts.regular_file is None or markup.isascii():
        return markup
    cmap = _cmap(fonts.regular_file)
    out: list[str] = []
    run: list[str] = []
    for ch in markup:
        if ord(ch) in cmap or ch.isspace():
            if run:
                out.append(f'<font name="{fonts.fallback}">{"".join(run)}</font>')
                run = []
            out.append(ch)
        else:
            run.append(ch)
    if run:
        out.append(f'<font name="{fonts.fallback}">{"".join(run)}</font>')
    return "".join(out)


def fallback_runs(text: str, font_name: str, fonts: PdfFonts) -> list[tuple[str, str]]:
    """``text`` (plain, not markup) cut into ``(font name, run)`` pieces: characters the
    regular font has no glyph for in the fallback font, the rest in ``font_name``."""
    if fonts.fallback is None or fonts.regular_file is None or text.isascii():
        return [(font_name, text)] if text else []
    cmap = _cmap(fonts.regular_file)
    runs: list[tuple[str, str]] = []
    for ch in text:
        name = font_name if ord(ch) in cmap or ch.isspace() else fonts.fallback
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    return runs


def draw_fallback_string(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    *,
    font_name: str,
    size: float,
    fonts: PdfFonts,
    align: str = "left",
) -> None:
    """Draw one line of ``text`` on a reportlab canvas at ``(x, y)`` (``align`` ``left`` or
    ``right`` of ``x``), characters the regular font lacks set in the fallback font: a
    Chinese district name in an English page header prints instead of empty boxes."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = fallback_runs(text, font_name, fonts)
    width = sum(stringWidth(run, name, size) for name, run in runs)
    start = x - width if align == "right" else x
    for name, run in runs:
        canvas.setFont(name, size)
        canvas.drawString(start, y, run)
        start += stringWidth(run, name, size)


def pdf_canvas_options(fonts: PdfFonts) -> dict[str, object]:
    """Keyword arguments for reportlab's document templates so that the canvas starts in an
    embedded font (its default, Helvetica, would otherwise be listed unembedded)."""
    return {"initialFontName": fonts.regular, "initialFontSize": 9}


def font_properties(lang: str, *, size: float | None = None, bold: bool = False) -> FontProperties:
    """matplotlib font properties for text in ``lang`` (the same files as the PDFs)."""
    from matplotlib.font_manager import FontProperties

    regular, heavy = text_fonts(lang)
    font = heavy if bold else regular
    return FontProperties(fname=str(font.path), size=size)


def apply_figure_font(fig: Figure, lang: str) -> None:
    """Set every text of ``fig`` (titles, labels, legends, tick labels) in the font of ``lang``,
    keeping each text's size; call it after drawing and before saving."""
    from matplotlib.text import Text

    def set_all() -> None:
        for text in fig.findobj(Text):
            weight = text.get_fontweight()
            is_bold = weight == "bold" or (isinstance(weight, int) and weight >= 600)
            size = float(text.get_fontsize())
            text.set_fontproperties(font_properties(lang, size=size, bold=is_bold))

    set_all()
    fig.draw_without_rendering()  # lays out the axes: their tick labels now exist
    set_all()


def missing_glyphs(text: str, font: FontFile) -> set[str]:
    """The characters of ``text`` (other than spaces and controls) that ``font`` has no glyph
    for: they would print as empty boxes."""
    cmap = _cmap(font)
    return {ch for ch in set(text) if ch.isprintable() and not ch.isspace() and ord(ch) not in cmap}


@cache
def _cmap(font: FontFile) -> frozenset[int]:
    from fontTools.ttLib import TTFont as ToolsFont

    with ToolsFont(str(font.path), fontNumber=font.index, lazy=True) as face:
        return frozenset(face.getBestCmap())


def matplotlib_cjk_font() -> str | None:
    """The file of the font for Chinese chart labels, or ``None`` when there is none."""
    try:
        return str(cjk_font().path)
    except FontError:
        return None


def describe_fonts(lang: str) -> str:
    """Which font files text in ``lang`` is set in (for ``--json`` outputs and notes)."""
    regular, bold = text_fonts(lang)
    return str(regular) if regular == bold else f"{regular}, {bold}"


# ---- the web pages' font (a subset of the CJK font, served by the service)

#: Family name of the web pages' CJK face (``@font-face`` in the service's font stylesheet).
WEB_FONT_FAMILY: Final = "gridpatrol-cjk"
#: Layout of a web font cache entry; bump when what goes into the subset changes.
WEB_FONT_FORMAT: Final = 1
#: Characters below this code point stay in the page's ordinary (Latin) font.
_CJK_START: Final = 0x2E80
#: What the face's ``unicode-range`` declares: the CJK blocks (radicals, symbols and
#: punctuation, kana, bopomofo, enclosed and compatibility forms, unified ideographs and
#: extension A, compatibility ideographs, vertical and small forms, full-width forms). A
#: character of these blocks the subset lacks falls through to the next font of the list.
WEB_FONT_UNICODE_RANGE: Final = (
    "U+2E80-2FDF, U+3000-33FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FE10-FE1F, "
    "U+FE30-FE4F, U+FF00-FFEF"
)
_WEB_RANGES: Final = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x33FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)
#: Web font entries kept in the cache folder (each is about 0.6 MB as WOFF).
WEB_FONT_MAX_ENTRIES: Final = 4


@dataclass(frozen=True)
class WebFont:
    """A subset of the CJK font for the web pages, in a browser format."""

    data: bytes
    #: ``"woff2"`` (when fontTools can use brotli) or ``"woff"``.
    format: str
    #: Content key: changes with the font file, the characters, the format and fontTools.
    key: str
    #: How many characters the subset maps to glyphs.
    characters: int
    #: The font file it was cut from.
    source: FontFile
    #: The font's family name, as its name table states it.
    family: str

    @property
    def media_type(self) -> str:
        """The media type of :attr:`data` (``font/woff2`` or ``font/woff``)."""
        return f"font/{self.format}"

    @property
    def file_name(self) -> str:
        """A file name for :attr:`data` naming its content key (``gridpatrol-cjk-KEY.woff``)."""
        return f"{WEB_FONT_FAMILY}-{self.key}.{self.format}"


def gb2312_characters() -> str:
    """The characters of GB 2312 (its symbols, level 1 and level 2 hanzi: 7,445), in code order:
    the common-use set of simplified Chinese, enough for ordinary place and street names."""
    out: list[str] = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                out.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(out)


def _in_web_range(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _WEB_RANGES)


def web_font_characters() -> str:
    """The characters of the web pages' CJK subset: GB 2312 and every character of the Chinese
    message catalogue, kept to the blocks of :data:`WEB_FONT_UNICODE_RANGE` (Latin text keeps
    the page's ordinary font), sorted."""
    from maps.messages import MESSAGES

    chars = set(gb2312_characters())
    for texts in MESSAGES.values():
        chars.update(texts.get("zh-CN", ""))
    return "".join(sorted(c for c in chars if _in_web_range(ord(c))))


def woff2_available() -> bool:
    """Whether fontTools can write WOFF2 here (it needs ``brotli`` or ``brotlicffi``)."""
    return find_spec("brotli") is not None or find_spec("brotlicffi") is not None


def _file_digest(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def web_font_key(font: FontFile, chars: str, flavor: str) -> str:
    """The content key of a web subset: the font file's digest and face, the characters, the
    format, :data:`WEB_FONT_FORMAT` and the fontTools version (16 hex digits)."""
    import hashlib

    import fontTools

    parts = [
        str(WEB_FONT_FORMAT),
        _file_digest(font.path),
        str(font.index),
        hashlib.sha256(chars.encode("utf-8")).hexdigest(),
        flavor,
        str(fontTools.version),
    ]
    return hashlib.sha256("\n".join(parts).encode("ascii")).hexdigest()[:16]


def build_web_font(font: FontFile, chars: str, flavor: str) -> bytes:
    """A subset of ``font`` holding the glyphs of ``chars``, as ``flavor`` (``woff2``/``woff``).

    Hinting and the layout tables are dropped: browsers' font sanitiser (OTS) refuses this
    font's old hinting, and the pages need no shaping for Chinese.
    """
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont as ToolsFont

    options = subset.Options()
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "gasp", "DSIG"]
    options.flavor = flavor
    with ToolsFont(str(font.path), fontNumber=font.index, lazy=False) as face:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(face)
        face.flavor = flavor
        out = io.BytesIO()
        face.save(out)
    return out.getvalue()


def _family_name(font: FontFile) -> str:
    from fontTools.ttLib import TTFont as ToolsFont

    with ToolsFont(str(font.path), fontNumber=font.index, lazy=True) as face:
        name = face["name"].getBestFamilyName() if "name" in face else None
    return str(name or font.path.stem)


def web_font_cache_dir() -> Path:
    """The folder of built web fonts: ``webfont`` under gridpatrol's cache root
    (``$GRIDPATROL_CACHE_DIR`` or the user cache directory)."""
    from geo.network.cache import cache_root

    return cache_root() / "webfont"


def _read_cached(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # a WOFF file starts with its signature; anything else (a truncated write) is rebuilt
    return data if data[:4] in (b"wOFF", b"wOF2") else None


def _write_cached(folder: Path, name: str, data: bytes) -> None:
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, folder / name)
        entries = sorted(
            (p for p in folder.glob(f"{WEB_FONT_FAMILY}-*") if p.name != name),
            key=lambda p: p.stat().st_mtime,
        )
        for old in entries[: max(0, len(entries) - (WEB_FONT_MAX_ENTRIES - 1))]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only cache: the font is built again by the next process


def _web_flavor(flavor: str | None) -> str:
    chosen = flavor or ("woff2" if woff2_available() else "woff")
    if chosen not in ("woff", "woff2"):
        raise FontError(f"web font format {chosen!r}: use woff or woff2")
    return chosen


_WEB_KEYS: dict[tuple[FontFile, str], str] = {}
_WEB_FONTS: dict[tuple[FontFile, str], WebFont] = {}
#: One build at a time; the key has its own lock, so a stylesheet never waits for a build.
_WEB_FONT_LOCK = threading.Lock()
_WEB_KEY_LOCK = threading.Lock()


def web_font_file_name(*, flavor: str | None = None) -> str:
    """The file name :func:`web_font` will have (``gridpatrol-cjk-KEY.woff``), without building
    it: a stylesheet can name the font at once while the font itself is built on request.

    Raises
    ------
    FontError
        If there is no CJK font.
    """
    font = cjk_font()
    chosen = _web_flavor(flavor)
    with _WEB_KEY_LOCK:
        if (font, chosen) not in _WEB_KEYS:
            _WEB_KEYS[(font, chosen)] = web_font_key(font, web_font_characters(), chosen)
        key = _WEB_KEYS[(font, chosen)]
    return f"{WEB_FONT_FAMILY}-{key}.{chosen}"


def web_font(*, flavor: str | None = None) -> WebFont:
    """The web pages' CJK subset of :func:`cjk_font` (the user's font, else the packaged one),
    covering :func:`web_font_characters`; WOFF2 when fontTools can write it, else WOFF.

    Built once (about 2 s of CPU) and kept in memory, and on disk in
    :func:`web_font_cache_dir` under its content key, so the next process reads it (a few
    milliseconds); ``GRIDPATROL_NO_CACHE=1`` keeps it in memory only.

    Raises
    ------
    FontError
        If there is no CJK font.
    """
    font = cjk_font()
    chosen = _web_flavor(flavor)
    with _WEB_FONT_LOCK:  # one build at a time: concurrent first requests wait for it
        if (font, chosen) not in _WEB_FONTS:
            _WEB_FONTS[(font, chosen)] = _load_web_font(font, chosen)
        return _WEB_FONTS[(font, chosen)]


def _load_web_font(font: FontFile, chosen: str) -> WebFont:
    from geo.network.cache import caching_enabled

    chars = web_font_characters()
    name = web_font_file_name(flavor=chosen)
    key = name.removeprefix(f"{WEB_FONT_FAMILY}-").removesuffix(f".{chosen}")
    folder = web_font_cache_dir()
    data = _read_cached(folder / name) if caching_enabled() else None
    if data is None:
        data = build_web_font(font, chars, chosen)
        if caching_enabled():
            _write_cached(folder, name, data)
    covered = len(set(chars) & {chr(c) for c in _cmap(font)})
    return WebFont(data, chosen, key, covered, font, _family_name(font))


__all__ = [
    "FONT_ENV",
    "WEB_FONT_FAMILY",
    "WEB_FONT_UNICODE_RANGE",
    "FontError",
    "FontFile",
    "PdfFonts",
    "WebFont",
    "apply_figure_font",
    "cjk_font",
    "describe_fonts",
    "draw_fallback_string",
    "fallback_markup",
    "fallback_runs",
    "find_font_file",
    "font_folders",
    "font_properties",
    "gb2312_characters",
    "latin_fonts",
    "matplotlib_cjk_font",
    "missing_glyphs",
    "packaged_cjk_font",
    "parse_font",
    "pdf_canvas_options",
    "pdf_fonts",
    "text_fonts",
    "use_font",
    "user_font",
    "web_font",
    "web_font_characters",
    "web_font_file_name",
    "woff2_available",
]
