"""Grid cells coloured by classed risk for one time band (mapclassify classes + legend)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd

from geo.hotspots.columns import BAND, RANK, SCORE, SIGNIFICANCE
from geo.schema import CELL_ID, CELL_NAME
from maps.colors import NO_DATA, risk_colors
from maps.coords import Projector
from maps.errors import MapInputError
from maps.i18n import Translator
from maps.layers import html_text
from maps.layers.legend import LegendSection

Scheme = Literal["quantiles", "naturalbreaks", "equalinterval"]
SCHEMES: tuple[str, ...] = ("quantiles", "naturalbreaks", "equalinterval")


@dataclass(frozen=True)
class RiskClasses:
    """Class upper bounds and the colour of each class (scores > 0 only)."""

    bins: tuple[float, ...]
    colors: tuple[str, ...]
    scheme: str

    def color_of(self, scores: np.ndarray) -> list[str]:
        """Colour per score; zero or missing scores get the no-data grey."""
        s = np.asarray(scores, dtype=float)
        idx = np.searchsorted(np.asarray(self.bins), s, side="left")
        idx = np.clip(idx, 0, len(self.colors) - 1)
        return [
            NO_DATA if not (np.isfinite(v) and v > 0) else self.colors[int(i)]
            for v, i in zip(s, idx, strict=True)
        ]


def classify_scores(scores: np.ndarray, scheme: str = "quantiles", k: int = 5) -> RiskClasses:
    """Class the positive ``scores`` with mapclassify.

    Parameters
    ----------
    scores
        Risk scores; zeros are left out of the classes (shown as "no incidents").
    scheme
        ``"quantiles"``, ``"naturalbreaks"`` (Fisher–Jenks natural breaks) or
        ``"equalinterval"``.
    k
        Number of classes (fewer when there are fewer distinct scores).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme: unknown classification {scheme!r}; expected one of {SCHEMES}")
    positive = np.asarray(scores, dtype=float)
    positive = positive[np.isfinite(positive) & (positive > 0)]
    distinct = len(np.unique(positive))
    k_eff = max(2, min(k, distinct)) if distinct >= 2 else 1
    if distinct == 0:
        return RiskClasses((), (), scheme)
    if k_eff == 1:
        return RiskClasses((float(positive.max()),), (risk_colors(2)[1],), scheme)
    if scheme == "quantiles":
        classifier = mapclassify.Quantiles(positive, k=k_eff)
    elif scheme == "naturalbreaks":
        with warnings.catch_warnings():  # "Numba not installed": only slower, same classes
            warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
            classifier = mapclassify.FisherJenks(positive, k=k_eff)
    else:
        classifier = mapclassify.EqualInterval(positive, k=k_eff)
    bins = tuple(float(b) for b in classifier.bins)
    return RiskClasses(bins, tuple(risk_colors(max(len(bins), 2))[: len(bins)]), scheme)


def band_rows(risk: pd.DataFrame, band: str) -> pd.DataFrame:
    """The risk rows of ``band``, raising with the known bands when it is missing."""
    known = tuple(dict.fromkeys(str(b) for b in risk[BAND]))
    if band not in known:
        raise MapInputError(f"band: unknown band {band!r}; the risk table has {known}")
    return risk[risk[BAND] == band]


def add_risk_layer(
    m: folium.Map,
    cells: gpd.GeoDataFrame,
    risk: pd.DataFrame,
    band: str,
    proj: Projector,
    tr: Translator,
    *,
    scheme: str = "quantiles",
    k: int = 5,
) -> LegendSection:
    """Add the risk choropleth of ``band`` as a layer; return its legend section."""
    rows = band_rows(risk, band).set_index(CELL_ID)
    frame = cells[[CELL_ID, *([CELL_NAME] if CELL_NAME in cells.columns else []), "geometry"]]
    frame = frame.copy()
    frame["score"] = frame[CELL_ID].map(rows[SCORE]).astype(float).fillna(0.0)
    frame["rank"] = frame[CELL_ID].map(rows[RANK]) if RANK in rows.columns else np.nan
    sig = rows[SIGNIFICANCE] if SIGNIFICANCE in rows.columns else pd.Series(dtype=object)
    frame["gi"] = [
        tr.get(f"sig.{s}", str(s)) if pd.notna(s) else "" for s in frame[CELL_ID].map(sig)
    ]
    classes = classify_scores(frame["score"].to_numpy(), scheme, k)
    frame["fill"] = classes.color_of(frame["score"].to_numpy())
    frame["score"] = frame["score"].round(2)
    frame["rank"] = frame["rank"].map(lambda r: "" if pd.isna(r) else str(int(r)))
    shown = proj.frame(frame)
    shown[CELL_ID] = shown[CELL_ID].map(html_text)  # the tooltip is set as HTML
    fields = [CELL_ID, "score", "rank", "gi"]
    aliases = [tr("word.cell"), tr("word.score"), tr("word.rank"), tr("word.significance")]
    group = folium.FeatureGroup(name=tr("layer.risk", band=band), show=True)
    folium.GeoJson(
        shown.__geo_interface__,
        name=tr("layer.risk", band=band),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#555555",
            "weight": 0.4,
            "fillOpacity": 0.55,
        },
        highlight_function=lambda f: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=False),
    ).add_to(group)
    group.add_to(m)
    entries: list[tuple[str, str]] = []
    lower = 0.0
    for upper, color in zip(classes.bins, classes.colors, strict=True):
        entries.append((color, f"{lower:.2f} – {upper:.2f}"))
        lower = upper
    entries.append((NO_DATA, tr("legend.no_data")))
    title = tr("legend.risk", band=band, scheme=tr(f"scheme.{scheme}"))
    return LegendSection(title, entries)
