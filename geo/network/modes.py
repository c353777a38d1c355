"""Patrol modes (foot, bicycle, car): which OSM ways each may use, in which direction, how fast.

Pure rules over OSM way tags; the graph builder (:mod:`geo.network.graph`) applies them way by
way. All speeds are in km/h and configurable through :class:`ModeSpeeds`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "DEFAULT_CAR_SPEEDS_KMH",
    "Mode",
    "ModeSpeeds",
    "allows",
    "as_mode",
    "directions",
    "parse_maxspeed_kmh",
]

Tags = Mapping[str, str]


class Mode(StrEnum):
    """A patrol mode with its own street network and speeds."""

    FOOT = "foot"
    BICYCLE = "bicycle"
    CAR = "car"


#: Spellings of the modes in input files, English and Chinese (步巡 foot patrol, 自行车巡
#: bicycle patrol, 车巡 vehicle patrol).
MODE_SYNONYMS: Mapping[str, Mode] = MappingProxyType(
    {
        "foot": Mode.FOOT,
        "walk": Mode.FOOT,
        "walking": Mode.FOOT,
        "步巡": Mode.FOOT,
        "步行": Mode.FOOT,
        "bicycle": Mode.BICYCLE,
        "bike": Mode.BICYCLE,
        "cycle": Mode.BICYCLE,
        "自行车巡": Mode.BICYCLE,
        "自行车": Mode.BICYCLE,
        "car": Mode.CAR,
        "vehicle": Mode.CAR,
        "drive": Mode.CAR,
        "车巡": Mode.CAR,
    }
)


def parse_mode(value: str) -> Mode:
    """Parse a mode name or a synonym (``walk``, ``bike``, ``vehicle``, 步巡 ...)."""
    key = str(value).strip().casefold()
    if key not in MODE_SYNONYMS:
        raise ValueError(f"unknown patrol mode {value!r}; expected foot, bicycle or car")
    return MODE_SYNONYMS[key]


def as_mode(value: Mode | str) -> Mode:
    """Return ``value`` as a :class:`Mode`, raising ``ValueError`` naming the bad value."""
    try:
        return Mode(value)
    except ValueError:
        expected = ", ".join(repr(m.value) for m in Mode)
        raise ValueError(f"mode must be one of {expected} (got {value!r})") from None


#: Urban car speed by ``highway`` class where a way has no usable ``maxspeed`` (km/h).
#: Links are a little slower than their road; ``service`` covers parking aisles and alleys.
DEFAULT_CAR_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 90.0,
        "motorway_link": 50.0,
        "trunk": 70.0,
        "trunk_link": 40.0,
        "primary": 50.0,
        "primary_link": 40.0,
        "secondary": 50.0,
        "secondary_link": 40.0,
        "tertiary": 40.0,
        "tertiary_link": 30.0,
        "unclassified": 30.0,
        "residential": 30.0,
        "living_street": 10.0,
        "road": 30.0,
        "service": 15.0,
    }
)


@dataclass(frozen=True)
class ModeSpeeds:
    """Travel speeds of the patrol modes (km/h).

    Attributes
    ----------
    foot_kmh
        Walking speed on every way the foot network uses.
    bicycle_kmh
        Cycling speed on every way the bicycle network uses.
    car_by_class_kmh
        Car speed by OSM ``highway`` class where the way has no usable ``maxspeed``; the car
        network uses exactly the classes listed here.
    car_fallback_kmh
        Car speed for a listed class whose value is missing (defensive; the default table is
        complete).
    car_use_maxspeed
        When true, a parseable OSM ``maxspeed`` (``"50"``, ``"25 mph"``, ``"30;50"``) overrides
        the class speed.
    car_access_kmh
        Speed of the leg between a point and its snapped node for the car (the last metres to
        a stop are slow: parking, alleys); also used to charge snap distances.
    car_straight_line_kmh
        Car speed used when there is no street network (straight-line fallback).
    """

    foot_kmh: float = 4.5
    bicycle_kmh: float = 12.0
    car_by_class_kmh: Mapping[str, float] = field(default_factory=lambda: DEFAULT_CAR_SPEEDS_KMH)
    car_fallback_kmh: float = 30.0
    car_use_maxspeed: bool = True
    car_access_kmh: float = 15.0
    car_straight_line_kmh: float = 25.0

    def __post_init__(self) -> None:
        named = {
            "foot_kmh": self.foot_kmh,
            "bicycle_kmh": self.bicycle_kmh,
            "car_fallback_kmh": self.car_fallback_kmh,
            "car_access_kmh": self.car_access_kmh,
            "car_straight_line_kmh": self.car_straight_line_kmh,
        }
        named |= {f"car_by_class_kmh[{k!r}]": v for k, v in self.car_by_class_kmh.items()}
        bad = [f"{k}={v!r}" for k, v in named.items() if not (math.isfinite(v) and v > 0)]
        if bad:
            raise ValueError(f"speeds must be positive km/h values (got {', '.join(bad)})")
        # freeze a caller's dict so the dataclass stays immutable
        object.__setattr__(self, "car_by_class_kmh", MappingProxyType(dict(self.car_by_class_kmh)))

    def way_speed_kmh(self, mode: Mode, tags: Tags) -> float:
        """Speed on one OSM way for ``mode`` (km/h); the way must be allowed for the mode."""
        if mode is Mode.FOOT:
            return self.foot_kmh
        if mode is Mode.BICYCLE:
            return self.bicycle_kmh
        if self.car_use_maxspeed:
            parsed = parse_maxspeed_kmh(tags.get("maxspeed"))
            if parsed is not None:
                return parsed
        return self.car_by_class_kmh.get(tags.get("highway", ""), self.car_fallback_kmh)

    def access_kmh(self, mode: Mode) -> float:
        """Speed charged for the distance between a point and its snapped network node."""
        return {
            Mode.FOOT: self.foot_kmh,
            Mode.BICYCLE: self.bicycle_kmh,
            Mode.CAR: self.car_access_kmh,
        }[mode]

    def straight_line_kmh(self, mode: Mode) -> float:
        """Speed used for ``mode`` when no street network is available."""
        return {
            Mode.FOOT: self.foot_kmh,
            Mode.BICYCLE: self.bicycle_kmh,
            Mode.CAR: self.car_straight_line_kmh,
        }[mode]


_MPH_KMH = 1.609344
_SPEED_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed_kmh(value: str | None) -> float | None:
    """Parse an OSM ``maxspeed`` value to km/h.

    ``"50"`` and ``"50 km/h"`` are km/h, ``"25 mph"`` is converted. Several values separated by
    ``;`` (per lane or per condition, e.g. ``"30;50"``) give the **lowest** one, so travel
    times are not underestimated. Symbolic values (``"none"``, ``"walk"``, ``"US:urban"``,
    ``"signals"``) and zero give ``None``: the caller falls back to the road class speed.

    Parameters
    ----------
    value
        The raw tag value, or ``None`` when the way has no ``maxspeed``.

    Returns
    -------
    float or None
        The speed limit in km/h, or ``None`` when there is no usable number.
    """
    if value is None:
        return None
    speeds = []
    for part in str(value).split(";"):
        match = _SPEED_RE.match(part)
        if match is None:
            continue
        number = float(match.group(1))
        unit = (match.group(2) or "").lower()
        kmh = number * _MPH_KMH if unit == "mph" else number
        if kmh > 0:
            speeds.append(kmh)
    return min(speeds) if speeds else None


_CAR_EXCLUDED_SERVICE = frozenset({"driveway", "emergency_access", "private"})
_NO = frozenset({"no", "private"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "official"})
_FOOT_HIGHWAYS = frozenset(
    {
        "trunk",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
        "service",
        "track",
        "footway",
        "path",
        "pedestrian",
        "steps",
        "cycleway",
        "bridleway",
        "corridor",
        "elevator",
    }
)
_BICYCLE_HIGHWAYS = frozenset(
    {
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
        "service",
        "track",
        "path",
        "cycleway",
    }
)
# footways and pedestrian streets carry bicycles only when tagged so
_BICYCLE_IF_TAGGED = frozenset({"footway", "pedestrian", "bridleway", "corridor"})


def _access_denied(tags: Tags, mode_keys: tuple[str, ...]) -> bool:
    """True when ``access``-type tags forbid the mode (the most specific key decides)."""
    for key in (*mode_keys, "access"):
        value = tags.get(key)
        if value is not None:
            return value in _NO
    return False


def allows(mode: Mode, tags: Tags, speeds: ModeSpeeds | None = None) -> bool:
    """Whether ``mode`` may use an OSM way with these tags (in at least one direction).

    Rules
    -----
    * **foot**: everyday streets plus footway, path, pedestrian, steps, cycleway, track;
      never motorway, motorway_link or trunk_link; not where ``foot``/``access`` is
      ``no``/``private``; not ``area=yes`` outlines.
    * **bicycle**: streets, cycleway, path, track; footway/pedestrian only with
      ``bicycle=yes|designated|permissive``; never motorways or steps; ``bicycle``/``access``
      ``no``/``private`` excluded.
    * **car**: the classes of :attr:`ModeSpeeds.car_by_class_kmh` (motorway ... service),
      without driveways, emergency-access and private service roads, ``access``/
      ``motor_vehicle``/``motorcar`` ``no``/``private``, ``area=yes`` and ``oneway=reversible``
      (its direction changes by time of day).
    """
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return False
    if mode is Mode.FOOT:
        return highway in _FOOT_HIGHWAYS and not _access_denied(tags, ("foot",))
    if mode is Mode.BICYCLE:
        if highway in _BICYCLE_IF_TAGGED:
            return tags.get("bicycle") in _YES
        return highway in _BICYCLE_HIGHWAYS and not _access_denied(tags, ("bicycle", "vehicle"))
    classes = (speeds or ModeSpeeds()).car_by_class_kmh
    return (
        highway in classes
        and tags.get("service") not in _CAR_EXCLUDED_SERVICE
        and tags.get("oneway") != "reversible"
        and not _access_denied(tags, ("motorcar", "motor_vehicle", "vehicle"))
    )


_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
_IMPLIED_ONEWAY_HIGHWAYS = frozenset({"motorway", "motorway_link"})
_ROUNDABOUTS = frozenset({"roundabout", "circular"})
_CONTRAFLOW_CYCLEWAYS = frozenset({"opposite", "opposite_lane", "opposite_track"})


def directions(mode: Mode, tags: Tags) -> tuple[bool, bool]:
    """Directions ``mode`` may travel along a way: ``(with node order, against node order)``.

    Foot ignores ``oneway`` entirely. Car and bicycle respect ``oneway=yes|true|1`` (forward),
    ``-1|reverse`` (backward), ``junction=roundabout|circular`` and motorways (implied one-way)
    unless ``oneway=no``. A bicycle may ride against the flow with ``oneway:bicycle=no`` or a
    contraflow ``cycleway=opposite*``, and ``oneway:bicycle`` overrides ``oneway`` when set.
    """
    if mode is Mode.FOOT:
        return True, True
    oneway = tags.get("oneway")
    if mode is Mode.BICYCLE:
        bike_oneway = tags.get("oneway:bicycle")
        if bike_oneway is not None:
            oneway = bike_oneway
        elif tags.get("cycleway") in _CONTRAFLOW_CYCLEWAYS:
            oneway = "no"
    if oneway in _ONEWAY_FORWARD:
        return True, False
    if oneway in _ONEWAY_BACKWARD:
        return False, True
    if oneway is None and (
        tags.get("junction") in _ROUNDABOUTS or tags.get("highway") in _IMPLIED_ONEWAY_HIGHWAYS
    ):
        return True, False
    return True, True
