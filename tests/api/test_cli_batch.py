"""``gridpatrol batch``: districts planned on a Dask LocalCluster equal single-district runs;
a failing district is reported while the others are planned; re-runs skip complete jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.batch import DistrictTask, ManifestError, is_complete, plan_task, tasks_from_manifest
from api.cli import main
from geo import sample
from geo.network import load_networks
from geo.network.cache import CACHE_DIR_ENV, NO_CACHE_ENV
from planner.batch import area_district, run_batch

SAMPLE = "toronto-uoft"
# short limits; the iteration cap (not the clock) ends the search, so runs repeat exactly
PLAN = {"unit_counts": "foot=1", "time_limit_s": 30, "max_iterations": 5, "seed": 7}


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A network cache in a temporary folder, filled once, that the workers inherit."""
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_DIR_ENV, str(root))
        patch.delenv(NO_CACHE_ENV, raising=False)
        district = sample.load(SAMPLE)
        assert district.network_path is not None
        load_networks(district.network_path, crs=district.crs)
        yield root


def _manifest(path: Path, rows: list[str]) -> Path:
    header = "id,sample,area,unit_counts,time_limit_s,max_iterations,seed"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _row(job: str, area: str) -> str:
    return f"{job},{SAMPLE},{area},{PLAN['unit_counts']},30,5,7"


def _plan_part(doc: dict[str, Any]) -> dict[str, Any]:
    """What a plan decides (not when or where it was computed)."""
    return {key: doc[key] for key in ("routes", "tasks", "dropped", "totals", "units")}


def test_batch_on_a_local_cluster_equals_single_district_runs(
    warm_cache: Path, tmp_path: Path
) -> None:
    manifest = _manifest(
        tmp_path / "districts.csv",
        [_row("university", "079"), _row("bay", "169"), _row("nowhere", "999")],
    )
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(["batch", str(manifest), "--out", str(out), "--workers", "2", "--json"])
    assert exited.value.code == 1  # one job failed, the others were planned

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_job = {o["job"]: o for o in summary["outcomes"]}
    assert summary["counts"] == {"done": 2, "skipped": 0, "failed": 1}
    assert by_job["nowhere"]["status"] == "failed"
    assert by_job["nowhere"]["error"]["type"] == "ValueError"
    assert "'999' is not an area" in by_job["nowhere"]["error"]["message"]
    assert not (out / "nowhere" / "plan.json").exists()

    # the same jobs planned one by one in this process give the same plans
    tasks = tasks_from_manifest(manifest, tmp_path / "alone")
    for task in tasks[:2]:
        plan_task(task)
        alone = json.loads((Path(task.out) / "plan.json").read_text(encoding="utf-8"))
        batched = json.loads(
            Path(by_job[task.job_id]["result"]["plan"]).read_text(encoding="utf-8")
        )
        assert _plan_part(batched) == _plan_part(alone)
        assert batched["district"]["source"] == {
            "kind": "sample",
            "sample": SAMPLE,
            "area_id": task.area_id,
        }
        assert batched["totals"]["stops"] > 0

    # a second run skips the complete jobs and tries the failed one again
    with pytest.raises(SystemExit):
        main(["batch", str(manifest), "--out", str(out), "--workers", "1", "--json"])
    again = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert again["counts"] == {"done": 0, "skipped": 2, "failed": 1}


def test_run_batch_reports_a_failing_job_and_runs_the_rest(
    warm_cache: Path, tmp_path: Path
) -> None:
    district = sample.load(SAMPLE)
    task = DistrictTask(
        job_id="079",
        source={"kind": "sample", "sample": SAMPLE},
        params=PLAN,
        out=str(tmp_path / "079"),
        area_id="079",
    )
    broken = DistrictTask(
        job_id="bad-units",
        source={"kind": "sample", "sample": SAMPLE},
        params={**PLAN, "unit_counts": "boat=2"},
        out=str(tmp_path / "bad"),
        area_id="079",
    )
    seen: list[str] = []
    outcomes = run_batch(
        [broken, task],
        plan_task,
        job_id=lambda t: t.job_id,
        n_workers=1,
        on_outcome=lambda o: seen.append(o.job_id),
    )
    assert [o.status for o in outcomes] == ["failed", "done"]
    assert outcomes[0].error is not None and "boat" in outcomes[0].error["message"]
    assert sorted(seen) == ["079", "bad-units"]
    assert is_complete(task) and not is_complete(broken)
    # another request for the same folder is not complete
    assert not is_complete(DistrictTask(**{**task.as_dict(), "params": {**PLAN, "seed": 8}}))
    assert area_district(district, "079").stations["station_id"].tolist() == ["queens-park"]


def test_manifest_problems_name_the_row_and_field(tmp_path: Path) -> None:
    manifest = _manifest(
        tmp_path / "m.csv",
        [
            f"a,{SAMPLE},079,foot=1,-3,5,7",
            "b,,079,foot=1,30,5,7",
            f"a,{SAMPLE},169,foot=1,30,5,7",
        ],
    )
    with pytest.raises(ManifestError) as caught:
        tasks_from_manifest(manifest, tmp_path / "out")
    text = str(caught.value)
    assert "m.csv, row 2: time_limit_s" in text
    assert "m.csv, row 3: sample or incidents" in text
    assert "m.csv, row 4: id 'a' is listed twice" in text


def test_yaml_manifest_with_shifts_and_defaults(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "defaults:\n  sample: toronto-uoft\n  unit_counts: foot=2\n  top: 20\n"
        "districts:\n  - id: uni\n    area: '079'\n    shifts: 08-16;16-24\n",
        encoding="utf-8",
    )
    tasks = tasks_from_manifest(manifest, tmp_path / "out")
    assert [t.job_id for t in tasks] == ["uni/08-16", "uni/16-24"]
    assert [Path(t.out).relative_to(tmp_path) for t in tasks] == [
        Path("out/uni/08-16"),
        Path("out/uni/16-24"),
    ]
    assert {t.params["top"] for t in tasks} == {20}
    assert [t.params["band"] for t in tasks] == ["08-16", "16-24"]


def test_batch_refuses_a_missing_manifest(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["batch", str(tmp_path / "none.csv"), "--out", str(tmp_path)])
    assert exited.value.code == 2
    assert "manifest: file not found" in capsys.readouterr().err
