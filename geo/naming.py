"""Places named the way people name them: the street a point is on, the nearest crossing, a
named place (square, station, school, market) close by.

A :class:`PlaceNamer` is built once from the street networks already loaded for planning (their
edges keep OSM's ``name``) and, optionally, the named places of the same OSM file
(:func:`read_osm_places`); :meth:`PlaceNamer.name_points` then names thousands of points at
once with spatial trees (shapely's STRtree for streets and places, a KD-tree for crossings).
Where OSM has no name the result says so (``street`` is ``None``, with the nearest named street
and its distance in ``near``/``near_m``): no name is ever made up.

Names are OSM's ``name``; where a street or place also carries a name in Chinese
(``name:zh-Hans``, the simplified characters a zh-CN reader reads, then ``name:zh``) or in
English (``name:en``), the :class:`Place` keeps it too (:attr:`Place.names`) and
:meth:`Place.in_lang` gives the place as a reader of that language names it (``name`` where
the language has none).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, Polygon

from geo.crs import WGS84, is_metric
from geo.errors import NetworkError
from geo.network.graph import StreetNetwork

__all__ = [
    "CROSSING_AT_M",
    "LANDMARK_KINDS",
    "LOCAL_NAME_TAGS",
    "MAX_PLACE_AREA_M2",
    "NEAR_RADIUS_M",
    "PLACE_KINDS",
    "POI_RADIUS_M",
    "STREET_RADIUS_M",
    "NamedPlaces",
    "Place",
    "PlaceNamer",
    "namer_for_networks",
    "place_kind",
    "read_osm_places",
]

#: A point is "on" the nearest named street up to this far from it (sidewalks, squares).
STREET_RADIUS_M = 35.0
#: How far the crossing of a point's street may be (beyond: the street alone).
CROSSING_RADIUS_M = 250.0
#: Up to this far from its crossing a point is "at" it ("A & B"); farther, "A near B".
CROSSING_AT_M = 40.0
#: A named place (square, station, school...) up to this far names the point too.
POI_RADIUS_M = 40.0
#: For a point on no named street: the nearest named street within this distance is given.
NEAR_RADIUS_M = 400.0
#: Areas larger than this (a campus, a whole park system) do not name a spot inside them.
MAX_PLACE_AREA_M2 = 30_000.0

#: OSM tags naming a street or place in each output language, best first; ``name`` is used
#: where none of them is set. The tags must be kept on network edges (``NAME_TAGS``).
LOCAL_NAME_TAGS: dict[str, tuple[str, ...]] = {
    "zh-CN": ("name:zh-Hans", "name:zh"),
    "en": ("name:en",),
}

#: The fields of a :class:`Place` that hold an OSM name (translated by :meth:`Place.in_lang`).
_NAME_FIELDS = ("street", "crossing", "poi", "near")

#: Kinds of named place, best first (a station beats a building at the same distance).
PLACE_KINDS = ("square", "station", "school", "market", "park", "landmark", "stop", "building")
#: Kinds that name a spot by themselves ("Pioneer Square", "Union Station"); the others (a
#: bank, a bus stop, a building) only say what the stop is next to.
LANDMARK_KINDS = frozenset({"square", "station", "school", "market", "park"})
#: How near a named place of each kind must be (a building only names the spot at its door).
POI_RADIUS_BY_KIND_M = {"building": 15.0, "stop": 25.0}

_AMENITY_KIND = {
    "school": "school",
    "kindergarten": "school",
    "college": "school",
    "university": "school",
    "marketplace": "market",
    "bus_station": "station",
    "police": "landmark",
    "townhall": "landmark",
    "hospital": "landmark",
    "clinic": "landmark",
    "library": "landmark",
    "community_centre": "landmark",
    "place_of_worship": "landmark",
    "theatre": "landmark",
    "cinema": "landmark",
    "arts_centre": "landmark",
    "post_office": "landmark",
    "bank": "landmark",
    "courthouse": "landmark",
    "fire_station": "landmark",
    "fuel": "landmark",
}
_SHOP_KIND = {"mall": "market", "supermarket": "market", "department_store": "market"}
_RAILWAY_KIND = {
    "station": "station",
    "halt": "station",
    "subway_entrance": "station",
    "tram_stop": "stop",
}
_LEISURE_KIND = {
    "park": "park",
    "garden": "park",
    "playground": "park",
    "stadium": "landmark",
    "sports_centre": "landmark",
}
_TOURISM_KIND = {"museum": "landmark", "attraction": "landmark", "hotel": "landmark"}

# Road classes, most important first: at a corner the bigger street gives the name.
_HIGHWAY_RANK = {
    h: i
    for i, h in enumerate(
        (
            "motorway",
            "trunk",
            "primary",
            "secondary",
            "tertiary",
            "motorway_link",
            "trunk_link",
            "primary_link",
            "secondary_link",
            "tertiary_link",
            "unclassified",
            "residential",
            "living_street",
            "pedestrian",
            "service",
            "track",
            "cycleway",
            "footway",
            "path",
            "steps",
        )
    )
}
_UNRANKED = len(_HIGHWAY_RANK)


def place_kind(tags: Mapping[str, str]) -> str | None:
    """The kind of named place an OSM object is (one of :data:`PLACE_KINDS`), or ``None``.

    Street furniture (benches, vending machines, bicycle parking) and land use are not places
    people name a spot by, so they give ``None``.
    """
    if tags.get("place") == "square" or (
        tags.get("highway") == "pedestrian" and tags.get("area") == "yes"
    ):
        return "square"
    for key, table in (
        ("railway", _RAILWAY_KIND),
        ("amenity", _AMENITY_KIND),
        ("shop", _SHOP_KIND),
        ("leisure", _LEISURE_KIND),
        ("tourism", _TOURISM_KIND),
    ):
        kind = table.get(tags.get(key, ""))
        if kind is not None:
            return kind
    if tags.get("public_transport") == "station":
        return "station"
    if tags.get("highway") == "bus_stop" or tags.get("public_transport") == "platform":
        return "stop"
    if "building" in tags:
        return "building"
    return None


@dataclass(frozen=True)
class Place:
    """How a point is named: its street, the crossing, a named place near it.

    Attributes
    ----------
    street
        OSM name of the street the point is on (the nearest named street within
        :data:`STREET_RADIUS_M`), or ``None`` when no named street is that close.
    street_m
        Distance from the point to that street, metres.
    crossing
        Name of the nearest street crossing ``street`` (within :data:`CROSSING_RADIUS_M`).
    crossing_m
        Distance from the point to that crossing, metres.
    poi, poi_kind, poi_m
        A named place within :data:`POI_RADIUS_M` (its name, kind of :data:`PLACE_KINDS`,
        distance; 0 inside an area such as a square or a campus building).
    near, near_m
        When ``street`` is ``None``: the nearest named street within :data:`NEAR_RADIUS_M`
        and its distance, to say "unnamed street near ...".
    name
        The name the user gave the place (a post, a checkpoint, a patrol line), which is kept
        as it is; ``None`` for places the planner chose (hotspots, coverage visits).
    names
        The same OSM names in other languages, where OSM has them: ``(language, field,
        name)`` triples, e.g. ``("zh-CN", "street", "长安街")`` (see :meth:`in_lang`).
    """

    street: str | None = None
    street_m: float | None = None
    crossing: str | None = None
    crossing_m: float | None = None
    poi: str | None = None
    poi_kind: str | None = None
    poi_m: float | None = None
    near: str | None = None
    near_m: float | None = None
    name: str | None = None
    names: tuple[tuple[str, str, str], ...] = ()

    @property
    def kind(self) -> str:
        """What names the place: ``"given"`` (the user's name), ``"poi"`` (a square, station,
        school, market or park: :data:`LANDMARK_KINDS`), ``"crossing"`` (at a corner),
        ``"street"`` or ``"unnamed"``."""
        if self.name is not None:
            return "given"
        if self.poi is not None and self.poi_kind in LANDMARK_KINDS:
            return "poi"
        if self.street is None:
            return "unnamed"
        if self.crossing is not None and (self.crossing_m or 0.0) <= CROSSING_AT_M:
            return "crossing"
        return "street"

    @property
    def at_crossing(self) -> bool:
        """True when the point is at the crossing of ``street`` and ``crossing``."""
        return (
            self.street is not None
            and self.crossing is not None
            and (self.crossing_m or 0.0) <= CROSSING_AT_M
        )

    def as_dict(self) -> dict[str, Any]:
        """The place as JSON data (``kind`` included; distances to 0.1 m)."""
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        for name in ("street", "street_m", "crossing", "crossing_m", "poi", "poi_kind", "poi_m"):
            out[name] = _rounded(getattr(self, name))
        out["near"] = self.near
        out["near_m"] = _rounded(self.near_m)
        if self.names:
            by_lang: dict[str, dict[str, str]] = {}
            for lang, field_name, text in self.names:
                by_lang.setdefault(lang, {})[field_name] = text
            out["names"] = by_lang
        return out

    def in_lang(self, lang: str) -> Place:
        """This place as a reader of ``lang`` (``"zh-CN"``, ``"en"``) names it: each OSM name
        replaced by its name in that language where OSM has one (``name:zh-Hans``, then
        ``name:zh``; ``name:en``), kept otherwise. The user's own name is never changed.
        """
        from dataclasses import replace

        code = "zh-CN" if str(lang).lower().startswith("zh") else "en"
        local: dict[str, Any] = {
            f: t for lang_, f, t in self.names if lang_ == code and getattr(self, f)
        }
        return replace(self, **local) if local else self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Place:
        """The place of :meth:`as_dict` (unknown keys such as ``kind`` or ``name`` ignored)."""

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        def number(key: str) -> float | None:
            value = data.get(key)
            return None if value is None else float(value)

        names: list[tuple[str, str, str]] = []
        by_lang = data.get("names")
        if isinstance(by_lang, Mapping):
            for lang in sorted(by_lang):
                fields = by_lang[lang]
                if isinstance(fields, Mapping):
                    names.extend(
                        (str(lang), str(f), str(fields[f]))
                        for f in _NAME_FIELDS
                        if fields.get(f) is not None
                    )

        return cls(
            street=text("street"),
            street_m=number("street_m"),
            crossing=text("crossing"),
            crossing_m=number("crossing_m"),
            poi=text("poi"),
            poi_kind=text("poi_kind"),
            poi_m=number("poi_m"),
            near=text("near"),
            near_m=number("near_m"),
            name=text("name"),
            names=tuple(sorted(names)),
        )

    def with_name(self, name: str | None) -> Place:
        """This place under the name a user gave it."""
        from dataclasses import replace

        return replace(self, name=name)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 1)
    return value


@dataclass(frozen=True, eq=False)
class NamedPlaces:
    """Named places (points and areas) of an OSM file, in a metric CRS.

    Attributes
    ----------
    names, kinds
        Name and kind (:data:`PLACE_KINDS`) of each place.
    geometries
        Points (nodes) and polygons (closed ways) in ``crs``.
    crs
        The metric CRS of ``geometries``.
    source
        File name they were read from.
    local_names
        Per place, its names in other languages (``{"zh-CN": "人民广场"}``, see
        :data:`LOCAL_NAME_TAGS`); empty when none was read.
    """

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    geometries: NDArray[np.object_]
    crs: CRS
    source: str = "places"
    local_names: tuple[Mapping[str, str], ...] = ()

    def __len__(self) -> int:
        return len(self.names)


def read_osm_places(path: str | Path, crs: CRS | str) -> NamedPlaces:
    """Read the named places of an OSM file (nodes and closed ways, see :func:`place_kind`).

    Parameters
    ----------
    path
        OSM XML or PBF file (the district's street network file).
    crs
        Metric CRS to project the places to (the networks' working CRS).

    Raises
    ------
    NetworkError
        If the file is missing or cannot be parsed (the message names it).
    ValueError
        If ``crs`` is not metric.
    """
    import osmium

    path = Path(path)
    working = CRS(crs)
    if not is_metric(working):
        raise ValueError(f"crs must be a projected CRS in metres (got {working.to_string()})")
    if not path.is_file():
        raise NetworkError(f"{path}: OSM file not found (named places are read from it)")
    names: list[str] = []
    kinds: list[str] = []
    local: list[dict[str, str]] = []
    rings: list[list[tuple[float, float]]] = []
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("name"))
    )
    try:
        for obj in processor:
            tags = {tag.k: tag.v for tag in obj.tags}
            kind = place_kind(tags)
            if kind is None:
                continue
            if isinstance(obj, osmium.osm.Node):
                if not obj.location.valid():
                    continue
                ring = [(obj.location.lon, obj.location.lat)]
            elif isinstance(obj, osmium.osm.Way):
                ring = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
                if len(ring) < 4 or ring[0] != ring[-1]:
                    continue  # open ways (a bus route, a platform edge) do not name a spot
            else:
                continue
            names.append(tags["name"])
            kinds.append(kind)
            local.append(local_names(tags))
            rings.append(ring)
    except RuntimeError as exc:  # pyosmium reports parse errors as RuntimeError
        raise NetworkError(f"{path.name}: cannot read as an OSM file ({exc})") from exc
    fwd = Transformer.from_crs(WGS84, working, always_xy=True)
    geoms: list[Any] = []
    for ring in rings:
        xs, ys = fwd.transform([p[0] for p in ring], [p[1] for p in ring])
        if len(ring) == 1:
            geoms.append(Point(float(xs[0]), float(ys[0])))
        else:
            poly = Polygon(list(zip(xs, ys, strict=True)))
            geoms.append(poly if poly.is_valid else poly.buffer(0))
    keep = [i for i, g in enumerate(geoms) if g.area <= MAX_PLACE_AREA_M2]
    return NamedPlaces(
        names=tuple(names[i] for i in keep),
        kinds=tuple(kinds[i] for i in keep),
        geometries=np.asarray([geoms[i] for i in keep], dtype=object),
        crs=working,
        source=path.name,
        local_names=tuple(local[i] for i in keep),
    )


def local_names(tags: Mapping[str, Any]) -> dict[str, str]:
    """The names of an OSM object (its tags, or an edge's attributes) in each language of
    :data:`LOCAL_NAME_TAGS` that differ from its ``name``: ``{"zh-CN": "长安街"}``. A tag
    holding several values (an edge osmnx merged from ways named differently) is left out:
    which value goes with which ``name`` is not known."""
    primary = tags.get("name")
    out: dict[str, str] = {}
    for lang, keys in LOCAL_NAME_TAGS.items():
        for key in keys:
            value = tags.get(key)
            if isinstance(value, str) and value.strip():
                if value.strip() != primary:
                    out[lang] = value.strip()
                break
    return out


def _edge_names(value: Any) -> list[str]:
    """Names of an edge attribute: a string, or a list on edges osmnx merged."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    items = value if isinstance(value, list | tuple | set) else [value]
    return [str(v).strip() for v in items if str(v).strip()]


def _by_rank(best: Mapping[str, int]) -> tuple[str, ...]:
    """Street names of a corner, the most important road class first (then by name)."""
    return tuple(sorted(best, key=lambda name: (best[name], name)))


def _rank(value: Any) -> int:
    items = value if isinstance(value, list | tuple | set) else [value]
    return min((_HIGHWAY_RANK.get(str(v), _UNRANKED) for v in items), default=_UNRANKED)


class PlaceNamer:
    """Names points by street, crossing and nearby named place.

    Build it with :meth:`from_networks` (the street networks of a district, and optionally its
    :class:`NamedPlaces`), then call :meth:`name_points` with working-CRS coordinates.

    Parameters
    ----------
    lines
        Named street edges (LineStrings in ``crs``).
    line_names, line_ranks
        Name and road-class rank (lower: more important) of each line.
    corner_xy
        ``(n, 2)`` coordinates of the nodes where two or more named streets meet.
    corner_names
        For each corner, its street names, most important first.
    crs
        The metric CRS of every coordinate.
    places
        Named places, or ``None``.
    street_names
        For a street's ``name``, its names in other languages (``{"Chang'an Avenue":
        {"zh-CN": "长安街"}}``), from the edges' ``name:zh``/``name:en``.
    """

    def __init__(
        self,
        lines: Sequence[LineString],
        line_names: Sequence[str],
        line_ranks: Sequence[int],
        corner_xy: ArrayLike,
        corner_names: Sequence[tuple[str, ...]],
        crs: CRS | str,
        places: NamedPlaces | None = None,
        street_names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        if len(lines) != len(line_names) or len(lines) != len(line_ranks):
            raise ValueError(
                f"lines, line_names and line_ranks differ in length "
                f"({len(lines)}, {len(line_names)}, {len(line_ranks)})"
            )
        self.crs = CRS(crs)
        if places is not None and CRS(places.crs) != self.crs:
            raise ValueError(
                f"places are in {CRS(places.crs).to_string()}, the streets in "
                f"{self.crs.to_string()}: read them with read_osm_places(path, crs=<streets' CRS>)"
            )
        self._lines = np.asarray(list(lines), dtype=object)
        self._line_names = tuple(line_names)
        self._line_ranks = np.asarray(line_ranks, dtype=np.int64)
        self._line_tree = shapely.STRtree(self._lines)
        xy = np.asarray(corner_xy, dtype=float).reshape(-1, 2)
        self._corner_names = tuple(corner_names)
        self._corner_tree = cKDTree(xy) if len(xy) else None
        self._places = places
        self._place_tree = (
            shapely.STRtree(places.geometries) if places is not None and len(places) else None
        )
        self._street_names = {k: dict(v) for k, v in (street_names or {}).items() if v}
        self._place_names: dict[str, dict[str, str]] = {}
        if places is not None:
            for name, local in zip(places.names, places.local_names, strict=False):
                if local:
                    self._place_names.setdefault(name, dict(local))

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def from_networks(
        cls,
        networks: StreetNetwork | Iterable[StreetNetwork] | Mapping[Any, StreetNetwork],
        places: NamedPlaces | None = None,
    ) -> PlaceNamer:
        """A namer from one or more street networks (all in one CRS) and named places.

        Every mode's network adds its named edges (a car-only road, a footpath); an edge
        present in several networks counts once.

        Raises
        ------
        ValueError
            If no network is given or they are in different CRSs.
        """
        if isinstance(networks, StreetNetwork):
            nets = [networks]
        elif isinstance(networks, Mapping):
            nets = list(networks.values())
        else:
            nets = list(networks)
        if not nets:
            raise ValueError("networks: expected at least one StreetNetwork, got none")
        crs = CRS(nets[0].crs)
        for net in nets[1:]:
            if CRS(net.crs) != crs:
                raise ValueError(
                    f"networks are in different CRSs ({crs.to_string()} and "
                    f"{CRS(net.crs).to_string()}); load them with one crs="
                )
        seen: set[tuple[int, int, str]] = set()
        lines: list[LineString] = []
        names: list[str] = []
        ranks: list[int] = []
        corner_pos: dict[int, tuple[float, float]] = {}
        corner_best: dict[int, dict[str, int]] = {}
        street_names: dict[str, dict[str, str]] = {}
        for net in nets:
            graph = net.graph
            for u, v, data in graph.edges(data=True):
                edge_names = _edge_names(data.get("name"))
                if not edge_names:
                    continue
                if len(edge_names) == 1:
                    for lang, local in local_names({**data, "name": edge_names[0]}).items():
                        street_names.setdefault(edge_names[0], {}).setdefault(lang, local)
                rank = _rank(data.get("highway"))
                a, b = (u, v) if u <= v else (v, u)
                for node in (u, v):
                    if node not in corner_pos:
                        nd = graph.nodes[node]
                        corner_pos[node] = (float(nd["x"]), float(nd["y"]))
                    best = corner_best.setdefault(node, {})
                    for name in edge_names:
                        best[name] = min(best.get(name, _UNRANKED), rank)
                key = (a, b, edge_names[0])
                if key in seen:
                    continue
                seen.add(key)
                geom = data.get("geometry")
                if geom is None:
                    nu, nv = graph.nodes[u], graph.nodes[v]
                    geom = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
                lines.append(geom)
                names.append(edge_names[0])
                ranks.append(rank)
        corner_ids = [n for n, best in corner_best.items() if len(best) >= 2]
        corner_xy = np.array([corner_pos[n] for n in corner_ids], dtype=float).reshape(-1, 2)
        corner_names = [_by_rank(corner_best[n]) for n in corner_ids]
        return cls(lines, names, ranks, corner_xy, corner_names, crs, places, street_names)

    @property
    def n_streets(self) -> int:
        """Named street edges indexed."""
        return len(self._line_names)

    @property
    def n_places(self) -> int:
        """Named places indexed."""
        return 0 if self._places is None else len(self._places)

    # ---- naming ---------------------------------------------------------------------------
    def name_point(self, x: float, y: float) -> Place:
        """:meth:`name_points` of one point."""
        return self.name_points([x], [y])[0]

    def name_points(self, x: ArrayLike, y: ArrayLike) -> list[Place]:
        """Name points given in the namer's CRS (metres).

        For each point: the nearest named street (ties, as at a corner where the point lies on
        both, go to the more important road class), the nearest corner where that street
        meets another named one, the best named place within :data:`POI_RADIUS_M` and, for a
        point on no named street, the nearest named street farther away.

        Raises
        ------
        ValueError
            If ``x`` and ``y`` differ in length or hold non-finite values.
        """
        xs = np.asarray(x, dtype=float).ravel()
        ys = np.asarray(y, dtype=float).ravel()
        if xs.shape != ys.shape:
            raise ValueError(f"x and y differ in length ({xs.size} and {ys.size})")
        if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
            raise ValueError("x, y: expected finite coordinates in metres, got NaN or inf")
        n = xs.size
        if n == 0:
            return []
        points = np.asarray(shapely.points(xs, ys), dtype=object)
        street, street_m = self._nearest_streets(points)
        crossing, crossing_m = self._crossings(xs, ys, street, street_m)
        poi, poi_kind, poi_m = self._nearby_places(points)
        out: list[Place] = []
        for i in range(n):
            name = street[i]
            on_street = name is not None and street_m[i] <= STREET_RADIUS_M
            if poi[i] is not None and poi[i] in (name, crossing[i]):
                # a bus stop or a bridge named after the street says nothing more
                poi[i] = poi_kind[i] = poi_m[i] = None
            place = Place(
                street=name if on_street else None,
                street_m=float(street_m[i]) if on_street else None,
                crossing=crossing[i] if on_street else None,
                crossing_m=crossing_m[i] if on_street else None,
                poi=poi[i],
                poi_kind=poi_kind[i],
                poi_m=poi_m[i],
                near=None if on_street else name,
                near_m=None if on_street or name is None else float(street_m[i]),
            )
            out.append(self._with_local_names(place))
        return out

    def _with_local_names(self, place: Place) -> Place:
        """``place`` with the other-language names of its streets and named place."""
        if not (self._street_names or self._place_names):
            return place
        found: list[tuple[str, str, str]] = []
        for field_name in _NAME_FIELDS:
            value = getattr(place, field_name)
            if value is None:
                continue
            table = self._place_names if field_name == "poi" else self._street_names
            for lang, local in sorted(table.get(value, {}).items()):
                found.append((lang, field_name, local))
        if not found:
            return place
        from dataclasses import replace

        return replace(place, names=tuple(sorted(found)))

    def street_runs(
        self, line: LineString, *, step_m: float = 10.0, on_street_m: float = 4.0
    ) -> list[tuple[str, LineString]]:
        """The named streets a path runs along, in order: ``[(name, piece of the path)]``.

        The path is sampled every ``step_m`` metres; a sample within ``on_street_m`` of a named
        street is on it. Consecutive samples on the same street make one piece; stretches on
        unnamed ways are left out.
        """
        if line.is_empty or line.length <= 0:
            return []
        n = max(2, int(math.ceil(line.length / step_m)) + 1)
        points = np.asarray(
            shapely.line_interpolate_point(line, np.linspace(0.0, line.length, n)), dtype=object
        )
        names, dist = self._nearest_streets(points)
        runs: list[tuple[str, LineString]] = []
        current: str | None = None
        coords: list[tuple[float, float]] = []

        def close() -> None:
            if current is not None and len(coords) >= 2:
                runs.append((current, LineString(coords)))

        for point, name, gap in zip(points, names, dist, strict=True):
            here = name if name is not None and gap <= on_street_m else None
            if here != current:
                close()
                current, coords = here, []
            coords.append((float(point.x), float(point.y)))
        close()
        return runs

    def _nearest_streets(
        self, points: NDArray[np.object_]
    ) -> tuple[list[str | None], NDArray[np.float64]]:
        n = len(points)
        names: list[str | None] = [None] * n
        dist = np.full(n, np.inf)
        if not self._line_names:
            return names, dist
        idx, d = self._line_tree.query_nearest(
            points, max_distance=NEAR_RADIUS_M, return_distance=True, all_matches=True
        )
        # at a corner a point lies on several streets at once: keep the most important
        best_rank = np.full(n, _UNRANKED + 1)
        for p, line, gap in zip(idx[0], idx[1], d, strict=True):
            rank = int(self._line_ranks[line])
            if gap < dist[p] - 1e-6 or (gap <= dist[p] + 1e-6 and rank < best_rank[p]):
                dist[p] = gap
                best_rank[p] = rank
                names[p] = self._line_names[line]
        return names, dist

    def _crossings(
        self,
        xs: NDArray[np.float64],
        ys: NDArray[np.float64],
        street: Sequence[str | None],
        street_m: NDArray[np.float64],
    ) -> tuple[list[str | None], list[float | None]]:
        n = xs.size
        names: list[str | None] = [None] * n
        dist: list[float | None] = [None] * n
        if self._corner_tree is None:
            return names, dist
        k = min(16, self._corner_tree.n)
        gaps, found = self._corner_tree.query(
            np.column_stack([xs, ys]), k=k, distance_upper_bound=CROSSING_RADIUS_M
        )
        gaps = np.asarray(gaps).reshape(n, k)
        found = np.asarray(found).reshape(n, k)
        for i in range(n):
            own = street[i]
            if own is None or street_m[i] > STREET_RADIUS_M:
                continue
            for gap, corner in zip(gaps[i], found[i], strict=True):
                if not math.isfinite(gap):
                    break
                streets = self._corner_names[int(corner)]
                if own in streets:
                    other = next(s for s in streets if s != own)
                    names[i], dist[i] = other, float(gap)
                    break
        return names, dist

    def _nearby_places(
        self, points: NDArray[np.object_]
    ) -> tuple[list[str | None], list[str | None], list[float | None]]:
        n = len(points)
        names: list[str | None] = [None] * n
        kinds: list[str | None] = [None] * n
        dist: list[float | None] = [None] * n
        if self._place_tree is None or self._places is None:
            return names, kinds, dist
        pairs = self._place_tree.query(points, predicate="dwithin", distance=POI_RADIUS_M)
        if pairs.shape[1] == 0:
            return names, kinds, dist
        gaps = shapely.distance(points[pairs[0]], self._places.geometries[pairs[1]])
        order = {k: i for i, k in enumerate(PLACE_KINDS)}
        best: dict[int, tuple[int, float, int]] = {}
        for p, place, gap in zip(pairs[0], pairs[1], gaps, strict=True):
            kind = self._places.kinds[place]
            if gap > POI_RADIUS_BY_KIND_M.get(kind, POI_RADIUS_M):
                continue
            key = (order[kind], float(gap), int(place))
            if int(p) not in best or key < best[int(p)]:
                best[int(p)] = key
        for p, (_, gap, place) in best.items():
            names[p] = self._places.names[place]
            kinds[p] = self._places.kinds[place]
            dist[p] = gap
        return names, kinds, dist


def namer_for_networks(
    networks: Mapping[Any, StreetNetwork], network_path: str | Path | None = None
) -> PlaceNamer | None:
    """The :class:`PlaceNamer` of a district's loaded networks, with the named places of its OSM
    file when ``network_path`` is one (GraphML holds no places); ``None`` without networks."""
    if not networks:
        return None
    crs = CRS(next(iter(networks.values())).crs)
    places = None
    if network_path is not None:
        path = Path(network_path)
        if path.suffix.lower() != ".graphml" and path.is_file():
            places = read_osm_places(path, crs)
    return PlaceNamer.from_networks(networks, places)
