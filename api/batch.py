"""Batch planning jobs: one district (or one area of it) and one shift, planned where it runs.

A :class:`DistrictTask` is a small JSON-able description (where the district's files are, which
area, the plan parameters, the output folder). :func:`plan_task` is the worker function that
:func:`planner.batch.run_batch` runs on Dask workers, and that the service's jobs can call the
same way: it reads the inputs on the worker (street networks from the shared network cache),
plans with :func:`planner.shift.plan_shift`, writes ``plan.json`` with :mod:`maps.exports` and
returns a short summary. :func:`tasks_from_manifest` reads a CSV or YAML manifest.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api.requests import PlanParameters

__all__ = [
    "DistrictTask",
    "ManifestError",
    "folder_name",
    "is_complete",
    "plan_task",
    "tasks_for_areas",
    "tasks_from_manifest",
]

#: Keys of a district's source besides the plan parameters (manifest columns).
_FILE_KEYS = ("incidents", "boundary", "areas", "stations", "network")
_SOURCE_KEYS = (*_FILE_KEYS, "timezone", "crs", "columns", "datetime_format", "sheet")
_ROW_KEYS = frozenset({"id", "sample", "area", "shifts", "units", "duties", "out", *_SOURCE_KEYS})
#: Most jobs a manifest may describe (districts × shifts × areas).
MAX_TASKS = 5000


class ManifestError(ValueError):
    """A manifest that cannot be read: names the file, row and field, and what was expected."""


@dataclass(frozen=True)
class DistrictTask:
    """One batch job.

    Attributes
    ----------
    job_id
        Unique name, e.g. ``"631"`` or ``"631/08-16"``; the summary reports it.
    source
        Where the district comes from: ``{"kind": "sample", "sample": name}`` or
        ``{"kind": "files", "incidents": path, ...}`` (the plan file's ``district.source``).
    area_id
        Plan only this official area of the district (``None``: the whole district).
    params
        :class:`api.requests.PlanParameters` as JSON.
    out
        Folder of the job's ``plan.json`` (created).
    units, duties
        A units file and a duties file, or ``None``.
    use_cache
        Read and fill the street network cache (``False``: ``--no-cache``).
    """

    job_id: str
    source: Mapping[str, Any]
    params: Mapping[str, Any]
    out: str
    area_id: str | None = None
    units: str | None = None
    duties: str | None = None
    use_cache: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _request(task: DistrictTask) -> dict[str, Any]:
    out = dict(task.params)
    out["units_file"] = task.units
    out["duties_file"] = task.duties
    if task.area_id is not None:
        out["area"] = task.area_id
    return out


def is_complete(task: DistrictTask) -> bool:
    """Whether the task's ``plan.json`` exists, is a plan file and was made for the same
    request (a re-run skips it; other options or a damaged file plan it again)."""
    path = Path(task.out) / "plan.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(doc, dict)
        and doc.get("format") == "gridpatrol-plan"
        and doc.get("request") == json.loads(json.dumps(_request(task), default=str))
        and doc.get("district", {}).get("source") == json.loads(json.dumps(_source_of(task)))
    )


def _source_of(task: DistrictTask) -> dict[str, Any]:
    source = dict(task.source)
    if task.area_id is not None:
        source["area_id"] = task.area_id
    return source


@functools.lru_cache(maxsize=8)
def _load_source(text: str) -> Any:
    """The district of a source (JSON text), read once per worker process."""
    from api.district_loader import DistrictFiles, load_district, parse_columns
    from geo import sample

    source = json.loads(text)
    if source.get("kind") == "sample":
        return sample.load(source.get("sample", sample.DEFAULT))

    def path(key: str) -> Path | None:
        return Path(source[key]) if source.get(key) else None

    files = DistrictFiles(
        incidents=path("incidents"),
        boundary=path("boundary"),
        areas=path("areas"),
        stations=path("stations"),
        network=path("network"),
        timezone=source.get("timezone") or "auto",
        crs=source.get("crs"),
        columns=parse_columns(source.get("columns")),
        datetime_format=source.get("datetime_format"),
        sheet=source.get("sheet"),
    )
    return load_district(files)


@functools.lru_cache(maxsize=4)
def _networks(path: str, crs_wkt: str, use_cache: bool) -> Any:
    """The street networks of a file, loaded once per worker process (from the cache)."""
    from geo.network import load_networks

    return load_networks(path, crs=crs_wkt, cache="default" if use_cache else None)


def plan_task(task: DistrictTask) -> dict[str, Any]:
    """Plan one task and write its plan files; the worker function of a batch.

    Returns
    -------
    dict
        ``plan`` (path of ``plan.json``), ``days``, ``units``, ``stops``, ``dropped``,
        ``risk_band`` and ``seconds`` of the plan.

    Raises
    ------
    GeoInputError, PlanningError, NetworkError, ValueError
        Whatever reading or planning the district raises; :func:`planner.batch.run_batch`
        reports it for this task.
    """
    from api.inputs import read_units
    from api.requests import plan_options, units_for
    from geo.analysis import analyse
    from geo.io import read_duties
    from maps.exports import plan_documents, write_plan_files
    from planner.batch import area_district
    from planner.shift import plan_shift

    district = _load_source(json.dumps(dict(task.source), sort_keys=True))
    if task.area_id is not None:
        district = area_district(district, task.area_id)
    params = PlanParameters.model_validate(dict(task.params))
    options = plan_options(params)
    stations = sorted(district.stations["station_id"].astype(str))
    if task.units is not None:
        units = read_units(task.units, stations=stations)
    else:
        units = units_for(params, stations, argument="unit_counts")
    duties = None
    if task.duties is not None:
        import geopandas as gpd

        outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
        duties = read_duties(task.duties, timezone=district.timezone, boundary=outline)
    networks = None
    if district.network_path is not None:
        networks = _networks(str(district.network_path), district.crs.to_wkt(), task.use_cache)
    analysis = analyse(district, options.analysis_options, networks=networks)
    shift = plan_shift(analysis, options, units=units, duties=duties)
    docs = plan_documents(shift, source=_source_of(task), request=_request(task))
    out = Path(task.out)
    write_plan_files(docs, out)
    first = docs[0]
    return {
        "plan": str(out / "plan.json"),
        "days": len(docs),
        "units": first["totals"]["units"],
        "stops": first["totals"]["stops"],
        "dropped": first["totals"]["tasks_dropped"],
        "risk_band": first["risk_band"],
        "seconds": round(float(shift.seconds), 3),
    }


def tasks_for_areas(
    source: Mapping[str, Any],
    area_ids: Sequence[str],
    params: PlanParameters,
    out: Path,
    *,
    units: str | None = None,
    duties: str | None = None,
    use_cache: bool = True,
) -> list[DistrictTask]:
    """One task per area of a district: ``out/<area_id>/plan.json`` each."""
    payload = params.model_dump(mode="json")
    return [
        DistrictTask(
            job_id=str(area),
            source=dict(source),
            params=payload,
            out=str(out / folder_name(str(area))),
            area_id=str(area),
            units=units,
            duties=duties,
            use_cache=use_cache,
        )
        for area in area_ids
    ]


def folder_name(name: str) -> str:
    """A folder name for an id (path separators and spaces replaced)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    return cleaned or "district"


def _rows(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of a manifest and its defaults (YAML ``defaults:``)."""
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ManifestError(f"{path.name}: not valid YAML ({exc})") from exc
        if isinstance(data, list):
            data = {"districts": data}
        if not isinstance(data, dict) or not isinstance(data.get("districts"), list):
            raise ManifestError(
                f"{path.name}: expected a list of districts, or a mapping with 'districts:' "
                "(a list) and optional 'defaults:'"
            )
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise ManifestError(f"{path.name}: 'defaults' must be a mapping of field: value")
        rows = data["districts"]
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                raise ManifestError(f"{path.name}: district {i} must be a mapping of field: value")
        return rows, defaults
    if suffix in {".csv", ".txt"}:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [{k: v for k, v in row.items() if v not in (None, "")} for row in reader]
        return rows, {}
    raise ManifestError(f"{path.name}: unknown manifest format; expected .csv, .yaml or .yml")


def tasks_from_manifest(
    path: Path, out: Path, *, use_cache: bool = True, base: Mapping[str, Any] | None = None
) -> list[DistrictTask]:
    """The tasks of a manifest: one per district row, shift and (with ``area: all``) area.

    A row names the district by ``sample`` or by files (``incidents``, ``boundary``,
    ``areas``, ``stations``, ``network``, ``timezone``, ``columns`` ...), optionally ``area``
    (an area id, or ``all`` for each area), ``shifts`` (``08-16;16-24``; default: the
    ``band`` field), ``units`` (a units file) or ``unit_counts``, ``duties``, ``out`` and any
    plan parameter (``time_limit_s``, ``seed``, ``max_iterations``, ``grid`` ...). Relative
    paths are relative to the manifest. ``base`` holds parameters given on the command line.

    Raises
    ------
    ManifestError
        Naming the file, the row and the field, for every problem found.
    """
    rows, defaults = _rows(path)
    if not rows:
        raise ManifestError(f"{path.name}: the manifest lists no district")
    folder = path.parent
    tasks: list[DistrictTask] = []
    problems: list[str] = []
    seen: set[str] = set()
    ids: set[str] = set()
    for number, raw in enumerate(rows, start=1 if path.suffix.lower() != ".csv" else 2):
        row = {**(base or {}), **defaults, **raw}
        where = f"{path.name}, {'row' if path.suffix.lower() == '.csv' else 'district'} {number}"
        plan_fields = {k: v for k, v in row.items() if k not in _ROW_KEYS}
        shifts_text = str(row.get("shifts") or plan_fields.get("band") or "16-24")
        shifts = [s.strip() for s in shifts_text.replace(",", ";").split(";") if s.strip()]
        source = _manifest_source(row, folder)
        if isinstance(source, str):
            problems.append(f"{where}: {source}")
            continue
        name = str(row.get("id") or row.get("sample") or Path(str(row.get("incidents"))).stem)
        if row.get("id"):
            if name in ids:
                problems.append(f"{where}: id {name!r} is listed twice; give each row its own id")
                continue
            ids.add(name)
        area = row.get("area")
        areas: list[str | None] = [None]
        if area is not None and str(area).strip().casefold() == "all":
            try:
                from planner.batch import area_ids

                areas = list(area_ids(_load_source(json.dumps(source, sort_keys=True))))
            except (ValueError, OSError) as exc:
                problems.append(f"{where}: area: cannot read the district's areas ({exc})")
                continue
        elif area is not None:
            areas = [str(area)]
        for band in shifts:
            try:
                params = PlanParameters.model_validate({**plan_fields, "band": band})
            except ValidationError as exc:
                for error in exc.errors():
                    field_name = ".".join(str(p) for p in error["loc"]) or "row"
                    problems.append(f"{where}: {field_name}: {error['msg']}")
                continue
            each_area = len(areas) > 1 or not row.get("id")
            for area_id in areas:
                parts = [name, *([area_id] if area_id is not None and each_area else [])]
                parts += [band] if len(shifts) > 1 else []
                job_id = "/".join(parts)
                if job_id in seen:
                    problems.append(f"{where}: job {job_id!r} is listed twice; give each row an id")
                    continue
                seen.add(job_id)
                job_out = (
                    _path(row.get("out"), folder) if row.get("out") else out / folder_name(name)
                )
                if area_id is not None and each_area:
                    job_out = job_out / folder_name(area_id)
                if len(shifts) > 1:
                    job_out = job_out / folder_name(band)
                tasks.append(
                    DistrictTask(
                        job_id=job_id,
                        source=source,
                        params=params.model_dump(mode="json"),
                        out=str(job_out),
                        area_id=area_id,
                        units=str(_path(row["units"], folder)) if row.get("units") else None,
                        duties=str(_path(row["duties"], folder)) if row.get("duties") else None,
                        use_cache=use_cache,
                    )
                )
    if len(tasks) > MAX_TASKS:
        problems.append(f"{path.name}: {len(tasks)} jobs; at most {MAX_TASKS} per manifest")
    if problems:
        raise ManifestError("\n".join(problems))
    return tasks


def _path(value: Any, folder: Path) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else folder / path


def _manifest_source(row: Mapping[str, Any], folder: Path) -> dict[str, Any] | str:
    """The source of a row, or what is wrong with it."""
    if row.get("sample") and row.get("incidents"):
        return "give either sample or incidents (with the other district files), not both"
    if row.get("sample"):
        return {"kind": "sample", "sample": str(row["sample"])}
    if not row.get("incidents"):
        return "sample or incidents: name a sample district (sample) or an incidents file"
    source: dict[str, Any] = {"kind": "files"}
    for key in _FILE_KEYS:
        if row.get(key):
            path = _path(row[key], folder)
            if not path.is_file():
                return f"{key}: file not found: {path}"
            source[key] = str(path)
    for key in ("timezone", "crs", "columns", "datetime_format", "sheet"):
        if row.get(key):
            source[key] = str(row[key])
    return source
