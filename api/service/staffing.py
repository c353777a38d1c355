"""Staffing proposals as background jobs: :func:`run_staffing_job` makes the proposal for an
area's dataset exactly as ``gridpatrol staffing`` does (:func:`geo.analysis.analyse`, then
:func:`planner.staffing.propose_staffing`) and stores its summary, its table and its files
(PDF in both languages, the coverage chart, the workbook, the CSV table), made in memory by
:func:`maps.staffing.staffing_files`.

Like plans, the job is a plain top-level function of plain data (job id, database URL,
parameters), claimed, reported and finished by the shared steps of :mod:`api.service.jobrun`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.service.jobrun import DEFAULT_LEASE_S, JobReporter, run_job
from api.service.models import Area, IncidentDataset, StaffingFile, StaffingJob


@dataclass(frozen=True)
class StaffingOutcome:
    """What a finished staffing run writes: the JSON result and its files."""

    result: dict[str, Any]
    files: dict[str, tuple[str, bytes]]


def _plain(value: Any) -> Any:
    """``value`` made JSON-safe: NaN becomes ``None``, numpy scalars Python ones, dates and
    other objects their ISO text, recursively through lists and dicts."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def compute_staffing(
    sessions: sessionmaker[Session], area_id: int, parameters: dict[str, Any], report: JobReporter
) -> StaffingOutcome:
    """Load the area and dataset, analyse them and make the staffing proposal and its files
    (no database writes)."""
    # The computation's imports are heavy (geo stack, OR-Tools, reportlab): only the job's
    # process needs them, not the web process that queues it.
    from api.service.districts import district_of, load_incidents
    from geo.analysis import AnalysisOptions, analyse
    from geo.hotspots import resolve_band
    from maps.staffing import staffing_files, staffing_summary, staffing_table
    from planner.staffing import StaffingRunOptions, WorkloadOptions, propose_staffing

    report("Loading the dataset", 0.02, force=True)
    with sessions() as session:
        area = session.get(Area, area_id)
        dataset_id = int(parameters["dataset_id"])
        dataset = session.get(IncidentDataset, dataset_id)
        if area is None or dataset is None:
            raise ValueError(f"dataset {dataset_id} or its area no longer exists")
        incidents = load_incidents(session, dataset_id, area.timezone)
        district = district_of(area, incidents, session=session)
    bands = []
    for name in parameters["bands"]:
        band = resolve_band(str(name))
        if band is None:
            raise ValueError(f"bands: {name!r} is not a shift; give hours, e.g. 16-24")
        bands.append(band)
    options = StaffingRunOptions(
        fleets=(str(parameters["fleet"]),),
        max_units=int(parameters["max_units"]),
        workload=WorkloadOptions(
            target_share=float(parameters["target_share"]),
            time_limit_s=float(parameters["time_limit_s"]),
            seed=int(parameters["seed"]),
        ),
        bands=tuple(bands),
    )
    analysis = analyse(
        district,
        AnalysisOptions(cell_size_m=float(parameters["cell_size_m"])).with_bands(*bands),
        progress=report.stage(0.05, 0.3),
    )
    result = propose_staffing(analysis, options, progress=report.stage(0.3, 0.9))
    report("Making the files", 0.92, force=True)
    files = staffing_files(result, title=district.name)
    table = staffing_table(result)
    outcome = {
        "summary": _plain(staffing_summary(result)),
        "columns": [str(c) for c in table.columns],
        # Unknown values (pd.NA in the nullable columns) become JSON null.
        "table": _plain(table.astype(object).where(table.notna(), None).to_dict("records")),
    }
    return StaffingOutcome(outcome, files)


def _store_staffing(session: Session, job_id: int, outcome: StaffingOutcome) -> dict[str, Any]:
    for name, (media, data) in outcome.files.items():
        session.add(StaffingFile(run_id=job_id, name=name, media_type=media, data=data))
    return outcome.result


def run_staffing_job(
    job_id: int,
    database_url: str,
    parameters: dict[str, Any],
    *,
    owner: str | None = None,
    lease_s: float = DEFAULT_LEASE_S,
) -> str:
    """Run staffing job ``job_id`` to the end and return its final state (see
    :func:`api.service.jobrun.run_job`)."""
    return run_job(
        job_id,
        database_url,
        parameters,
        model=StaffingJob,
        compute=compute_staffing,
        store=_store_staffing,
        done_message="Staffing done",
        owner=owner,
        lease_s=lease_s,
    )
