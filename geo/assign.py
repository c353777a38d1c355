"""Point-to-cell assignment: which grid cell each incident falls in, vectorised.

Square grids use floor arithmetic on the lattice, hexagonal grids axial/cube rounding; only
points in cells cut by the boundary are tested against a geometry. Polygon grids use an STRtree.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.errors import CRSMismatchError, Problem
from geo.grid import Grid, Lattice
from geo.schema import CELL_ID

#: Points this close (metres) to a lattice edge get a second look when the lattice put them
#: outside: on an edge shared with a missing cell, or a sub-nanometre float miss of a clipped
#: cell (coordinates near 4e6 m are only exact to about 1e-9 m).
EDGE_TOLERANCE_M = 1e-6


#: Points per chunk of the lattice arithmetic (a few float arrays of this size fit in cache).
_CHUNK_POINTS = 32_768


def assign_points(grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Position in ``grid.cells`` of the cell holding each point ``(x[i], y[i])``.

    Every point inside the boundary (its outline included) lands in exactly one cell:

    - square cells are half-open, ``[x0, x0 + size) x [y0, y0 + size)``, so a point on an
      inner edge goes to the cell east / north of it;
    - a point on the outline (which counts as inside) whose half-open lattice cell is missing or
      cut away goes to the touching cell with the lowest position;
    - a point on an edge between hexagons goes to the hexagon chosen by cube rounding (a fixed
      function of the coordinates, so the same point always gets the same cell);
    - in polygon grids a point on a shared edge or in an overlap goes to the cell with the
      lowest position.

    In lattice grids a point within ``EDGE_TOLERANCE_M`` (1 µm) of a lattice edge that would
    otherwise miss every cell, by floating-point rounding of clipped vertices, gets the nearest
    cell within that distance.

    Parameters
    ----------
    grid
        The grid.
    x, y
        Coordinates in the grid's CRS (any shape, same length; NaN means no location).

    Returns
    -------
    numpy.ndarray
        ``int64`` positions, -1 for points outside the boundary (or in a gap of a polygon grid)
        and for NaN coordinates.
    """
    xs = np.asarray(x, dtype=float).ravel()
    ys = np.asarray(y, dtype=float).ravel()
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length, got {len(xs)} and {len(ys)}")
    if grid.lattice is None:
        return _assign_by_tree(grid, xs, ys)
    lattice = grid.lattice
    square = grid.kind == "square"
    index = _square_index if square else _hex_index
    pos = np.empty(len(xs), dtype=np.int64)
    # The index arithmetic is a string of whole-array passes, bound by memory bandwidth on a
    # million points; chunks that stay in the CPU cache make it about twice as fast.
    for start in range(0, len(xs), _CHUNK_POINTS):
        stop = start + _CHUNK_POINTS
        row, col = index(lattice, xs[start:stop], ys[start:stop])
        pos[start:stop] = _lookup(lattice, row, col)

    # Only cells cut by the boundary need a geometry test.
    border = np.flatnonzero(pos >= 0)
    border = border[grid.clipped[pos[border]]]
    if len(border):
        inside = shapely.intersects_xy(grid.geometries[pos[border]], xs[border], ys[border])
        pos[border[~inside]] = -1

    # A point on a lattice edge that the rounding put into a missing or cut cell may still lie
    # on the closed boundary of a neighbouring cell: give those few the nearest cell within
    # the tolerance (lowest position among equally near ones).
    missed = np.flatnonzero(pos < 0)
    near = (_square_near_edge if square else _hex_near_edge)(lattice, xs[missed], ys[missed])
    retry = missed[near]
    if len(retry):
        pos[retry] = _nearest_cell(grid, xs[retry], ys[retry], EDGE_TOLERANCE_M)
    return pos


def _square_index(lattice: Lattice, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lattice ``(row, col)`` of each point by floor arithmetic (half-open cells), as floats."""
    col = x - lattice.origin_x
    col /= lattice.step_m
    np.floor(col, out=col)
    row = y - lattice.origin_y
    row /= lattice.step_m
    np.floor(row, out=row)
    return row, col


def _square_near_edge(lattice: Lattice, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point lies within ``EDGE_TOLERANCE_M`` of a lattice line."""
    fx = (x - lattice.origin_x) / lattice.step_m
    fy = (y - lattice.origin_y) / lattice.step_m
    tolerance = EDGE_TOLERANCE_M / lattice.step_m
    with np.errstate(invalid="ignore"):
        return (np.abs(fx - np.rint(fx)) < tolerance) | (np.abs(fy - np.rint(fy)) < tolerance)


def _hex_fractional(lattice: Lattice, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Fractional axial ``(q, r)`` of each point: the inverse of the centre formula of
    :class:`geo.grid.Lattice` for pointy-topped hexagons."""
    dy = y - lattice.origin_y
    rf = dy * (2.0 / 3.0 / lattice.step_m)
    qf = x - lattice.origin_x
    qf *= math.sqrt(3.0) / 3.0 / lattice.step_m
    qf -= rf / 2.0
    return qf, rf


def _cube_round(qf: np.ndarray, rf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest hexagon centre: round the three cube coordinates and fix the one that moved
    most so that ``q + r + s == 0`` (a fixed function of the point, so ties are stable)."""
    sf = np.negative(qf)
    sf -= rf
    q, r, s = np.rint(qf), np.rint(rf), np.rint(sf)
    with np.errstate(invalid="ignore"):
        dq, dr, ds = q - qf, r - rf, s - sf
        np.abs(dq, out=dq)
        np.abs(dr, out=dr)
        np.abs(ds, out=ds)
        fix_q = dq > dr
        fix_q &= dq > ds
        fix_r = dr > ds
        fix_r &= ~fix_q
    # The fixed coordinate is minus the sum of the other two (reusing the dq, dr buffers).
    new_q = np.add(r, s, out=dq)
    np.negative(new_q, out=new_q)
    new_r = np.add(q, s, out=dr)
    np.negative(new_r, out=new_r)
    np.copyto(q, new_q, where=fix_q)
    np.copyto(r, new_r, where=fix_r)
    return q, r


def _hex_index(lattice: Lattice, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lattice ``(r, q)`` of the hexagon holding each point, as floats."""
    q, r = _cube_round(*_hex_fractional(lattice, x, y))
    return r, q


def _hex_near_edge(lattice: Lattice, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point lies within about ``EDGE_TOLERANCE_M`` of its hexagon's outline."""
    qf, rf = _hex_fractional(lattice, x, y)
    q, r = _cube_round(qf, rf)
    # Around its centre a hexagon is max(|dq - dr|, |dr - ds|, |ds - dq|) <= 1 in cube
    # coordinates; 1 is the outline, reached after between sqrt(3) / 2 and 1 edge lengths.
    eq, er = qf - q, rf - r
    es = -eq - er
    extent = np.maximum(np.maximum(np.abs(eq - er), np.abs(er - es)), np.abs(es - eq))
    with np.errstate(invalid="ignore"):
        return extent > 1.0 - EDGE_TOLERANCE_M / (math.sqrt(3.0) / 2.0 * lattice.step_m)


def _lookup(lattice: Lattice, row: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Cell positions for float lattice indexes (NaN or out of range → -1).

    The lookup table gets a ring of -1 around it and indexes are clamped onto that ring, which
    avoids boolean masks (``fmax``/``fmin`` also send NaN to the ring).
    """
    n_rows, n_cols = lattice.lookup.shape
    padded = np.pad(lattice.lookup, 1, constant_values=-1)
    row -= lattice.row0 - 1
    np.fmax(row, 0.0, out=row)
    np.fmin(row, n_rows + 1.0, out=row)
    col -= lattice.col0 - 1
    np.fmax(col, 0.0, out=col)
    np.fmin(col, n_cols + 1.0, out=col)
    row *= n_cols + 2
    row += col
    return padded.ravel()[row.astype(np.int64)]


def _nearest_cell(grid: Grid, x: np.ndarray, y: np.ndarray, max_distance_m: float) -> np.ndarray:
    """Lowest position among the cells nearest to each point within ``max_distance_m``."""
    pos = np.full(len(x), -1, dtype=np.int64)
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(finite) == 0:
        return pos
    points = shapely.points(x[finite], y[finite])
    point_idx, cell_idx = grid.tree.query_nearest(
        points, max_distance=max_distance_m, all_matches=True
    )
    return _lowest(pos, finite, point_idx, cell_idx)


def _lowest(
    pos: np.ndarray, finite: np.ndarray, point_idx: np.ndarray, cell_idx: np.ndarray
) -> np.ndarray:
    """Fill ``pos[finite[i]]`` with the lowest ``cell_idx`` paired with point ``i``."""
    if len(point_idx):
        none = np.iinfo(np.int64).max
        best = np.full(len(finite), none, dtype=np.int64)
        np.minimum.at(best, point_idx, cell_idx.astype(np.int64))
        hit = best != none
        pos[finite[hit]] = best[hit]
    return pos


def _assign_by_tree(grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Lowest cell position whose (closed) geometry holds each point, via the STRtree."""
    pos = np.full(len(x), -1, dtype=np.int64)
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(finite) == 0 or len(grid.cells) == 0:
        return pos
    points = shapely.points(x[finite], y[finite])
    point_idx, cell_idx = grid.tree.query(points, predicate="intersects")
    return _lowest(pos, finite, point_idx, cell_idx)


def assign_incidents(grid: Grid, incidents: gpd.GeoDataFrame) -> pd.Series:
    """The ``cell_id`` of the cell each incident falls in (see :func:`assign_points`).

    Parameters
    ----------
    grid
        The grid.
    incidents
        Point geometries in the grid's CRS; missing or empty geometries get no cell.

    Returns
    -------
    pandas.Series
        ``string`` dtype, indexed like ``incidents``, named ``cell_id``; ``pd.NA`` for
        incidents outside the boundary or without a location.

    Raises
    ------
    geo.errors.CRSMismatchError
        (a ``ValueError``) if ``incidents`` has no CRS or a different one, naming both CRSs.
    ValueError
        If a geometry is not a point.
    """
    if incidents.crs is None or CRS(incidents.crs) != grid.crs:
        got = "no CRS" if incidents.crs is None else CRS(incidents.crs).to_string()
        fix = "set_crs" if incidents.crs is None else "to_crs"
        raise CRSMismatchError(
            [
                Problem(
                    "incidents",
                    f"incidents are in {got} but the grid is in {grid.crs.to_string()}; "
                    f"use incidents.{fix}(grid.crs)",
                )
            ],
            "incidents and grid CRS differ",
        )
    geoms = np.asarray(incidents.geometry.array, dtype=object)
    try:
        # get_x/get_y give NaN for missing and non-point geometries and raise on empty points.
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    except shapely.errors.GEOSException:
        point = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
        x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
        x[point], y[point] = shapely.get_x(geoms[point]), shapely.get_y(geoms[point])
    unlocated = np.flatnonzero(np.isnan(x))
    if len(unlocated):
        # Missing and empty geometries have no location; anything else must be a point.
        odd = unlocated[shapely.get_type_id(geoms[unlocated]) > 0]
        odd = odd[~shapely.is_empty(geoms[odd])]
        if len(odd):
            first = int(odd[0])
            raise ValueError(
                f"incidents must be points: {len(odd)} geometries are not, the first at "
                f"position {first} is a {geoms[first].geom_type}"
            )
    pos = assign_points(grid, x, y)
    # Categorical codes are exactly the positions (-1 = missing); converting the categorical
    # to strings is several times faster than building a string array element by element.
    codes = pd.Categorical.from_codes(pos, categories=grid.cells[CELL_ID].astype(str))
    return pd.Series(codes, index=incidents.index, name=CELL_ID).astype("string")


__all__ = ["assign_incidents", "assign_points"]
