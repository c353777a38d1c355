"""``gridpatrol batch``: plan many districts and shifts at once on Dask distributed.

From a manifest (CSV or YAML, see :func:`api.batch.tasks_from_manifest`) or from the plan
options with ``--split areas`` (each official area of the district planned as its own
district). Jobs run on a :class:`distributed.LocalCluster` (``--workers``) or an existing
scheduler (``--scheduler tcp://host:8786``); each writes ``<out>/<job>/plan.json`` and the
command writes ``<out>/summary.json``. A failing job is reported there and does not stop the
others; a re-run skips jobs whose plan file is complete for the same request (``--force``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from api.cli.app import JsonOption, OutOption, UserError, app, console, emit_json, progress
from api.cli.params import plan_parameter_options
from api.cli.plan import PlanInputs, plan_input_options
from api.requests import PlanParameters

SPLITS = ("areas", "none")
MAX_WORKERS = 256


@app.command()
@plan_parameter_options
@plan_input_options
def batch(
    params: PlanParameters,
    inputs: PlanInputs,
    manifest: Annotated[
        Path | None,
        typer.Argument(
            help="CSV or YAML manifest: one district a row (sample or files, area, shifts, "
            "unit counts or units file, out, plan options). Without it, the plan options "
            "describe the jobs.",
        ),
    ] = None,
    split: Annotated[
        str,
        typer.Option(
            "--split",
            help="Without a manifest: 'areas' plans each official area (police district) as "
            "its own district; 'none' plans the whole district as one job.",
        ),
    ] = "areas",
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=MAX_WORKERS, help="Worker processes of the local cluster."
        ),
    ] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a running Dask scheduler (tcp://HOST:8786) instead of a local "
            "cluster; its workers must see the input files and --out.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Plan again jobs whose plan.json is complete.")
    ] = False,
    out: OutOption = Path("out/batch"),
    json_mode: JsonOption = False,
) -> None:
    """Plan many districts and shifts at once on Dask (a local cluster or a scheduler).

    Writes OUT/<job>/plan.json for each job and OUT/summary.json with every job's outcome;
    exits with code 1 when a job failed (the others are still planned).
    """
    from api.batch import ManifestError, is_complete, plan_task, tasks_from_manifest
    from geo.network.cache import default_cache
    from maps.i18n import Translator
    from planner.batch import JobOutcome, run_batch

    tr = Translator(None)
    con = console(json_mode)
    if split not in SPLITS:
        raise UserError(f"--split: expected one of {', '.join(SPLITS)} (got {split!r})")
    use_cache = default_cache() is not None  # off with gridpatrol --no-cache batch ...
    cost: Any = None  # jobs in the manifest's order
    out = out.resolve()
    try:
        if manifest is not None:
            if not manifest.is_file():
                raise UserError(tr("cli2.batch.error.manifest", path=manifest))
            tasks = tasks_from_manifest(
                manifest.resolve(),
                out,
                use_cache=use_cache,
                base=params.model_dump(mode="json", exclude_defaults=True),
            )
        else:
            tasks, cost = _tasks_from_options(inputs, params, split, out, use_cache)
    except ManifestError as exc:
        raise UserError(str(exc)) from None

    started = time.perf_counter()
    outcomes: list[JobOutcome]
    with progress(json_mode) as bar:
        step = bar.add_task(tr("cli2.batch.progress", n=len(tasks)), total=len(tasks))

        def tell(outcome: JobOutcome) -> None:
            status = tr.get(f"cli2.batch.status.{outcome.status}", str(outcome.status))
            bar.update(step, advance=1, description=f"{outcome.job_id}: {status}")

        try:
            outcomes = run_batch(
                tasks,
                plan_task,
                job_id=lambda task: task.job_id,
                scheduler=scheduler,
                n_workers=workers,
                is_complete=None if force else is_complete,
                on_outcome=tell,
                cost=cost,
            )
        except OSError as exc:
            raise UserError(f"--scheduler: {exc}") from None
    wall_s = time.perf_counter() - started
    summary = _summary(tasks, outcomes, wall_s, workers, scheduler)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if json_mode:
        emit_json(summary)
    else:
        counts = summary["counts"]
        con.print(
            tr(
                "cli2.batch.summary",
                done=counts["done"],
                skipped=counts["skipped"],
                failed=counts["failed"],
                s=wall_s,
                path=out / "summary.json",
            )
        )
        for outcome in outcomes:
            if outcome.error is not None:
                error = f"{outcome.error['type']}: {tr.note(outcome.error['message'])}"
                con.print(f"[red]{escape(outcome.job_id)}[/]: {escape(error)}", soft_wrap=True)
    if summary["counts"]["failed"]:
        raise typer.Exit(code=1)


def _tasks_from_options(
    inputs: PlanInputs,
    params: PlanParameters,
    split: str,
    out: Path,
    use_cache: bool,
) -> tuple[list[Any], Any]:
    """The jobs, and their cost estimate for :func:`planner.batch.run_batch` (``None``: one job,
    or the areas' sizes, so the largest areas are planned first)."""
    from api.batch import DistrictTask, folder_name, tasks_for_areas
    from api.cli.options import district_from_files
    from planner.batch import area_ids, area_sizes

    source = inputs.source()
    units = str(inputs.units.resolve()) if inputs.units else None
    duties = str(inputs.duties.resolve()) if inputs.duties else None
    if split == "none":
        name = source.get("sample") or Path(str(source.get("incidents"))).stem
        return [
            DistrictTask(
                job_id=str(name),
                source=source,
                params=params.model_dump(mode="json"),
                out=str(out / folder_name(str(name))),
                units=units,
                duties=duties,
                use_cache=use_cache,
            )
        ], None
    district = district_from_files(inputs.files, sample_name=inputs.sample_name)
    ids = area_ids(district)
    if not ids:
        raise UserError(
            "--split areas: the district has no official areas; give --areas FILE or use "
            "--split none"
        )
    if use_cache and district.network_path is not None:
        # build the networks once here rather than in every worker at the same time
        from geo.network import load_networks

        load_networks(district.network_path, crs=district.crs)
    sizes = area_sizes(district)
    tasks = tasks_for_areas(
        source, ids, params, out, units=units, duties=duties, use_cache=use_cache
    )
    return tasks, lambda task: sizes.get(str(task.area_id), 0.0)


def _summary(
    tasks: list[Any],
    outcomes: list[Any],
    wall_s: float,
    workers: int,
    scheduler: str | None,
) -> dict[str, Any]:
    from planner.batch import worker_usage

    counts = {"done": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return {
        "format": "gridpatrol-batch-summary",
        "jobs": len(tasks),
        "counts": counts,
        "wall_s": round(wall_s, 2),
        "cluster": {"scheduler": scheduler} if scheduler else {"local_workers": workers},
        # per worker process: its jobs' wall and CPU seconds (how much of a core they had)
        "workers": [usage.as_dict() for usage in worker_usage(outcomes)],
        "outcomes": [
            {**outcome.as_dict(), "out": task.out, "area_id": task.area_id}
            for task, outcome in zip(tasks, outcomes, strict=True)
        ],
    }
