"""Per-mode rules: maxspeed parsing, which ways a mode may use, one-way directions, speeds."""

from __future__ import annotations

import pytest

from geo.network import (
    DEFAULT_CAR_SPEEDS_KMH,
    Mode,
    ModeSpeeds,
    allows,
    as_mode,
    directions,
    parse_maxspeed_kmh,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25 mph", 25 * 1.609344),
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("30;50", 30.0),
        ("35 mph;40 mph", 35 * 1.609344),
        (None, None),
        ("none", None),
        ("walk", None),
        ("US:urban", None),
        ("0", None),
    ],
)
def test_parse_maxspeed_kmh(value: str | None, expected: float | None) -> None:
    assert parse_maxspeed_kmh(value) == pytest.approx(expected)


def test_car_speed_from_maxspeed_or_class_default() -> None:
    speeds = ModeSpeeds()
    assert speeds.way_speed_kmh(Mode.CAR, {"highway": "residential"}) == 30.0
    assert speeds.way_speed_kmh(Mode.CAR, {"highway": "tertiary", "maxspeed": "walk"}) == 40.0
    assert speeds.way_speed_kmh(
        Mode.CAR, {"highway": "residential", "maxspeed": "25 mph"}
    ) == pytest.approx(40.2336)
    assert ModeSpeeds(car_use_maxspeed=False).way_speed_kmh(
        Mode.CAR, {"highway": "residential", "maxspeed": "50"}
    ) == pytest.approx(30.0)
    assert speeds.way_speed_kmh(Mode.FOOT, {"highway": "primary", "maxspeed": "50"}) == 4.5
    assert speeds.way_speed_kmh(Mode.BICYCLE, {"highway": "primary"}) == 12.0


def test_mode_speeds_are_validated_and_frozen() -> None:
    with pytest.raises(ValueError, match=r"foot_kmh=0"):
        ModeSpeeds(foot_kmh=0)
    with pytest.raises(ValueError, match=r"car_by_class_kmh\['service'\]=-5"):
        ModeSpeeds(car_by_class_kmh={**DEFAULT_CAR_SPEEDS_KMH, "service": -5})
    table = {"residential": 20.0}
    speeds = ModeSpeeds(car_by_class_kmh=table)
    table["residential"] = 99.0
    assert speeds.car_by_class_kmh["residential"] == 20.0


@pytest.mark.parametrize(
    ("tags", "foot", "bicycle", "car"),
    [
        ({"highway": "residential"}, True, True, True),
        ({"highway": "footway"}, True, False, False),
        ({"highway": "footway", "bicycle": "designated"}, True, True, False),
        ({"highway": "steps"}, True, False, False),
        ({"highway": "pedestrian"}, True, False, False),
        ({"highway": "cycleway"}, True, True, False),
        ({"highway": "path"}, True, True, False),
        ({"highway": "motorway"}, False, False, True),
        ({"highway": "motorway_link"}, False, False, True),
        ({"highway": "trunk_link"}, False, True, True),
        ({"highway": "service", "service": "driveway"}, True, True, False),
        ({"highway": "residential", "access": "private"}, False, False, False),
        ({"highway": "residential", "access": "no", "foot": "yes"}, True, False, False),
        ({"highway": "primary", "oneway": "reversible"}, True, True, False),
        ({"highway": "pedestrian", "area": "yes"}, False, False, False),
        ({"highway": "construction"}, False, False, False),
        ({"building": "yes"}, False, False, False),
    ],
)
def test_allows(tags: dict[str, str], foot: bool, bicycle: bool, car: bool) -> None:
    assert (allows(Mode.FOOT, tags), allows(Mode.BICYCLE, tags), allows(Mode.CAR, tags)) == (
        foot,
        bicycle,
        car,
    )


@pytest.mark.parametrize(
    ("tags", "car", "bicycle"),
    [
        ({"highway": "residential"}, (True, True), (True, True)),
        ({"highway": "residential", "oneway": "yes"}, (True, False), (True, False)),
        ({"highway": "residential", "oneway": "1"}, (True, False), (True, False)),
        ({"highway": "residential", "oneway": "true"}, (True, False), (True, False)),
        ({"highway": "residential", "oneway": "-1"}, (False, True), (False, True)),
        ({"highway": "primary", "junction": "roundabout"}, (True, False), (True, False)),
        ({"highway": "motorway"}, (True, False), (True, False)),
        ({"highway": "motorway", "oneway": "no"}, (True, True), (True, True)),
        (
            {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
            (True, False),
            (True, True),
        ),
        (
            {"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"},
            (True, False),
            (True, True),
        ),
    ],
)
def test_directions(
    tags: dict[str, str], car: tuple[bool, bool], bicycle: tuple[bool, bool]
) -> None:
    assert directions(Mode.CAR, tags) == car
    assert directions(Mode.BICYCLE, tags) == bicycle
    assert directions(Mode.FOOT, tags) == (True, True)


def test_as_mode_names_the_bad_value() -> None:
    assert as_mode("bicycle") is Mode.BICYCLE
    with pytest.raises(ValueError, match=r"mode must be one of .*\(got 'horse'\)"):
        as_mode("horse")
