"""How a stop is named on sheets, maps, popups and GPX, in one language.

The names themselves were found once, when the plan was made (:mod:`geo.naming`), and are read
from the plan file (:attr:`maps.bundle.PlanBundle.places`); here they are only put into words:
"SW Broadway & SW Morrison St" / "长安街与王府井大街交叉口", a named place before its street, the
user's own name for posts and lines, and "unnamed street" where OSM has no name.
"""

from __future__ import annotations

from geo.naming import Place
from maps.i18n import Translator


def street_text(place: Place | None, tr: Translator) -> str:
    """The street part of a place: ``A & B``, ``A near B``, ``A`` or an unnamed street near
    the nearest named one; ``""`` without a place."""
    if place is None:
        return ""
    place = place.in_lang(tr.lang)  # name:zh / name:en where OSM has them
    if place.street is None:
        if place.near is not None and place.near_m is not None:
            return tr("place.unnamed_near", street=place.near, distance=tr.distance(place.near_m))
        return tr("place.unnamed")
    if place.crossing is not None and place.at_crossing:
        return tr("place.crossing", street=place.street, crossing=place.crossing)
    if place.crossing is not None:
        return tr("place.street_near", street=place.street, crossing=place.crossing)
    return tr("place.street", street=place.street)


def place_text(place: Place | None, tr: Translator, fallback: str) -> str:
    """The name of a stop as a person reads it.

    A user's name (a post, a checkpoint, a line) is kept as given; otherwise a square,
    station, school, market or park close by comes first, then the street and crossing; a
    lesser named place (a bank, a building) follows them ("Bay Street & College Street, by
    Alterna Savings"). ``fallback`` (the planner's label,
    e.g. ``Hotspot S-r016-c017``) is used only for a stop the plan file names nothing for.
    """
    if place is None:
        return fallback
    if place.name is not None:
        return place.name
    place = place.in_lang(tr.lang)
    where = street_text(place, tr)
    if place.poi is None:
        return where
    if place.kind == "poi":  # a square, station, school, market or park names the spot
        return tr("place.with_poi", poi=place.poi, where=where)
    return tr("place.by_poi", poi=place.poi, where=where)


def geo_uri(lat: float, lon: float) -> str:
    """The RFC 5870 ``geo:`` link of a point (phones open it in their map app)."""
    return f"geo:{lat:.6f},{lon:.6f}"


def street_based(place: Place | None) -> bool:
    """True when a place is named by a street (a named street within reach of the stop)."""
    return place is not None and place.street is not None
