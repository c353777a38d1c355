"""Map layers, one module per layer type; each adds itself to a ``folium.Map``.

Every layer takes data in the working CRS and a :class:`maps.coords.Projector` that converts
to the display coordinates (WGS-84 or GCJ-02), and a :class:`maps.i18n.Translator` for labels;
layers that print plan times take a :class:`maps.sheets.times.PlanClock` too.
"""

import html as _html


def html_text(value: object) -> str:
    """``value`` as HTML text that stays text wherever folium puts it.

    Folium writes tooltips and popups into JavaScript template literals (`` `...` ``) that are
    then parsed as HTML, and Leaflet sets layer names and tooltips as ``innerHTML``. So besides
    ``& < > " '`` (:func:`html.escape`) the characters a template literal interprets -
    backtick, ``$`` (``${...}``) and backslash - become character references too; the browser
    shows them as typed, and none of it can end the script, the string or the element.
    """
    return template_safe(_html.escape(str(value), quote=True))


def template_safe(markup: str) -> str:
    """HTML ``markup`` (whose values are already escaped) with backtick, ``$`` and backslash
    as character references, so it can sit in a JavaScript template literal (folium popups)."""
    return markup.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
