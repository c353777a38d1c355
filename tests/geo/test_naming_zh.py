"""Street and place names in the reader's language: ``name:zh-Hans`` (then ``name:zh``) in
Chinese outputs, ``name:en`` in English ones, ``name`` where OSM has no such tag.

A hand-made OSM file of 100 m blocks in Beijing::

    row 1   (0,1) ==== Chang'an Avenue [name:zh 长安街] (primary) ==== (2,1)
                           ‖  * No. 2 Middle School [name:zh 北京二中], 22 m north-east
    row 0   (0,0) ---- Dongdan Lane (no name:zh) ---- (1,0) ---- (2,0)
                           ‖ Wangfujing Dajie [name:zh-Hans 王府井大街, name:en Wangfujing
                              Street] (secondary) from (1,-1) to (1,1)
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer

from geo.crs import utm_crs_for_lonlat
from geo.naming import Place, PlaceNamer, local_names, namer_for_networks, read_osm_places
from geo.network import load_networks
from geo.network.cache import NetworkCache
from geo.network.modes import Mode
from maps.i18n import Translator
from maps.sheets.places import place_text

LON0, LAT0 = 116.40, 39.91
DLAT = 100.0 / 111_132.0
DLON = 100.0 / (111_320.0 * math.cos(math.radians(LAT0)))
CRS = utm_crs_for_lonlat(LON0, LAT0)

CHANGAN = {"highway": "primary", "name": "Chang'an Avenue", "name:zh": "长安街"}
WANGFUJING = {
    "highway": "secondary",
    "name": "Wangfujing Dajie",
    "name:zh-Hans": "王府井大街",
    "name:en": "Wangfujing Street",
}
DONGDAN = {"highway": "residential", "name": "Dongdan Lane"}
SCHOOL = {"amenity": "school", "name": "No. 2 Middle School", "name:zh": "北京二中"}


def _lonlat(col: float, row: float) -> tuple[float, float]:
    return round(LON0 + col * DLON, 7), round(LAT0 + row * DLAT, 7)


def _xy(col: float, row: float) -> tuple[float, float]:
    lon, lat = _lonlat(col, row)
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _osm() -> str:
    nodes: dict[tuple[float, float], int] = {}
    out: list[str] = []

    def node(col: float, row: float, tags: dict[str, str] | None = None) -> int:
        if (col, row) in nodes and not tags:
            return nodes[(col, row)]
        nid = 1 + len(out)
        lon, lat = _lonlat(col, row)
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (tags or {}).items())
        out.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">{body}</node>')
        if not tags:
            nodes[(col, row)] = nid
        return nid

    ways: list[str] = []

    def way(points: list[tuple[float, float]], tags: dict[str, str]) -> None:
        body = "".join(f'<nd ref="{node(c, r)}"/>' for c, r in points)
        body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        ways.append(f'<way id="{500 + len(ways)}" version="1">{body}</way>')

    way([(0, 1), (1, 1), (2, 1)], CHANGAN)
    way([(0, 0), (1, 0), (2, 0)], DONGDAN)
    way([(1, -1), (1, 0), (1, 1)], WANGFUJING)
    node(1.15, 1.15, SCHOOL)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">\n"
        + "\n".join(out + ways)
        + "\n</osm>\n"
    )


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("naming-zh") / "dongcheng.osm"
    path.write_text(_osm(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def namer(osm_file: Path) -> PlaceNamer:
    networks = load_networks(osm_file, modes=(Mode.FOOT, Mode.CAR), crs=CRS, cache=None)
    built = namer_for_networks(networks, osm_file)
    assert built is not None
    return built


def test_local_names_prefer_zh_hans_then_zh() -> None:
    assert local_names(CHANGAN) == {"zh-CN": "长安街"}
    assert local_names(WANGFUJING) == {"zh-CN": "王府井大街", "en": "Wangfujing Street"}
    both = {"name": "X", "name:zh": "甲", "name:zh-Hans": "乙"}
    assert local_names(both) == {"zh-CN": "乙"}  # simplified first for zh-CN
    assert local_names({"name": "长安街", "name:zh": "长安街"}) == {}  # the same: nothing
    assert local_names({"name": "A", "name:zh": ["甲", "乙"]}) == {}  # merged edge: unknown
    assert local_names(DONGDAN) == {}


def test_the_network_keeps_the_language_tags(osm_file: Path, tmp_path: Path) -> None:
    cache = NetworkCache(tmp_path / "cache")
    built = load_networks(osm_file, modes=(Mode.CAR,), crs=CRS, cache=cache)[Mode.CAR]
    cached = load_networks(osm_file, modes=(Mode.CAR,), crs=CRS, cache=cache)[Mode.CAR]
    for network in (built, cached):
        tags = {
            (d.get("name"), d.get("name:zh"), d.get("name:zh-Hans"), d.get("name:en"))
            for _, _, d in network.graph.edges(data=True)
        }
        assert ("Chang'an Avenue", "长安街", None, None) in tags
        assert ("Wangfujing Dajie", None, "王府井大街", "Wangfujing Street") in tags


def test_places_keep_their_chinese_name(osm_file: Path) -> None:
    places = read_osm_places(osm_file, CRS)
    assert places.names == ("No. 2 Middle School",)
    assert places.local_names == ({"zh-CN": "北京二中"},)


def test_a_corner_in_each_language(namer: PlaceNamer) -> None:
    place = namer.name_point(*_xy(1.0, 1.02))
    assert (place.street, place.crossing, place.poi) == (
        "Chang'an Avenue",
        "Wangfujing Dajie",
        "No. 2 Middle School",
    )
    zh = place.in_lang("zh-CN")
    assert (zh.street, zh.crossing, zh.poi) == ("长安街", "王府井大街", "北京二中")
    en = place.in_lang("en")
    assert (en.street, en.crossing, en.poi) == (
        "Chang'an Avenue",
        "Wangfujing Street",
        "No. 2 Middle School",
    )
    # distances and the kind do not change with the language
    assert zh.street_m == place.street_m and zh.kind == place.kind == en.kind
    # the sheets put them into words
    assert "长安街" in place_text(place, Translator("zh-CN"), "?")
    assert "王府井大街" in place_text(place, Translator("zh-CN"), "?")
    assert "Wangfujing Street" in place_text(place, Translator("en"), "?")
    assert "王府井" not in place_text(place, Translator("en"), "?")


def test_a_street_without_name_zh_keeps_its_name(namer: PlaceNamer) -> None:
    place = namer.name_point(*_xy(0.5, 0.01))
    assert place.street == "Dongdan Lane"
    assert place.in_lang("zh-CN").street == "Dongdan Lane"
    off_street = namer.name_point(*_xy(0.5, -0.6))  # 60 m south: an unnamed spot near a street
    assert off_street.street is None and off_street.near is not None
    assert off_street.in_lang("zh-CN").near in {"王府井大街", "Dongdan Lane"}


def test_plan_file_form_round_trips_and_stays_version_1(namer: PlaceNamer) -> None:
    place = namer.name_point(*_xy(1.0, 1.02))
    data = place.as_dict()
    assert data["names"] == {
        "en": {"crossing": "Wangfujing Street"},
        "zh-CN": {"crossing": "王府井大街", "poi": "北京二中", "street": "长安街"},
    }
    back = Place.from_dict(data)
    assert back.names == place.names and back.as_dict() == data
    old = {k: v for k, v in data.items() if k != "names"}  # a plan file of before
    assert Place.from_dict(old).names == ()
    assert Place.from_dict(old).in_lang("zh-CN").street == "Chang'an Avenue"
    plain = Place(street="Dongdan Lane", street_m=1.0)
    assert "names" not in plain.as_dict()  # nothing to add: the file is as before


_text = st.text(alphabet="ab长安街", min_size=1, max_size=4)


@given(
    street=st.one_of(st.none(), _text),
    given_name=st.one_of(st.none(), _text),
    names=st.lists(
        st.tuples(
            st.sampled_from(["zh-CN", "en"]),
            st.sampled_from(["street", "crossing", "poi", "near"]),
            _text,
        ),
        max_size=6,
    ),
)
def test_in_lang_only_replaces_names_that_exist(
    street: str | None, given_name: str | None, names: list[tuple[str, str, str]]
) -> None:
    place = Place(street=street, crossing="c", name=given_name, names=tuple(names))
    for lang in ("zh-CN", "en"):
        local = place.in_lang(lang)
        assert local.name == given_name  # a user's own name is never replaced
        assert (local.street is None) == (street is None)  # no street is made up
        assert local.kind == place.kind
        wanted = {f: t for code, f, t in names if code == lang}
        if street is not None and "street" in wanted:
            assert local.street == wanted["street"]
        elif street is not None:
            assert local.street == street
