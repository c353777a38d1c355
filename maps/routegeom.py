"""The geometry of one unit's route in the working CRS: street legs, stops, timed track.

Shared by the web map, the route-sheet map, GPX and GeoJSON so that every output draws the
same line. When a plan was made without street paths (``with_paths=False``) or a leg is
missing, the leg is a straight line between its two places and flagged as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, Point

from planner.plan import UnitRoute


@dataclass(frozen=True)
class RouteGeometry:
    """Places and street legs of a route, in visiting order.

    Attributes
    ----------
    places
        ``[(x, y)]``: start station, each stop, end station.
    legs
        ``legs[i]`` runs from ``places[i]`` to ``places[i + 1]``.
    straight
        True for a leg drawn as a straight line (no street path in the plan).
    """

    places: tuple[tuple[float, float], ...]
    legs: tuple[LineString, ...]
    straight: tuple[bool, ...]

    @property
    def line(self) -> LineString:
        """The whole route as one line."""
        coords: list[tuple[float, float]] = []
        for leg in self.legs:
            xy = [tuple(c[:2]) for c in leg.coords]
            if coords and xy and coords[-1] == xy[0]:
                xy = xy[1:]
            coords.extend(xy)  # type: ignore[arg-type]
        if len(coords) < 2:
            coords = list(self.places[:1]) * 2
        return LineString(coords)


def _oriented(leg: LineString, start: tuple[float, float]) -> LineString:
    """``leg`` running away from ``start`` (reversed if its far end is nearer)."""
    if leg.is_empty or len(leg.coords) < 2:
        return leg
    first, last = Point(leg.coords[0]), Point(leg.coords[-1])
    p = Point(start)
    return leg if first.distance(p) <= last.distance(p) else LineString(leg.coords[::-1])


def route_geometry(
    route: UnitRoute, station_xy: Mapping[str, tuple[float, float]]
) -> RouteGeometry:
    """The places and legs of ``route``.

    Parameters
    ----------
    route
        A unit's route from a :class:`~planner.plan.PatrolPlan`.
    station_xy
        ``{station_id: (x, y)}`` in the working CRS; stations not given fall back to the first
        or last stop.
    """
    stops = [(float(s.x), float(s.y)) for s in route.stops]
    start = station_xy.get(route.start_station) or (stops[0] if stops else None)
    end = station_xy.get(route.end_station) or (stops[-1] if stops else start)
    if start is None or end is None:
        return RouteGeometry((), (), ())
    places: list[tuple[float, float]] = [
        (float(start[0]), float(start[1])),
        *stops,
        (float(end[0]), float(end[1])),
    ]
    n_legs = len(places) - 1
    given = list(route.legs)
    use_given = len(given) == n_legs
    legs: list[LineString] = []
    straight: list[bool] = []
    for i in range(n_legs):
        a, b = places[i], places[i + 1]
        leg = given[i] if use_given else None
        if leg is None or leg.is_empty or len(leg.coords) < 2:
            legs.append(LineString([a, b]))
            straight.append(True)
        else:
            legs.append(_oriented(leg, a))
            straight.append(False)
    return RouteGeometry(tuple(places), tuple(legs), tuple(straight))


def route_track(
    route: UnitRoute, geometry: RouteGeometry, *, simplify_m: float = 3.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Where the unit is when: ``(t_s, x, y)`` arrays, ``t_s`` non-decreasing.

    Along a leg the time is spread by distance between leaving one place and arriving at the
    next; the unit holds still while it dwells and during a meal break taken at a place.
    """
    if not geometry.legs:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    leave = [route.depart_s] + [s.departure_s for s in route.stops]
    arrive = [s.arrival_s for s in route.stops] + [route.return_s]
    breaks = {b.after_order: b for b in route.breaks}
    ts: list[float] = []
    xs: list[float] = []
    ys: list[float] = []
    for i, leg in enumerate(geometry.legs):
        t0 = float(leave[i])
        brk = breaks.get(i)
        if brk is not None:
            ts.append(t0)
            xs.append(geometry.places[i][0])
            ys.append(geometry.places[i][1])
            t0 = max(t0, float(brk.start_s + brk.duration_s))
        t1 = max(float(arrive[i]), t0)
        line = shapely.simplify(leg, simplify_m) if simplify_m > 0 else leg
        xy = np.asarray(line.coords)[:, :2]
        seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        frac = cum / cum[-1] if cum[-1] > 0 else np.linspace(0.0, 1.0, len(cum))
        ts.extend((t0 + frac * (t1 - t0)).tolist())
        xs.extend(xy[:, 0].tolist())
        ys.extend(xy[:, 1].tolist())
        if i < len(route.stops):
            ts.append(float(route.stops[i].departure_s))
            xs.append(geometry.places[i + 1][0])
            ys.append(geometry.places[i + 1][1])
    t = np.maximum.accumulate(np.asarray(ts, dtype=float))
    return t, np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
