"""Grids of patrol cells: generated squares or hexagons, or official polygons as given.

A :class:`Grid` wraps the cells GeoDataFrame (columns of :data:`geo.schema.GRID_COLUMNS`, in a
metric CRS) with the lattice metadata that makes point-to-cell assignment (:mod:`geo.assign`) fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.crs import is_metric
from geo.errors import Problem, raise_if_problems
from geo.schema import AREA_ID, AREA_NAME, CELL_ID, CELL_NAME, GEOMETRY, GRID_COLUMNS, POPULATION

GridKind = Literal["square", "hex", "polygons"]

#: Largest number of lattice positions a generated grid may span (guards against a cell size
#: given in the wrong unit, e.g. 0.001 "km" read as metres).
MAX_LATTICE_CELLS = 5_000_000

#: Edge length of a hexagon of unit area: area = (3 * sqrt(3) / 2) * edge**2.
HEX_EDGE_PER_SIZE = math.sqrt(2.0 / (3.0 * math.sqrt(3.0)))

_POLYGON_TYPE_IDS = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True, eq=False)
class Lattice:
    """The regular lattice behind a square or hexagonal grid.

    Square cells are half-open boxes: cell ``(row, col)`` holds the points with
    ``origin_x + col * step_m <= x < origin_x + (col + 1) * step_m`` and likewise for ``y`` and
    ``row`` (rows count northwards, columns eastwards). Hexagons are pointy-topped with edge
    length ``step_m``; hex ``(q, r)`` (axial coordinates) is centred at
    ``(origin_x + sqrt(3) * step_m * (q + r / 2), origin_y + 1.5 * step_m * r)``.

    Attributes
    ----------
    origin_x, origin_y
        Squares: lower-left corner of cell ``(0, 0)``. Hexagons: centre of hex ``(0, 0)``.
    step_m
        Side of a square cell, or edge length (circumradius) of a hexagon, in metres.
    row0, col0
        Lattice index (``row``/``col`` for squares, ``r``/``q`` for hexagons) of ``lookup[0, 0]``.
    lookup
        ``int64`` array of shape ``(n_rows, n_cols)``: position of the cell in
        :attr:`Grid.cells` for lattice index ``(row0 + i, col0 + j)``, or -1 where the lattice
        cell lies outside the boundary.
    """

    origin_x: float
    origin_y: float
    step_m: float
    row0: int
    col0: int
    lookup: np.ndarray


@dataclass(frozen=True, eq=False)
class Grid:
    """Patrol cells in a metric CRS, ready for fast point-to-cell assignment.

    Build one with :func:`square_grid`, :func:`hex_grid`, :func:`build_grid` or
    :func:`grid_from_polygons`; the rest of the code base reads :attr:`cells` and calls
    :func:`geo.assign.assign_points` / :func:`geo.assign.assign_incidents`.

    Attributes
    ----------
    cells
        GeoDataFrame with the columns of :data:`geo.schema.GRID_COLUMNS` (``cell_id`` unique),
        a ``RangeIndex`` (position == index) and a metric CRS.
    kind
        ``"square"``, ``"hex"`` or ``"polygons"`` (official polygons as given).
    cell_size_m
        Square: side of a cell. Hexagon: side of the square of the same area (see
        :func:`hex_grid`). Polygons: side of the square of the median cell area.
    boundary
        The outline the cells cover (Polygon or MultiPolygon in the grid's CRS).
    lattice
        Lattice metadata for square and hexagonal grids; ``None`` for polygons.
    clipped
        Boolean array, one per cell: True where the cell is not a whole lattice cell (cut by the
        boundary), so assignment must test the point against its geometry. All True for
        polygon grids.
    problems
        Coverage problems found when the grid was built (gaps, overlaps, cells outside the
        boundary); always empty for generated grids.
    """

    cells: gpd.GeoDataFrame
    kind: GridKind
    cell_size_m: float
    boundary: BaseGeometry
    lattice: Lattice | None = None
    clipped: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    problems: tuple[Problem, ...] = ()

    def __post_init__(self) -> None:
        if len(self.clipped) != len(self.cells):
            raise ValueError(
                f"clipped must have one flag per cell: got {len(self.clipped)} flags "
                f"for {len(self.cells)} cells"
            )
        if not isinstance(self.cells.index, pd.RangeIndex) or (
            len(self.cells) and self.cells.index[0] != 0
        ):
            raise ValueError("cells must have a RangeIndex starting at 0 (use reset_index)")
        missing = [c for c in GRID_COLUMNS if c not in self.cells.columns]
        if missing:
            raise ValueError(f"cells lack the grid columns {missing}")
        if (self.kind == "polygons") != (self.lattice is None):
            raise ValueError(f"a {self.kind!r} grid needs lattice metadata iff it is generated")

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def crs(self) -> CRS:
        """The grid's (metric) CRS."""
        return CRS(self.cells.crs)

    @cached_property
    def geometries(self) -> np.ndarray:
        """Cell geometries as a numpy object array (prepared for repeated predicates)."""
        geoms = np.asarray(self.cells.geometry.array, dtype=object)
        shapely.prepare(geoms)
        return geoms

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index of the cell geometries (positions are those of :attr:`cells`)."""
        return shapely.STRtree(self.geometries)


# --------------------------------------------------------------------------- checks


def _metric_crs(crs: Any) -> CRS:
    try:
        parsed = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its own CRSError
        raise ValueError(f"crs is not a coordinate reference system: got {crs!r}") from exc
    if not is_metric(parsed):
        raise ValueError(
            "crs must be a projected CRS in metres (e.g. geo.crs.local_crs(...)), "
            f"got {parsed.to_string()} ({parsed.name})"
        )
    return parsed


def _check_boundary(boundary: Any, name: str = "boundary") -> BaseGeometry:
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(
            f"{name} must be a shapely Polygon or MultiPolygon, got a {type(boundary).__name__} "
            "(use .union_all())"
        )
    if not isinstance(boundary, Polygon | MultiPolygon):
        raise TypeError(
            f"{name} must be a shapely Polygon or MultiPolygon, got {type(boundary).__name__}"
        )
    if not boundary.is_empty and not boundary.is_valid:
        raise ValueError(
            f"{name} is not a valid polygon ({shapely.is_valid_reason(boundary)}); "
            "repair it with shapely.make_valid"
        )
    if boundary.is_empty or boundary.area <= 0:
        raise ValueError(f"{name} is empty (area {boundary.area!r} m²)")
    return boundary


def _check_cell_size(cell_size_m: Any) -> float:
    try:
        size = float(cell_size_m)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cell_size_m must be a number of metres, got {cell_size_m!r}") from exc
    if not math.isfinite(size) or size <= 0:
        raise ValueError(f"cell_size_m must be a positive number of metres, got {cell_size_m!r}")
    return size


def _check_lattice_count(count: int, cell_size_m: float) -> None:
    if count > MAX_LATTICE_CELLS:
        raise ValueError(
            f"cell_size_m={cell_size_m!r} would span {count:,} lattice cells "
            f"(limit {MAX_LATTICE_CELLS:,}); is the size in metres?"
        )


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of each geometry (empty polygon where there is none)."""
    out = geoms.copy()
    type_ids = shapely.get_type_id(geoms)
    for i in np.flatnonzero(~np.isin(type_ids, _POLYGON_TYPE_IDS)):
        parts = shapely.get_parts(geoms[i])
        polys = [p for p in parts if shapely.get_type_id(p) in _POLYGON_TYPE_IDS]
        flat: list[Polygon] = []
        for p in polys:
            flat.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
        out[i] = Polygon() if not flat else (flat[0] if len(flat) == 1 else MultiPolygon(flat))
    return out


def _index_labels(values: np.ndarray) -> list[str]:
    width = max(3, len(str(int(np.abs(values).max()))) if len(values) else 3)
    return [f"{v:0{width}d}" for v in values.tolist()]


def _lattice_grid(
    boxes: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    boundary: BaseGeometry,
    *,
    crs: CRS,
    kind: Literal["square", "hex"],
    cell_size_m: float,
    origin: tuple[float, float],
    step_m: float,
) -> Grid:
    """Clip lattice cells to the boundary, label them and assemble the :class:`Grid`."""
    shapely.prepare(boundary)
    whole = shapely.covers(boundary, boxes)
    geoms = boxes.copy()
    border = np.flatnonzero(~whole)
    if len(border):
        geoms[border] = _polygonal(shapely.intersection(boxes[border], boundary))
    keep = whole | (shapely.area(geoms) > 0)
    geoms, rows, cols, clipped = geoms[keep], rows[keep], cols[keep], ~whole[keep]
    if len(rows) == 0:  # cannot happen for a boundary with positive area, but be explicit
        raise ValueError("no cell intersects the boundary")
    ox, oy = origin
    if kind == "hex":
        # Translate the axial indexes so that the smallest kept q and r are 0.
        dr, dq = int(rows.min()), int(cols.min())
        ox += math.sqrt(3.0) * step_m * (dq + dr / 2.0)
        oy += 1.5 * step_m * dr
        rows, cols = rows - dr, cols - dq

    row_labels, col_labels = _index_labels(rows), _index_labels(cols)
    pairs = list(zip(row_labels, col_labels, rows.tolist(), cols.tolist(), strict=True))
    if kind == "square":
        ids = [f"S-r{rl}-c{cl}" for rl, cl, _, _ in pairs]
        names = [f"R{r} C{c}" for _, _, r, c in pairs]
    else:
        ids = [f"H-q{cl}-r{rl}" for rl, cl, _, _ in pairs]
        names = [f"Q{c} R{r}" for _, _, r, c in pairs]

    row0, col0 = int(rows.min()), int(cols.min())
    lookup = np.full((int(rows.max()) - row0 + 1, int(cols.max()) - col0 + 1), -1, dtype=np.int64)
    lookup[rows - row0, cols - col0] = np.arange(len(rows), dtype=np.int64)

    cells = gpd.GeoDataFrame(
        {
            CELL_ID: pd.Series(ids, dtype=object),
            CELL_NAME: pd.Series(names, dtype=object),
            POPULATION: np.full(len(ids), np.nan),
            AREA_ID: pd.Series([None] * len(ids), dtype=object),
        },
        geometry=gpd.GeoSeries(geoms, crs=crs),
        crs=crs,
    )
    lattice = Lattice(
        origin_x=float(ox),
        origin_y=float(oy),
        step_m=step_m,
        row0=row0,
        col0=col0,
        lookup=lookup,
    )
    return Grid(
        cells=cells,
        kind=kind,
        cell_size_m=cell_size_m,
        boundary=boundary,
        lattice=lattice,
        clipped=clipped,
    )


# --------------------------------------------------------------------------- generated grids


def square_grid(
    boundary: BaseGeometry,
    cell_size_m: float,
    *,
    crs: Any,
    origin: tuple[float, float] | None = None,
) -> Grid:
    """Cover ``boundary`` with square cells of side ``cell_size_m``, clipped to it.

    Cells wholly outside the boundary are dropped; cells cut by it are kept as their
    intersection with the boundary (however small), so the cells' union equals the boundary.

    Parameters
    ----------
    boundary
        Polygon or MultiPolygon in ``crs``.
    cell_size_m
        Side of a cell in metres.
    crs
        The boundary's CRS (anything :meth:`pyproj.CRS.from_user_input` accepts); must be
        projected in metres.
    origin
        ``(x, y)`` of a lattice corner; the lattice is aligned to it and rows/columns count from
        it (cells south or west of it get negative indexes). Default: the boundary's lower-left
        bounds corner, so indexes start at 0. Give a fixed origin to keep ids stable when the
        boundary changes.

    Returns
    -------
    Grid
        ``kind="square"``; ids ``"S-r012-c034"`` (row counted northwards, column eastwards,
        zero-padded to at least 3 digits) and names ``"R12 C34"``, ordered by row then column.

    Raises
    ------
    ValueError
        If ``crs`` is not metric, ``cell_size_m`` is not positive, or the boundary is invalid.
    """
    crs_ = _metric_crs(crs)
    outline = _check_boundary(boundary)
    size = _check_cell_size(cell_size_m)
    minx, miny, maxx, maxy = outline.bounds
    if origin is None:
        ox, oy = minx, miny
    else:
        ox, oy = (float(v) for v in origin)
        if not (math.isfinite(ox) and math.isfinite(oy)):
            raise ValueError(f"origin must be two finite coordinates, got {origin!r}")
    col_lo, col_hi = math.floor((minx - ox) / size), math.ceil((maxx - ox) / size)
    row_lo, row_hi = math.floor((miny - oy) / size), math.ceil((maxy - oy) / size)
    col_hi, row_hi = max(col_hi, col_lo + 1), max(row_hi, row_lo + 1)
    _check_lattice_count((col_hi - col_lo) * (row_hi - row_lo), size)
    row_grid, col_grid = np.meshgrid(
        np.arange(row_lo, row_hi, dtype=np.int64),
        np.arange(col_lo, col_hi, dtype=np.int64),
        indexing="ij",
    )
    rows, cols = row_grid.ravel(), col_grid.ravel()
    x0, y0 = ox + cols * size, oy + rows * size
    boxes = shapely.box(x0, y0, ox + (cols + 1) * size, oy + (rows + 1) * size)
    return _lattice_grid(
        boxes,
        rows,
        cols,
        outline,
        crs=crs_,
        kind="square",
        cell_size_m=size,
        origin=(ox, oy),
        step_m=size,
    )


def hex_edge_m(cell_size_m: float) -> float:
    """Edge length of the hexagon whose area equals that of a ``cell_size_m`` square."""
    return cell_size_m * HEX_EDGE_PER_SIZE


#: Vertices of the pointy-topped hexagon (q, r), counter-clockwise from the lower right, as
#: multiples of (half the flat-to-flat width, half the edge length) from (2q + r, 3r).
_HEX_VERTEX_STEPS = np.array([(1, -1), (1, 1), (0, 2), (-1, 1), (-1, -1), (0, -2)])


def _hexagons(
    qs: np.ndarray, rs: np.ndarray, origin_x: float, origin_y: float, edge_m: float
) -> np.ndarray:
    """Pointy-topped hexagons ``(q, r)`` of the lattice centred on ``origin`` at hex (0, 0).

    Every vertex is ``origin + (k * width / 2, m * edge / 2)`` for integers ``k`` and ``m``,
    so neighbouring hexagons share bit-identical vertices (computing them as centre + offset
    leaves 1-ulp slivers that make GEOS overlays return wrong areas).
    """
    half_width, half_edge = math.sqrt(3.0) * edge_m / 2.0, edge_m / 2.0
    kx = (2 * qs + rs)[:, None] + _HEX_VERTEX_STEPS[:, 0]
    ky = (3 * rs)[:, None] + _HEX_VERTEX_STEPS[:, 1]
    coords = np.stack([origin_x + kx * half_width, origin_y + ky * half_edge], axis=-1)
    return np.asarray(shapely.polygons(coords), dtype=object)


def hex_grid(boundary: BaseGeometry, cell_size_m: float, *, crs: Any) -> Grid:
    """Cover ``boundary`` with pointy-topped hexagons of the same area as ``cell_size_m`` squares.

    ``cell_size_m`` is the side of the square of equal area, so square and hexagonal grids of
    the same ``cell_size_m`` have about the same number of cells: each hexagon has area
    ``cell_size_m**2``, edge length ``a = cell_size_m * sqrt(2 / (3 * sqrt(3)))``
    (about ``0.620 * cell_size_m``, see :func:`hex_edge_m`) and flat-to-flat width
    ``sqrt(3) * a`` (about ``1.075 * cell_size_m``). Cells are clipped as in
    :func:`square_grid`.

    Parameters
    ----------
    boundary
        Polygon or MultiPolygon in ``crs``.
    cell_size_m
        Side in metres of the square with the hexagon's area.
    crs
        The boundary's CRS; must be projected in metres.

    Returns
    -------
    Grid
        ``kind="hex"``; ids ``"H-q012-r034"`` in axial coordinates (``r`` counts rows
        northwards, ``q`` hexagons eastwards along a row; a row's first ``q`` shifts by -1/2 per
        row up), translated so that the smallest ``q`` and the smallest ``r`` among the cells are
        0; names ``"Q12 R34"``; ordered by ``r`` then ``q``. The lattice is anchored on the
        boundary's lower-left bounds corner, so ids change if the boundary's bounds change.

    Raises
    ------
    ValueError
        If ``crs`` is not metric, ``cell_size_m`` is not positive, or the boundary is invalid.
    """
    crs_ = _metric_crs(crs)
    outline = _check_boundary(boundary)
    size = _check_cell_size(cell_size_m)
    edge = hex_edge_m(size)
    width, pitch = math.sqrt(3.0) * edge, 1.5 * edge
    minx, miny, maxx, maxy = outline.bounds
    # Hex (0, 0) is centred on the lower-left bounds corner; take every hexagon whose centre
    # lies within one hexagon of the bounds, then keep those that reach into the boundary.
    r_lo, r_hi = math.floor(-edge / pitch), math.ceil((maxy - miny + edge) / pitch)
    q_lo = math.floor(-1.0 - r_hi / 2.0)
    q_hi = math.ceil((maxx - minx) / width + 1.0 - r_lo / 2.0)
    _check_lattice_count((r_hi - r_lo + 1) * (q_hi - q_lo + 1), size)
    r_grid, q_grid = np.meshgrid(
        np.arange(r_lo, r_hi + 1, dtype=np.int64),
        np.arange(q_lo, q_hi + 1, dtype=np.int64),
        indexing="ij",
    )
    rs, qs = r_grid.ravel(), q_grid.ravel()
    offset_x = width * (qs + rs / 2.0)
    near = (offset_x >= -width) & (offset_x <= maxx - minx + width)
    rs, qs = rs[near], qs[near]
    hexes = _hexagons(qs, rs, minx, miny, edge)
    return _lattice_grid(
        hexes,
        rs,
        qs,
        outline,
        crs=crs_,
        kind="hex",
        cell_size_m=size,
        origin=(minx, miny),
        step_m=edge,
    )


def build_grid(
    boundary: BaseGeometry,
    *,
    kind: Literal["square", "hex"] = "square",
    cell_size_m: float,
    crs: Any,
) -> Grid:
    """Generate a square or hexagonal grid over ``boundary`` (see :func:`square_grid`,
    :func:`hex_grid`)."""
    if kind == "square":
        return square_grid(boundary, cell_size_m, crs=crs)
    if kind == "hex":
        return hex_grid(boundary, cell_size_m, crs=crs)
    raise ValueError(f"kind must be 'square' or 'hex', got {kind!r}")


def cell_size_for_count(boundary: BaseGeometry, n_cells: int) -> float:
    """Cell size in metres giving about ``n_cells`` cells over ``boundary`` (area / count)."""
    if n_cells < 1:
        raise ValueError(f"n_cells must be at least 1, got {n_cells!r}")
    return math.sqrt(float(boundary.area) / n_cells)


# --------------------------------------------------------------------------- official polygons


def grid_from_polygons(
    areas: gpd.GeoDataFrame,
    *,
    id_field: str = AREA_ID,
    name_field: str = AREA_NAME,
    population_field: str = POPULATION,
    boundary: BaseGeometry | None = None,
) -> Grid:
    """Use official grid polygons (community / village grids) as the cells, as given.

    Invalid polygons are repaired with :func:`shapely.make_valid` (keeping their polygonal
    part). Gaps and overlaps are not changed: they are detected with :func:`coverage_problems`
    and kept in :attr:`Grid.problems`. A point in an overlap is assigned to the cell listed
    first; a point in a gap to none.

    Parameters
    ----------
    areas
        Polygons in a metric CRS.
    id_field
        Column of unique cell ids (written as text to ``cell_id``; also used as ``area_id``).
    name_field
        Column of names; the id is used where the column is missing or a name is empty.
    population_field
        Column of resident counts; NaN where missing or the column is absent.
    boundary
        The jurisdiction outline to check coverage against; default: the union of the polygons
        with interior holes filled (so holes between cells count as gaps).

    Raises
    ------
    ValueError
        If the CRS is not metric.
    geo.errors.GeoInputError
        Listing every row with a missing or duplicate id, a missing or non-polygonal geometry or
        a population that is not a non-negative number.
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise TypeError(f"areas must be a GeoDataFrame, got {type(areas).__name__}")
    crs = _metric_crs(areas.crs) if areas.crs is not None else None
    if crs is None:
        raise ValueError("areas has no CRS set; expected a metric CRS (use set_crs / to_crs)")
    source = "areas"
    problems: list[Problem] = []
    if id_field not in areas.columns:
        problems.append(
            Problem(
                source,
                f"no id column {id_field!r}; columns are {list(areas.columns)}",
                column=id_field,
            )
        )
    if len(areas) == 0:
        problems.append(Problem(source, "no polygons"))
    raise_if_problems(problems, "cannot build a grid from the area polygons")

    geoms = np.asarray(areas.geometry.array, dtype=object)
    ids = areas[id_field].to_numpy(dtype=object)
    missing_geom = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    polygonal = np.isin(shapely.get_type_id(geoms), _POLYGON_TYPE_IDS)
    for i in range(len(areas)):
        row = i + 1
        if pd.isna(ids[i]) or str(ids[i]).strip() == "":
            problems.append(Problem(source, "missing cell id", row=row, column=id_field))
        if missing_geom[i]:
            problems.append(Problem(source, "missing or empty geometry", row=row, column=GEOMETRY))
        elif not polygonal[i]:
            problems.append(
                Problem(
                    source,
                    "expected a Polygon or MultiPolygon",
                    row=row,
                    column=GEOMETRY,
                    value=geoms[i].geom_type,
                )
            )
    text_ids = np.array(["" if pd.isna(v) else str(v) for v in ids], dtype=object)
    seen: dict[str, int] = {}
    for i, cid in enumerate(text_ids.tolist()):
        if cid and cid in seen:
            problems.append(
                Problem(
                    source,
                    f"duplicate cell id (first in row {seen[cid] + 1})",
                    row=i + 1,
                    column=id_field,
                    value=cid,
                )
            )
        seen.setdefault(cid, i)

    if population_field in areas.columns:
        raw = areas[population_field]
        population = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = (np.isnan(population) & raw.notna().to_numpy()) | (population < 0)
        for k in np.flatnonzero(bad).tolist():
            problems.append(
                Problem(
                    source,
                    "population must be a non-negative number",
                    row=k + 1,
                    column=population_field,
                    value=str(raw.iloc[k]),
                )
            )
    else:
        population = np.full(len(areas), np.nan)
    raise_if_problems(problems, "cannot build a grid from the area polygons")

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = _polygonal(shapely.make_valid(geoms[invalid]))
        for k in np.flatnonzero(invalid & shapely.is_empty(geoms)).tolist():
            problems.append(
                Problem(source, "polygon has no area after repair", row=k + 1, column=GEOMETRY)
            )
        raise_if_problems(problems, "cannot build a grid from the area polygons")

    if name_field in areas.columns:
        raw_names = areas[name_field].to_numpy(dtype=object)
        names = [
            cid if pd.isna(n) or str(n).strip() == "" else str(n)
            for cid, n in zip(text_ids.tolist(), raw_names.tolist(), strict=True)
        ]
    else:
        names = text_ids.tolist()

    cells = gpd.GeoDataFrame(
        {
            CELL_ID: pd.Series(text_ids, dtype=object),
            CELL_NAME: pd.Series(names, dtype=object),
            POPULATION: population,
            AREA_ID: pd.Series(text_ids, dtype=object),
        },
        geometry=gpd.GeoSeries(geoms, crs=crs),
        crs=crs,
    )
    outline = _outline(geoms) if boundary is None else _check_boundary(boundary)
    grid = Grid(
        cells=cells,
        kind="polygons",
        cell_size_m=math.sqrt(float(np.median(shapely.area(geoms)))),
        boundary=outline,
        lattice=None,
        clipped=np.ones(len(cells), dtype=bool),
    )
    return replace(grid, problems=tuple(coverage_problems(grid)))


def _outline(geoms: np.ndarray) -> BaseGeometry:
    """Union of ``geoms`` with interior holes filled."""
    union = shapely.union_all(geoms)
    shells = [Polygon(p.exterior) for p in shapely.get_parts(union) if isinstance(p, Polygon)]
    merged = shapely.union_all(np.array(shells, dtype=object))
    return merged if isinstance(merged, Polygon | MultiPolygon) else MultiPolygon()


def coverage_problems(
    grid: Grid, boundary: BaseGeometry | None = None, *, min_area_m2: float = 1.0
) -> list[Problem]:
    """Every overlap between cells, gap inside the boundary and cell part outside it.

    Parameters
    ----------
    grid
        The grid to check.
    boundary
        The outline the cells should cover exactly; default :attr:`Grid.boundary`.
    min_area_m2
        Overlaps, gaps and outside parts at most this large are ignored (slivers of digitising).

    Returns
    -------
    list of geo.errors.Problem
        One per overlapping pair (both ids and the area, ``row`` = 1-based position of the
        first cell), one per gap (area and a point inside it) and one per cell reaching
        outside the boundary; empty when the cells tile the boundary.
    """
    outline = grid.boundary if boundary is None else _check_boundary(boundary)
    geoms = grid.geometries
    ids = grid.cells[CELL_ID].to_numpy(dtype=object)
    source = "grid"
    problems: list[Problem] = []

    left, right = grid.tree.query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    overlap = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    for i, j, a in zip(left.tolist(), right.tolist(), overlap.tolist(), strict=True):
        if a > min_area_m2:
            problems.append(
                Problem(
                    source,
                    f"cells {ids[i]!r} and {ids[j]!r} overlap by {a:,.1f} m²",
                    row=i + 1,
                    column=CELL_ID,
                )
            )

    gaps = shapely.difference(outline, shapely.union_all(geoms))
    for part in shapely.get_parts(_polygonal(np.array([gaps], dtype=object))[0]):
        at = part.representative_point()
        # GEOS's cascaded union can drop thin slivers of a valid tiling; a real gap has no
        # cell over its interior point.
        if part.area > min_area_m2 and len(grid.tree.query(at, predicate="intersects")) == 0:
            problems.append(
                Problem(
                    source,
                    f"gap of {part.area:,.1f} m² inside the boundary not covered by any cell "
                    f"(around x={at.x:.1f}, y={at.y:.1f})",
                )
            )

    shapely.prepare(outline)
    reaching = np.flatnonzero(~shapely.covers(outline, geoms))
    outside = shapely.area(shapely.difference(geoms[reaching], outline))
    for i, a in zip(reaching.tolist(), outside.tolist(), strict=True):
        if a > min_area_m2:
            problems.append(
                Problem(
                    source,
                    f"cell {ids[i]!r} reaches {a:,.1f} m² outside the boundary",
                    row=i + 1,
                    column=CELL_ID,
                )
            )
    return problems


# --------------------------------------------------------------------------- population


def spread_population(
    grid: Grid,
    areas: gpd.GeoDataFrame,
    population_field: str = POPULATION,
    *,
    id_field: str = AREA_ID,
) -> Grid:
    """Spread area populations onto the cells by area share (areal weighting).

    A cell's population is ``sum(pop_a * area(cell ∩ a) / area(a))`` over the areas ``a``
    with a known population that overlap it (with positive area); NaN where no such area
    touches it. Areas with NaN population contribute nothing. People living in the part of an
    area outside the grid are not counted. Each cell's ``area_id`` becomes the id of the area
    holding the largest share of the cell (ties: the area listed first), or ``None``.

    Parameters
    ----------
    grid
        The grid to fill; its existing populations and area ids are replaced.
    areas
        Area polygons in the grid's CRS with ``population_field`` and ``id_field``.
    population_field, id_field
        Columns of resident counts and area ids.

    Returns
    -------
    Grid
        A new grid (same cells and lattice) with ``population`` and ``area_id`` filled.

    Raises
    ------
    ValueError
        If the CRSs differ or a column is missing.
    """
    _require_same_crs(grid, areas, "areas")
    missing = [c for c in (population_field, id_field) if c not in areas.columns]
    if missing:
        raise ValueError(f"areas lack the column(s) {missing}; columns are {list(areas.columns)}")
    area_geoms = np.array(areas.geometry.array, dtype=object)  # a copy: repaired below
    usable = ~(shapely.is_missing(area_geoms) | shapely.is_empty(area_geoms))
    area_geoms[~usable] = Polygon()
    invalid = usable & ~shapely.is_valid(area_geoms)
    if invalid.any():
        area_geoms[invalid] = _polygonal(shapely.make_valid(area_geoms[invalid]))
    area_size = shapely.area(area_geoms)
    population = pd.to_numeric(areas[population_field], errors="coerce").to_numpy(dtype=float)
    area_ids = np.array(
        [None if pd.isna(v) else str(v) for v in areas[id_field].tolist()], dtype=object
    )

    n = len(grid.cells)
    cell_idx, area_idx = shapely.STRtree(area_geoms).query(grid.geometries, predicate="intersects")
    shared = shapely.area(shapely.intersection(grid.geometries[cell_idx], area_geoms[area_idx]))
    positive = (shared > 0) & (area_size[area_idx] > 0)
    cell_idx, area_idx, shared = cell_idx[positive], area_idx[positive], shared[positive]

    known = ~np.isnan(population[area_idx])
    contribution = population[area_idx[known]] * shared[known] / area_size[area_idx[known]]
    total = np.bincount(cell_idx[known], weights=contribution, minlength=n)
    counted = np.bincount(cell_idx[known], minlength=n) > 0
    cell_population = np.where(counted, total, np.nan)

    cell_area_id = np.full(n, None, dtype=object)
    if len(cell_idx):
        order = np.lexsort((area_idx, -shared, cell_idx))
        first = order[np.r_[True, np.diff(cell_idx[order]) != 0]]
        cell_area_id[cell_idx[first]] = area_ids[area_idx[first]]

    cells = grid.cells.copy()
    cells[POPULATION] = cell_population
    cells[AREA_ID] = pd.Series(cell_area_id, index=cells.index, dtype=object)
    return replace(grid, cells=cells)


def _require_same_crs(grid: Grid, frame: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> None:
    if frame.crs is None:
        raise ValueError(
            f"{name} has no CRS set; expected the grid's {grid.crs.to_string()} (use set_crs)"
        )
    if CRS(frame.crs) != grid.crs:
        raise ValueError(
            f"{name} are in {CRS(frame.crs).to_string()} but the grid is in "
            f"{grid.crs.to_string()}; reproject with {name}.to_crs(grid.crs)"
        )


__all__: Sequence[str] = (
    "HEX_EDGE_PER_SIZE",
    "Grid",
    "GridKind",
    "Lattice",
    "build_grid",
    "cell_size_for_count",
    "coverage_problems",
    "grid_from_polygons",
    "hex_edge_m",
    "hex_grid",
    "spread_population",
    "square_grid",
)


# --------------------------------------------------------------------------- one way to grid

#: The kinds of cells a district can be planned on.
GRID_KINDS = ("square", "hex", "areas")

#: Default cell size in metres (the sample districts' 250 m squares).
DEFAULT_CELL_SIZE_M = 250.0


def make_grid(
    boundary: BaseGeometry,
    *,
    crs: Any,
    kind: str = "square",
    cell_size_m: float = DEFAULT_CELL_SIZE_M,
    areas: gpd.GeoDataFrame | None = None,
) -> Grid:
    """The grid of a district, whatever asks for it (command line, service, analysis).

    Parameters
    ----------
    boundary
        The district outline in ``crs``.
    crs
        The working (metric) CRS.
    kind
        ``"square"`` or ``"hex"`` cells of ``cell_size_m``, or ``"areas"``: the official
        polygons ``areas`` as the cells.
    cell_size_m
        Cell size of generated grids, in metres.
    areas
        Official areas in ``crs`` (``area_id``, ``name``, ``population``). Generated cells
        take each cell's area (largest share) and residents spread by area share from them.

    Raises
    ------
    ValueError
        For an unknown ``kind``, or ``"areas"`` without polygons.
    """
    has_areas = areas is not None and len(areas) > 0
    if kind == "areas":
        if not has_areas:
            raise ValueError(
                "grid: 'areas' needs the official area polygons (--areas, or an area with "
                "official_areas), none given; use --grid square or --grid hex"
            )
        assert areas is not None
        return grid_from_polygons(areas, boundary=boundary)
    if kind not in ("square", "hex"):
        raise ValueError(f"grid: expected one of {', '.join(GRID_KINDS)}, got {kind!r}")
    grid = build_grid(
        boundary,
        kind="hex" if kind == "hex" else "square",
        cell_size_m=cell_size_m,
        crs=crs,
    )
    if has_areas:
        assert areas is not None
        grid = spread_population(grid, areas)
    return grid
