"""Make a map HTML self-contained: inline the JavaScript and CSS it would load from CDNs.

The files are vendored under ``maps/assets/`` (Leaflet 1.9.3, jQuery 3.7.1 (folium's popups
use it), Leaflet.markercluster 1.1.0,
Leaflet.fullscreen 3.0.0, Leaflet-MiniMap 3.6.1, with their licences) and folium's own
``leaflet_heat.min.js``. Images the CSS refers to become data URIs. A page written this way
opens with no network at all (tiles aside: use ``tiles="none"`` fully offline).
"""

from __future__ import annotations

import base64
import mimetypes
import re
from importlib import resources
from pathlib import Path
from typing import Final

ASSET_DIR: Final = Path(__file__).with_name("assets")

#: CDN address (as folium writes it) → vendored file under ASSET_DIR ("folium:" = folium's).
ASSETS: Final[dict[str, str]] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "leaflet.markercluster/leaflet.markercluster.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster/MarkerCluster.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (  # noqa: E501
        "leaflet.markercluster/MarkerCluster.Default.css"
    ),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": (
        "leaflet.fullscreen/Control.FullScreen.js"
    ),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": (
        "leaflet.fullscreen/Control.FullScreen.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js": (
        "leaflet-minimap/Control.MiniMap.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css": (
        "leaflet-minimap/Control.MiniMap.min.css"
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": (  # noqa: E501
        "folium:templates/leaflet_heat.min.js"
    ),
}

_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/>')
_URL = re.compile(r"url\((?!data:|#)['\"]?([^'\")]+)['\"]?\)")


def _read(key: str) -> tuple[str, Path | None]:
    if key.startswith("folium:"):
        text = resources.files("folium").joinpath(key.removeprefix("folium:")).read_text("utf-8")
        return text, None
    path = ASSET_DIR / key
    return path.read_text(encoding="utf-8"), path.parent


def _inline_urls(css: str, folder: Path | None) -> str:
    """Replace ``url(relative)`` in ``css`` with data URIs of the files beside it."""
    if folder is None:
        return css

    def repl(match: re.Match[str]) -> str:
        target = folder / match.group(1)
        if not target.is_file():
            return match.group(0)
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _URL.sub(repl, css)


def external_urls(html: str) -> list[str]:
    """The script and stylesheet addresses ``html`` would load from the network."""
    return [u for u in _SCRIPT.findall(html) + _CSS.findall(html) if "://" in u]


def embed_assets(html: str) -> str:
    """Return ``html`` with every known CDN script and stylesheet inlined.

    Raises
    ------
    ValueError
        If the page needs a script or stylesheet that is not vendored (naming its address),
        since the page would then not be self-contained.
    """
    unknown = [u for u in external_urls(html) if u not in ASSETS]
    if unknown:
        raise ValueError(
            f"cannot embed assets: no vendored copy of {unknown}; add it to maps/assets"
        )

    def script(match: re.Match[str]) -> str:
        text, _ = _read(ASSETS[match.group(1)])
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"

    def css(match: re.Match[str]) -> str:
        text, folder = _read(ASSETS[match.group(1)])
        return "<style>" + _inline_urls(text, folder) + "</style>"

    html = _SCRIPT.sub(lambda m: script(m) if "://" in m.group(1) else m.group(0), html)
    return _CSS.sub(lambda m: css(m) if "://" in m.group(1) else m.group(0), html)


#: The family name of the font :func:`embed_font` adds to a page.
PAGE_FONT = "gridpatrol-sans"

_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def page_characters(html: str) -> str:
    """Every character the page can show: its text and the ``\\uXXXX`` escapes of its scripts."""
    chars = set(html) | {chr(int(h, 16)) for h in _ESCAPED.findall(html)}
    return "".join(sorted(c for c in chars if c.isprintable()))


def subset_font_bytes(font_path: str | Path, text: str, *, index: int = 0) -> bytes:
    """A TrueType subset of the font (face ``index``) holding the glyphs of ``text``."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    # Browsers' font sanitiser (OTS) refuses this font's old hinting and private tables.
    options.hinting = False
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "gasp", "DSIG"]
    with TTFont(str(font_path), fontNumber=index, lazy=False) as face:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(face)
        out = io.BytesIO()
        face.save(out)
    return out.getvalue()


def embed_font(html: str) -> str:
    """``html`` with a subset of an installed font (:mod:`maps.fonts`) inlined as a web font
    and used for all its text, so labels show on a machine without a Chinese font (a station
    PC without the font pack, a server taking screenshots): the English font when it has every
    character of the page, else the Chinese one (which has Latin letters too)."""
    from maps.fonts import missing_glyphs, text_fonts

    text = page_characters(html)
    regular, _ = text_fonts("en")
    if missing_glyphs(text, regular):
        regular, _ = text_fonts("zh-CN")
    data = subset_font_bytes(regular.path, text, index=regular.index)
    encoded = base64.b64encode(data).decode("ascii")
    style = (
        f'<style>@font-face{{font-family:"{PAGE_FONT}";'
        f'src:url("data:font/ttf;base64,{encoded}") format("truetype");}}'
        f'body,.leaflet-container,.leaflet-container *{{font-family:"{PAGE_FONT}",'
        "sans-serif !important;}</style>"
    )
    head_end = html.find("</head>")
    if head_end < 0:
        return style + html
    return html[:head_end] + style + html[head_end:]
