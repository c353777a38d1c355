"""The on-disk cache of validated risk (:mod:`geo.hotspots.riskcache`): a warm process reads
the choice instead of validating again, and gets exactly what a cold one computes."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.hotspots import riskcache
from geo.hotspots.bands import band
from geo.hotspots.blend import ValidatedForecaster
from geo.hotspots.choice import (
    MethodChoice,
    _choice_from_json,
    _choice_to_json,
    clear_cache,
    validated_band_risk,
)
from geo.hotspots.events import CellLayout, Events, events_from_incidents, layout_from_cells
from geo.hotspots.riskcache import RiskCache, RiskCacheWarning, risk_cache_dir
from geo.network.cache import cache_disabled
from tests.geo.test_hotspots_backtest import _cells, _incidents

EVENING = band(16, 24)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GRIDPATROL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GRIDPATROL_NO_CACHE", raising=False)
    clear_cache()
    yield tmp_path / "cache" / "risk"
    clear_cache()


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The reference days :meth:`ValidatedForecaster.choose` validated at (one per miss)."""
    seen: list[float] = []
    real = ValidatedForecaster.choose

    def counting(self: ValidatedForecaster, *args: object, **kwargs: float) -> object:
        seen.append(kwargs["origin_day"])
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ValidatedForecaster, "choose", counting)
    return seen


def _events(days: int = 140) -> tuple[Events, CellLayout, float]:
    layout = layout_from_cells(_cells())
    events = events_from_incidents(_incidents(days=days), layout)
    return events, layout, float(np.floor(events.day.max())) + 1


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("risk-*.npz"))


def test_a_new_process_reads_the_validated_choice_from_disk(
    calls: list[float], _own_cache: Path
) -> None:
    events, layout, at = _events()
    cold, cold_choice = validated_band_risk(events, layout, EVENING, at_day=at)
    assert calls == [at] and len(_entries(_own_cache)) == 1
    clear_cache(disk=False)  # what a new process starts with: an empty memory cache
    warm, warm_choice = validated_band_risk(events, layout, EVENING, at_day=at)
    assert calls == [at]  # no second validation: the disk entry answered
    np.testing.assert_array_equal(cold, warm)
    assert warm.dtype == cold.dtype == np.float64
    assert warm_choice == cold_choice
    assert warm_choice.validated and warm_choice.method in warm_choice.scores


def test_changed_incidents_or_options_miss(calls: list[float], _own_cache: Path) -> None:
    events, layout, at = _events()
    validated_band_risk(events, layout, EVENING, at_day=at)
    clear_cache(disk=False)
    heavier = Events(**{**events.__dict__, "weight": events.weight * 2.0})
    validated_band_risk(heavier, layout, EVENING, at_day=at)
    assert len(calls) == 2
    clear_cache(disk=False)
    validated_band_risk(events, layout, EVENING, at_day=at, share=0.1)
    assert len(calls) == 3
    assert len(_entries(_own_cache)) == 3


def test_a_changed_code_version_misses(
    calls: list[float], _own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events, layout, at = _events()
    validated_band_risk(events, layout, EVENING, at_day=at)
    clear_cache(disk=False)
    monkeypatch.setattr(riskcache, "_CODE_VERSION", "1-someothercode0")
    validated_band_risk(events, layout, EVENING, at_day=at)
    assert len(calls) == 2
    assert len(_entries(_own_cache)) == 2  # the old version's entry is not read


def test_the_code_version_follows_the_forecasting_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = riskcache.risk_code_version()
    assert first.startswith(f"{riskcache.RISK_CACHE_FORMAT}-") and len(first) == 18
    monkeypatch.setattr(riskcache, "_CODE_VERSION", None)
    monkeypatch.setattr(riskcache, "RISK_CACHE_FORMAT", riskcache.RISK_CACHE_FORMAT + 1)
    assert riskcache.risk_code_version() != first


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong-grid"])
def test_a_corrupt_entry_is_rebuilt_with_a_warning(
    damage: str, calls: list[float], _own_cache: Path
) -> None:
    events, layout, at = _events()
    cold, cold_choice = validated_band_risk(events, layout, EVENING, at_day=at)
    (entry,) = _entries(_own_cache)
    if damage == "garbage":
        entry.write_bytes(b"not a zip file at all")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:100])
    else:  # a readable entry with scores for another grid
        store = RiskCache(_own_cache)
        key = next(k for k in _keys_of(store, events, layout, at) if store.path_for(k) == entry)
        store.put(key, np.zeros(3), _choice_to_json(cold_choice))
    clear_cache(disk=False)
    with pytest.warns(RiskCacheWarning, match=r"risk cache entry .*risk-.*\.npz is unreadable"):
        again, again_choice = validated_band_risk(events, layout, EVENING, at_day=at)
    assert len(calls) == 2  # computed again
    np.testing.assert_array_equal(cold, again)
    assert again_choice == cold_choice
    clear_cache(disk=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RiskCacheWarning)
        validated_band_risk(events, layout, EVENING, at_day=at)  # the rewritten entry is good
    assert len(calls) == 2


def _keys_of(store: RiskCache, events: Events, layout: CellLayout, at: float) -> list[str]:
    from geo.hotspots.choice import _cache_key, band_member

    member = band_member(events, EVENING, "day")
    keep = (member > 0) & (events.day <= at)
    return [_cache_key(events, layout, member, keep, EVENING, at, 0.05, None)]


def test_no_cache_neither_reads_nor_writes(calls: list[float], _own_cache: Path) -> None:
    events, layout, at = _events()
    with cache_disabled():
        validated_band_risk(events, layout, EVENING, at_day=at)
        clear_cache(disk=False)
        validated_band_risk(events, layout, EVENING, at_day=at)
    assert len(calls) == 2 and not _entries(_own_cache)


def _write_many(args: tuple[str, str, int]) -> int:
    folder, key, n = args
    store = RiskCache(folder, version="1-test")
    scores = np.arange(5000, dtype=float)
    for i in range(n):
        store.put(key, scores, {"i": i, "payload": "x" * 2000})
        got = store.get(key)
        assert got is not None and np.array_equal(got[0], scores)
    return os.getpid()


def test_two_processes_writing_the_same_key(tmp_path: Path) -> None:
    folder = str(tmp_path / "shared")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RiskCacheWarning)  # a reader never sees half a file
        context = multiprocessing.get_context("spawn")
        with context.Pool(2) as pool:
            pids = pool.map(_write_many, [(folder, "same", 40), (folder, "same", 40)])
    assert len(set(pids)) == 2
    store = RiskCache(folder, version="1-test")
    got = store.get("same")
    assert got is not None and got[1]["payload"] == "x" * 2000
    assert len(list(Path(folder).iterdir())) == 1  # one entry, no temporary file left


def test_clear_removes_entries(_own_cache: Path) -> None:
    store = RiskCache(risk_cache_dir())
    store.put("a", np.ones(2), {})
    store.put("b", np.ones(2), {})
    assert store.clear() == 2 and store.get("a") is None


_floats = st.floats(allow_nan=True, allow_infinity=True)
_times = st.none() | st.datetimes(
    min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
    max_value=pd.Timestamp("2100-01-01").to_pydatetime(),
).map(pd.Timestamp)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=12),
    values=st.lists(_floats, min_size=8, max_size=8),
    start=_times,
    end=_times,
    scores=st.dictionaries(st.text(max_size=10), _floats, max_size=5),
)
def test_a_choice_survives_the_json_round_trip_exactly(
    name: str,
    values: list[float],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    scores: dict[str, float],
) -> None:
    choice = MethodChoice(name, "blend", "validation", *values[:1], start, end, *values[1:], scores)
    back = _choice_from_json(json.loads(json.dumps(_choice_to_json(choice))))
    for field in ("band", "method", "reason", "validation_start", "validation_end"):
        assert getattr(back, field) == getattr(choice, field)
    for field in (
        "share",
        "pai",
        "low",
        "high",
        "naive_pai",
        "ratio_low",
        "ratio_high",
        "incidents",
    ):
        a, b = getattr(back, field), getattr(choice, field)
        assert (math.isnan(a) and math.isnan(b)) or a == b
    assert list(back.scores) == list(choice.scores)
    for k, v in choice.scores.items():
        assert (math.isnan(v) and math.isnan(back.scores[k])) or back.scores[k] == v


#: What a warm ``gridpatrol hotspots`` does not need: building networks, fitting learners,
#: drawing charts, the statistics package (the risk and networks come from the caches).
WARM_UNNEEDED = ("osmnx", "sklearn", "matplotlib", "scipy.stats", "folium", "ortools", "dask")


def _hotspots_process(out: Path, cache: Path) -> set[str]:
    """Run ``gridpatrol hotspots`` on Portland in a fresh interpreter; the modules it loaded."""
    probe = (
        "import json, sys\n"
        "from api.cli import main\n"
        "try:\n"
        f"    main(['hotspots', '--sample', 'portland-central', '--out', {str(out)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    env = {**os.environ, "GRIDPATROL_CACHE_DIR": str(cache)}
    env.pop("GRIDPATROL_NO_CACHE", None)
    env.pop("GRIDPATROL_LANG", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.slow
def test_a_warm_hotspots_process_writes_the_cold_files_without_the_heavy_stacks(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "shared-cache"
    cold_modules = _hotspots_process(tmp_path / "cold", cache)
    assert _entries(cache / "risk") and list((cache / "networks").glob("foot-*.npz"))
    assert not list((cache / "networks").glob("car-*.npz"))  # the table needs the foot network
    warm_modules = _hotspots_process(tmp_path / "warm", cache)
    for run in ("cold", "warm"):
        assert sorted(p.name for p in (tmp_path / run).iterdir()) == [
            "hotspots.csv",
            "hotspots.geojson",
        ]
    for name in ("hotspots.csv", "hotspots.geojson"):
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes()
    assert "sklearn" in cold_modules  # the cold run validated with the learners
    assert not warm_modules & set(WARM_UNNEEDED)


def test_the_least_recently_used_entries_are_pruned(tmp_path: Path) -> None:
    store = RiskCache(tmp_path / "lru", version="1-test", max_entries=3)
    for i, key in enumerate("abcd"):
        store.put(key, np.full(2, float(i)), {"i": i})
        os.utime(store.path_for(key), (1_000_000 + i, 1_000_000 + i))
    # 'a', the oldest, went when 'd' was written
    assert store.get("a") is None
    got = store.get("b")  # reading 'b' makes it the most recently used
    assert got is not None and got[1] == {"i": 1}
    store.put("e", np.zeros(2), {"i": 4})
    assert [k for k in "abcde" if store.path_for(k).is_file()] == ["b", "d", "e"]
    with pytest.raises(ValueError, match="max_entries must be at least 1, got 0"):
        RiskCache(tmp_path, max_entries=0)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_hotspots_writes_both_files_in_either_language(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV's headings follow the language (Chinese ones from the catalogue, English ones the
    machine names, without loading the maps stack) and the GeoJSON keeps the machine names."""
    from api.cli import main

    rows = ["id,lat,lon,occurred_at,category"]
    for i in range(40):
        lat, lon = 31.2300 + (i % 4) * 3e-4, 121.4700 + (i % 5) * 3e-4
        rows.append(f"{i},{lat},{lon},2024-03-{1 + i % 28:02d} {18 + i % 5}:15,theft")
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("\n".join(rows), encoding="utf-8")
    monkeypatch.setenv("GRIDPATROL_LANG", lang)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "hotspots",
                "--incidents",
                str(incidents),
                "--timezone",
                "Asia/Shanghai",
                "--band",
                "16-24",
                "--out",
                str(out),
                "--json",
            ]
        )
    assert not exited.value.code
    header = (out / "hotspots.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    if lang == "zh-CN":
        assert header[:2] == ["网格编号", "时段"] and "高发时段（时）" in header
    else:
        assert header[:2] == ["cell_id", "band"] and "peak_hours" in header
    features = json.loads((out / "hotspots.geojson").read_text(encoding="utf-8"))["features"]
    assert features and {"cell_id", "band", "peak_hours"} <= set(features[0]["properties"])
