"""The on-disk street network cache: hits, misses, invalidation, damaged entries, races."""

from __future__ import annotations

import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import geo.network.load as load_module
from geo.network import Mode, ModeSpeeds, StreetNetwork, load_network, load_networks
from geo.network.cache import (
    CACHE_DIR_ENV,
    NO_CACHE_ENV,
    NetworkCache,
    NetworkCacheWarning,
    NetworkKey,
    default_cache,
)
from tests.geo._network_osm import WAYS, write_grid


def _edges(network: StreetNetwork) -> list[tuple[int, int, int, dict[str, object]]]:
    out = []
    for u, v, k, data in network.graph.edges(keys=True, data=True):
        attrs = dict(data)
        if "geometry" in attrs:
            attrs["geometry"] = list(attrs["geometry"].coords)
        out.append((u, v, k, attrs))
    return out


def assert_same_network(a: StreetNetwork, b: StreetNetwork) -> None:
    assert a.mode is b.mode
    assert a.crs == b.crs
    np.testing.assert_array_equal(a.node_ids, b.node_ids)
    np.testing.assert_array_equal(a.node_x_m, b.node_x_m)
    np.testing.assert_array_equal(a.node_y_m, b.node_y_m)
    assert (a.travel_time_csr != b.travel_time_csr).nnz == 0
    assert (a.length_csr != b.length_csr).nnz == 0
    assert list(a.graph.nodes(data=True)) == list(b.graph.nodes(data=True))
    assert _edges(a) == _edges(b)
    assert sorted(a.graph.in_edges(keys=True)) == sorted(b.graph.in_edges(keys=True))
    assert (a.source, a.notes, a.dropped_nodes, a.access_speed_kmh) == (
        b.source,
        b.notes,
        b.dropped_nodes,
        b.access_speed_kmh,
    )


class _ParsedError(AssertionError):
    pass


def _refuse_parse(path: object) -> object:
    raise _ParsedError(f"the OSM file {path} was parsed although the cache holds its networks")


def test_miss_writes_every_mode_and_matches_an_uncached_build(tmp_path: Path) -> None:
    osm = write_grid(tmp_path)
    cache = NetworkCache(tmp_path / "cache")
    cached = load_networks(osm, cache=cache)
    fresh = load_networks(osm, cache=None)
    assert sorted(e.mode for e in cache.info().entries) == ["bicycle", "car", "foot"]
    for mode in Mode:
        assert_same_network(cached[mode], fresh[mode])


def test_hit_rebuilds_the_same_network_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    osm = write_grid(tmp_path)
    cache = NetworkCache(tmp_path / "cache")
    first = load_networks(osm, cache=cache)
    monkeypatch.setattr(load_module, "read_osm_streets", _refuse_parse)
    again = load_networks(osm, cache=cache)
    for mode in Mode:
        assert_same_network(first[mode], again[mode])
    # street names survive the round trip (stops are named after them)
    names = {d.get("name") for _, _, d in again[Mode.CAR].graph.edges(data=True)}
    assert "South Street" in names


def test_hit_keeps_simplified_edge_geometry(tmp_path: Path) -> None:
    # nodes 2, 3 and 6 are inside one way: simplified away into the edge's geometry
    bent = {
        201: ([1, 2, 3, 6, 9], {"highway": "residential", "name": "Bent Street"}),
        202: ([9, 8, 7, 4, 1], {"highway": "residential"}),
    }
    osm = write_grid(tmp_path, "bent.osm", ways=bent)
    cache = NetworkCache(tmp_path / "cache")
    first = load_network(osm, mode="foot", cache=cache)
    again = load_network(osm, mode="foot", cache=cache)
    assert_same_network(first, again)
    lines = [d["geometry"] for _, _, d in again.graph.edges(data=True) if "geometry" in d]
    assert lines and max(len(line.coords) for line in lines) == 5


def test_changed_file_misses_and_gives_the_new_network(tmp_path: Path) -> None:
    cache = NetworkCache(tmp_path / "cache")
    osm = write_grid(tmp_path)
    before = load_network(osm, mode="car", cache=cache)
    # a way goes away: its nodes and name go with it
    ways = {k: v for k, v in WAYS.items() if k != 101}
    write_grid(tmp_path, ways=ways)
    after = load_network(osm, mode="car", cache=cache)
    assert after.n_edges < before.n_edges
    assert "South Street" not in {d.get("name") for _, _, d in after.graph.edges(data=True)}
    assert len(cache.info().entries) == 2
    assert_same_network(after, load_network(osm, mode="car", cache=None))


def test_changed_profile_misses_only_for_its_mode(tmp_path: Path) -> None:
    cache = NetworkCache(tmp_path / "cache")
    osm = write_grid(tmp_path)
    slow = load_networks(osm, modes=("foot", "car"), cache=cache)
    brisk = load_networks(osm, modes=("foot", "car"), cache=cache, speeds=ModeSpeeds(foot_kmh=6))
    # 4.5 -> 6 km/h: every foot edge takes 3/4 of the time; the car profile did not change
    np.testing.assert_allclose(
        brisk[Mode.FOOT].travel_time_csr.data, slow[Mode.FOOT].travel_time_csr.data * 0.75
    )
    assert sorted(e.mode for e in cache.info().entries) == ["car", "foot", "foot"]
    car_keys = {NetworkKey.for_file(osm, "car", s).digest for s in (None, ModeSpeeds(foot_kmh=6))}
    assert len(car_keys) == 1
    fast_car = NetworkKey.for_file(osm, "car", ModeSpeeds(car_use_maxspeed=False))
    assert fast_car.digest not in car_keys


def test_changed_crs_misses(tmp_path: Path) -> None:
    osm = write_grid(tmp_path)
    assert (
        NetworkKey.for_file(osm, "foot", crs="EPSG:32610").digest
        != NetworkKey.for_file(osm, "foot").digest
    )


@pytest.mark.parametrize("damage", [b"", b"not a zip file", None])
def test_corrupt_entry_is_rebuilt_with_a_warning(tmp_path: Path, damage: bytes | None) -> None:
    cache = NetworkCache(tmp_path / "cache")
    osm = write_grid(tmp_path)
    good = load_network(osm, mode="foot", cache=cache)
    (entry,) = cache.info().entries
    if damage is None:  # a truncated write from some other tool
        damage = entry.path.read_bytes()[: entry.size_bytes // 2]
    entry.path.write_bytes(damage)
    with pytest.warns(NetworkCacheWarning, match=r"unreadable .*rebuilt"):
        rebuilt = load_network(osm, mode="foot", cache=cache)
    assert_same_network(good, rebuilt)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NetworkCacheWarning)
        assert_same_network(good, load_network(osm, mode="foot", cache=cache))


def test_entry_with_another_key_inside_is_not_trusted(tmp_path: Path) -> None:
    cache = NetworkCache(tmp_path / "cache")
    osm = write_grid(tmp_path)
    foot_key = NetworkKey.for_file(osm, "foot")
    car = load_network(osm, mode="car", cache=cache)
    # a car network written under the foot entry's name (e.g. copied by hand)
    car_path = cache.path_for(NetworkKey.for_file(osm, "car"))
    cache.path_for(foot_key).write_bytes(car_path.read_bytes())
    with pytest.warns(NetworkCacheWarning, match="stored key differs"):
        foot = load_network(osm, mode="foot", cache=cache)
    assert foot.mode is Mode.FOOT and car.mode is Mode.CAR


def _load_in_process(osm: str, directory: str) -> list[int]:
    networks = load_networks(osm, cache=NetworkCache(directory))
    return [networks[m].n_nodes for m in Mode]


def test_two_processes_writing_the_same_key(tmp_path: Path) -> None:
    osm = write_grid(tmp_path)
    directory = tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(pool.map(_load_in_process, [str(osm)] * 2, [str(directory)] * 2))
    assert results[0] == results[1]
    cache = NetworkCache(directory)
    assert sorted(e.mode for e in cache.info().entries) == ["bicycle", "car", "foot"]
    assert not list(directory.glob(".*.tmp")), "temporary files are renamed or removed"
    with warnings.catch_warnings():
        warnings.simplefilter("error", NetworkCacheWarning)
        read = load_networks(osm, cache=cache)
    assert [read[m].n_nodes for m in Mode] == results[0]


def test_default_cache_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "root"))
    monkeypatch.delenv(NO_CACHE_ENV, raising=False)
    cache = default_cache()
    assert cache is not None and cache.directory == tmp_path / "root" / "networks"
    load_network(write_grid(tmp_path), mode="car")
    assert [e.mode for e in cache.info().entries] == ["car"]
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    assert default_cache() is None


def test_info_and_clear(tmp_path: Path) -> None:
    cache = NetworkCache(tmp_path / "cache")
    assert cache.info().entries == () and cache.clear() == 0
    load_networks(write_grid(tmp_path), modes=("foot", "car"), cache=cache)
    info = cache.info()
    assert info.size_bytes > 0
    summary = info.as_dict()
    assert summary["entries"] == 2
    assert {n["source"] for n in summary["networks"]} == {"grid.osm"}
    assert all(n["current"] and n["edges"] > 0 for n in summary["networks"])
    assert cache.clear() == 2
    assert cache.info().entries == ()
