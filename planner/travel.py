"""Travel times and street paths per patrol mode, as the planner needs them.

:class:`StreetTravel` wraps the per-mode street networks of :mod:`geo.network`; a mode without
a network falls back to straight-line estimates (distance × detour factor / speed), and the
fallback is stated in :attr:`TravelTimes.note` so plans say how their times were computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from shapely.geometry import LineString

from geo.network import (
    DEFAULT_MAX_SNAP_M,
    ModeSpeeds,
    StreetNetwork,
    TravelTimes,
    snap,
    street_paths,
    travel_times,
)
from geo.network.modes import Mode


class TravelProvider(Protocol):
    """What the planner asks of a travel model."""

    def matrix(self, mode: Mode, x: np.ndarray, y: np.ndarray) -> TravelTimes:
        """All-pairs travel times (int seconds) between points in the working CRS."""
        ...

    def paths(self, mode: Mode, x: np.ndarray, y: np.ndarray) -> list[LineString]:
        """The street line of each leg between consecutive points."""
        ...

    def speed_kmh(self, mode: Mode) -> float:
        """Typical speed of the mode, used to time line tasks (length / speed)."""
        ...

    def reachable(self, mode: Mode, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points the mode can reach (e.g. near enough to its street network)."""
        ...


@dataclass(frozen=True)
class StreetTravel:
    """Travel on per-mode street networks, straight lines where a mode has none.

    Parameters
    ----------
    networks
        ``{Mode: StreetNetwork}``; may be empty (every mode then uses straight lines).
    speeds
        Mode speeds (foot 4.5, bicycle 12 km/h, car by road class).
    detour_factor
        Straight-line distance multiplier of the fallback (default 1.3).
    max_snap_m
        Points farther than this from a mode's network are out of that mode's reach.
    """

    networks: Mapping[Mode, StreetNetwork] = field(default_factory=dict)
    speeds: ModeSpeeds = field(default_factory=ModeSpeeds)
    detour_factor: float = 1.3
    max_snap_m: float = DEFAULT_MAX_SNAP_M

    def matrix(self, mode: Mode, x: np.ndarray, y: np.ndarray) -> TravelTimes:
        return travel_times(
            x,
            y,
            network=self.networks.get(mode),
            mode=mode,
            speeds=self.speeds,
            detour_factor=self.detour_factor,
            max_snap_m=self.max_snap_m,
        )

    def paths(self, mode: Mode, x: np.ndarray, y: np.ndarray) -> list[LineString]:
        network = self.networks.get(mode)
        if network is not None:
            return street_paths(network, x, y)
        return [LineString([(x[i], y[i]), (x[i + 1], y[i + 1])]) for i in range(len(x) - 1)]

    def reachable(self, mode: Mode, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        network = self.networks.get(mode)
        if network is None:
            return np.ones(len(x), dtype=bool)
        found = snap(network, x, y, max_snap_m=self.max_snap_m)
        return np.asarray(found.snap_distance_m <= self.max_snap_m)

    def speed_kmh(self, mode: Mode) -> float:
        if mode is Mode.FOOT:
            return self.speeds.foot_kmh
        if mode is Mode.BICYCLE:
            return self.speeds.bicycle_kmh
        return self.speeds.car_straight_line_kmh


def traverse_s(line: LineString, speed_kmh: float) -> int:
    """Whole seconds (rounded up) to walk or drive ``line`` end to end at ``speed_kmh``."""
    if speed_kmh <= 0:
        raise ValueError(f"speed_kmh must be positive, got {speed_kmh}")
    return int(np.ceil(float(line.length) / (speed_kmh / 3.6)))


def leg_lengths_m(lines: Sequence[LineString]) -> list[float]:
    """Length in metres of each leg (working CRS is metric)."""
    return [float(line.length) for line in lines]
