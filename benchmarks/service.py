"""Load on the service over loopback: 50 clients reading plans, maps, plan lists, routes and
area pages and uploading files while plans are run.

Starts ``gridpatrol serve`` (uvicorn) in a subprocess on a temporary SQLite database, creates
the Toronto sample area and one finished plan, then runs ``--clients`` concurrent clients
(one keep-alive connection each) for ``--duration`` seconds; each sends, in turn, the requests
of three endpoint groups, authenticated by an API token (the web page by the session cookie):
**cached** reads of the finished plan (``GET /plans/{id}``, ``/result``, ``/map``),
**database** reads (the plan list ``GET /plans?limit=50``, the routes GeoJSON
``/plans/{id}/routes``, the area's ``/areas/{id}/readiness`` and its web page
``/web/areas/{id}``) and **uploads** (``PUT /areas/{id}/units``, a small units file checked and
stored), while a new plan (2 s solver limit) is submitted every ``--plan-every`` seconds and
runs in the background. Each group is reported apart (p50, p99, errors) beside the same
clients' baseline with no plan running, and with it how the clients' connections fell on the
web processes (the fuller process's queue sets every group's p99; docs/service.md, Performance).
The same-run baseline is the same reads
by the same clients with no plan running (``--baseline`` seconds, first). Reported: p50 and
p99 latency, throughput and errors of both phases, and their p99 ratio.

What it measures: with zero think time the clients keep the service saturated, so latency is
the queue in front of one server process, i.e. the service's CPU per request on a core it
shares with the load client and the plan process. Each phase's line therefore also gives the
CPU per request of the server's web process(es) and of the load client; the CPU of the plan
jobs (separate processes) is printed apart, in seconds, and is not part of the server's
figure (before, a running plan process was counted with the server). The readers use a lean HTTP/1.1
keep-alive client on asyncio streams (``--client lean``, about 0.1 ms of CPU a request);
``--client httpx`` uses httpx's ``AsyncClient`` instead, which costs about 1 ms a request
(several times the server's own cost), so with it the benchmark mostly measures the client.
``--paced S`` adds a phase of S seconds, reported apart and not part of the target, with the
same clients waiting ``--paced-think-ms`` (250) between requests: the latency of a service
that is busy but not saturated.

The benchmark user gets a higher rate limit through the settings
(``GRIDPATROL_RATE_LIMIT_USERS='{"loadtest": 1e9}'``): the default per-user limit (600 a minute,
burst 120) would otherwise answer most of these requests with 429.

The web processes run their garbage collector's full collections themselves (when idle,
after a long request, at the latest every two minutes; :mod:`api.service.collector`);
``GRIDPATROL_GC_FULL_EVERY_S=0`` in the environment leaves them to CPython, which under this
load paused each process for 100-250 ms every 2.3 s, for a comparison in the same conditions.

Before the baseline, ``--warmup`` seconds (5) of the same load are sent and not reported, so
that with several web processes every process has drawn the plan's map and filled its caches
(each keeps its own; a process's first map costs a second or more of drawing).

Run: ``python -m benchmarks.service [--clients 50] [--duration 60] [--baseline 20]
[--web-workers N] [--database sqlite|URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.api.web.live import children, serve_process, web_processes

USER = "loadtest"
PASSWORD = "load test passphrase"
PLAN = {"band": "16-24", "unit_counts": "car=1,foot=1", "time_limit_s": 2, "top": 15}
TARGET_P99_S = 0.300


@dataclass
class Phase:
    """Latencies (seconds) by endpoint and the errors of one phase."""

    name: str
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    server_cpu_s: float = float("nan")
    jobs_cpu_s: float = float("nan")
    client_cpu_s: float = float("nan")
    #: Local ports of the clients' connections, and how many of them each web process held.
    client_ports: set[int] = field(default_factory=set)
    split: list[int] = field(default_factory=list)

    def all(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _web_processes(pid: int, web_workers: int) -> list[int]:
    """The processes whose CPU the service spends on requests: the server itself, or with
    several web workers the supervisor and its children (the web processes; their own
    children, the plan jobs, are counted apart)."""
    return [pid] if web_workers <= 1 else [pid, *children(pid)]


def _connections_to(pids: list[int], ports: set[int]) -> list[int]:
    """How many TCP connections whose peer port is in ``ports`` each of ``pids`` holds
    (Linux ``/proc``: the processes' socket inodes matched in the kernel's TCP tables; zeros
    elsewhere)."""
    owner: dict[int, int] = {}  # socket inode -> index in pids
    for index, pid in enumerate(pids):
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor)
            except OSError:
                continue
            if target.startswith("socket:["):
                owner[int(target[8:-1])] = index
    counts = [0] * len(pids)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port, inode = int(fields[2].rsplit(":", 1)[1], 16), int(fields[9])
            if remote_port in ports and inode in owner:
                counts[owner[inode]] += 1
    return counts


def _worker_processes(pid: int, web_workers: int) -> list[int]:
    """The processes that hold the clients' connections: the server, or its web workers."""
    return [pid] if web_workers <= 1 else web_processes(pid)


def _cpu_seconds(pid: int, web_workers: int = 1) -> tuple[float, float]:
    """User + system CPU seconds so far of the web processes of server ``pid`` alone, and
    of the plan job processes they have reaped (``cutime + cstime``), apart: the service's
    cost per request is the first; the plans' solver time is not part of it (NaN
    elsewhere than Linux)."""
    web = jobs = 0.0
    for process in _web_processes(pid, web_workers):
        own, reaped = _own_cpu_seconds(process)
        web, jobs = web + own, jobs + reaped
    return web, jobs


def _own_cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU seconds of process ``pid`` alone, and of its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan"), float("nan")
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


@contextmanager
def _database(server: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of the run: a SQLite file in ``folder`` (``server`` is
    ``sqlite``), or a database created on the PostgreSQL server ``server`` (a URL of any of
    its databases) and dropped at the end."""
    if server == "sqlite":
        yield f"sqlite:///{folder / 'gridpatrol.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"gridpatrol_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _prepare(url: str) -> str:
    """Migrate a fresh database, add the benchmark user and return its API token."""
    from api.service.db import make_engine, make_session_factory, transaction
    from api.service.migrations import upgrade
    from api.service.routes.users import create_user, mint_token

    engine = make_engine(url, pooled=False)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            user = create_user(session, USER, PASSWORD, "admin", [])
            return mint_token(session, user, "load", None).token
    finally:
        engine.dispose()


@contextmanager
def _service(folder: Path, url: str, web_workers: int = 1) -> Iterator[tuple[str, int]]:
    """``gridpatrol serve`` on a free port until the block ends; yields the base URL and the
    server's process id."""
    env = {
        "GRIDPATROL_PLAN_TIME_LIMIT_S": "2",
        "GRIDPATROL_JOB_WORKERS": "1",
        "GRIDPATROL_RATE_LIMIT_USERS": json.dumps({USER: 1e9}),
    }
    with serve_process(folder, url, "--web-workers", str(web_workers), env=env) as served:
        yield served.base_url, served.process.pid


def _wait_plan(client: httpx.Client, plan_id: int, timeout_s: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/plans/{plan_id}").json()
        if body["state"] in ("succeeded", "failed", "cancelled"):
            return body
        time.sleep(0.25)
    raise RuntimeError(f"plan {plan_id} did not finish in {timeout_s} s")


def _setup(base: str, token: str) -> tuple[int, Target]:
    """The sample area's dataset id and what the clients read: one finished plan (maps
    warmed once), its area and a web session of the benchmark user."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        created_area = client.post("/areas", json={"name": "UofT", "sample": "toronto-uoft"})
        created_area.raise_for_status()
        area_id = int(created_area.json()["id"])
        dataset_id = int(client.get("/datasets").json()["items"][0]["id"])
        created = client.post("/plans", json={"dataset_id": dataset_id, **PLAN})
        created.raise_for_status()
        plan = _wait_plan(client, int(created.json()["id"]))
        if plan["state"] != "succeeded":
            raise RuntimeError(f"the setup plan did not succeed: {plan}")
        for path in ("result", "map", "routes"):
            client.get(f"/plans/{plan['id']}/{path}").raise_for_status()
        signed_in = httpx.post(
            f"{base}/auth/token", data={"username": USER, "password": PASSWORD}, timeout=60
        )
        signed_in.raise_for_status()
        cookie = str(signed_in.json()["access_token"])
        page = httpx.get(f"{base}/web/areas/{area_id}", cookies={"gp_session": cookie}, timeout=60)
        if page.status_code != 200:
            raise RuntimeError(f"the area page answers {page.status_code}: {page.text[:300]}")
        return dataset_id, Target(int(plan["id"]), area_id, cookie)


@dataclass(frozen=True)
class Call:
    """One request of the mix: its endpoint group, method, path, headers and body."""

    group: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


#: The units file the upload group sends (two units at the sample's stations).
UNITS_CSV = (
    "unit_id,mode,station,shift_start,shift_end\n"
    "F1,foot,queens-park,16:00,24:00\nC1,car,bay-street,16:00,24:00\n"
)
_BOUNDARY = "gridpatrol-load-boundary"


def _multipart(name: str, filename: str, data: bytes) -> bytes:
    return (
        (
            f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{_BOUNDARY}--\r\n".encode()
    )


@dataclass(frozen=True)
class Target:
    """What the clients ask for: the finished plan, its area and a web session cookie."""

    plan_id: int
    area_id: int
    session_cookie: str


def _calls(target: Target) -> dict[str, Call]:
    plan, area = target.plan_id, target.area_id
    cookie = {"Cookie": f"gp_session={target.session_cookie}"}
    upload = {"Content-Type": f"multipart/form-data; boundary={_BOUNDARY}"}
    return {
        "plan": Call("cached", f"/plans/{plan}"),
        "result": Call("cached", f"/plans/{plan}/result"),
        "map": Call("cached", f"/plans/{plan}/map"),
        "plan list": Call("database", "/plans?limit=50"),
        "routes": Call("database", f"/plans/{plan}/routes"),
        "readiness": Call("database", f"/areas/{area}/readiness"),
        "area page": Call("database", f"/web/areas/{area}", headers=cookie),
        "units upload": Call(
            "uploads",
            f"/areas/{area}/units",
            method="PUT",
            headers=upload,
            body=_multipart("file", "units.csv", UNITS_CSV.encode()),
        ),
    }


def _paths(plan_id: int) -> dict[str, str]:
    return {
        "plan": f"/plans/{plan_id}",
        "result": f"/plans/{plan_id}/result",
        "map": f"/plans/{plan_id}/map",
    }


class _LeanConnection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: GET and read the whole body
    (``Content-Length`` or chunked). A tenth of httpx's CPU per request, so the load client
    does not crowd the service off the core it shares with it."""

    def __init__(self, base: str, token: str, ports: set[int] | None = None) -> None:
        self.ports = ports  # the local port of every connection opened is added here
        url = httpx.URL(base)
        self.host, self.port = url.host, url.port or 80
        self.auth = f"Authorization: Bearer {token}\r\n"
        self.head = f"Host: {self.host}:{self.port}\r\n{self.auth}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.send(Call("", path))

    async def send(self, call: Call) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            if self.ports is not None:
                self.ports.add(int(self.writer.get_extra_info("sockname")[1]))
        assert self.reader is not None
        reader, writer = self.reader, self.writer
        if call.method == "GET" and not call.headers:
            writer.write(f"GET {call.path} HTTP/1.1\r\n{self.head}".encode("latin-1"))
        else:
            auth = "" if "Cookie" in call.headers else self.auth
            extra = "".join(f"{k}: {v}\r\n" for k, v in call.headers.items())
            length = f"Content-Length: {len(call.body)}\r\n" if call.method != "GET" else ""
            writer.write(
                f"{call.method} {call.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"{auth}{extra}{length}\r\n".encode("latin-1")
                + call.body
            )
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            body = await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, body


async def _lean_reader(
    base: str,
    token: str,
    target: Target,
    deadline: float,
    phase: Phase,
    offset: int,
    think_s: float,
) -> None:
    calls = _calls(target)
    names = list(calls)
    i = offset
    connection = _LeanConnection(base, token, phase.client_ports)
    try:
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            i += 1
            started = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, body = await connection.send(calls[name])
                ok = status == 200 and len(body) > 0
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
                ok = False
                await connection.close()
            elapsed = time.perf_counter() - started
            if ok:
                phase.latencies[name].append(elapsed)
            else:
                phase.errors[name] += 1
            if think_s:
                await asyncio.sleep(think_s)
    finally:
        await connection.close()


async def _reader(
    base: str,
    token: str,
    target: Target,
    deadline: float,
    phase: Phase,
    offset: int,
    think_s: float,
) -> None:
    """The httpx client reads the cached group only (it measures the client, see above)."""
    paths = _paths(target.plan_id)
    names = list(paths)
    headers = {"Authorization": f"Bearer {token}"}
    i = offset
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            i += 1
            started = time.perf_counter()
            try:
                response = await client.get(paths[name])
                ok = response.status_code == 200 and len(response.content) > 0
            except httpx.HTTPError:
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                phase.latencies[name].append(elapsed)
            else:
                phase.errors[name] += 1
            if think_s:
                await asyncio.sleep(think_s)


async def _submitter(
    base: str, token: str, dataset_id: int, deadline: float, every_s: float, submitted: list[int]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        seed = 1
        while time.monotonic() < deadline:
            response = await client.post(
                "/plans", json={"dataset_id": dataset_id, **PLAN, "seed": seed}
            )
            if response.status_code == 202:
                submitted.append(int(response.json()["id"]))
            seed += 1
            await asyncio.sleep(min(every_s, max(0.0, deadline - time.monotonic())))


async def _phase(
    base: str,
    token: str,
    target: Target,
    seconds: float,
    clients: int,
    think_s: float,
    name: str,
    dataset_id: int | None = None,
    plan_every_s: float = 10.0,
    server_pid: int = 0,
    client: str = "lean",
    web_workers: int = 1,
) -> tuple[Phase, list[int]]:
    phase = Phase(name)
    submitted: list[int] = []
    reader = _lean_reader if client == "lean" else _reader
    (server_cpu, jobs_cpu), client_cpu = _cpu_seconds(server_pid, web_workers), time.process_time()
    started = time.monotonic()
    deadline = started + seconds
    tasks = [reader(base, token, target, deadline, phase, k, think_s) for k in range(clients)]
    if dataset_id is not None:
        tasks.append(_submitter(base, token, dataset_id, deadline, plan_every_s, submitted))
    if server_pid and client == "lean":
        tasks.append(_sample_split(phase, _worker_processes(server_pid, web_workers), seconds))
    await asyncio.gather(*tasks)
    phase.seconds = time.monotonic() - started
    server_after, jobs_after = _cpu_seconds(server_pid, web_workers)
    phase.server_cpu_s = server_after - server_cpu
    phase.jobs_cpu_s = jobs_after - jobs_cpu
    phase.client_cpu_s = time.process_time() - client_cpu
    return phase, submitted


async def _sample_split(phase: Phase, workers: list[int], seconds: float) -> None:
    """Once the clients have connected, count their connections on each web process: with
    several processes, the split sets the queue in front of each."""
    await asyncio.sleep(min(2.0, seconds / 2))
    phase.split = await asyncio.to_thread(_connections_to, workers, set(phase.client_ports))


def _line(phase: Phase) -> str:
    values = phase.all()
    per = ", ".join(
        f"{name} p50 {percentile(v, 50) * 1000:.0f} / p99 {percentile(v, 99) * 1000:.0f} ms"
        for name, v in sorted(phase.latencies.items())
    )
    n = max(1, len(values) + phase.error_count)
    return (
        f"{phase.name}: {len(values)} requests in {phase.seconds:.0f} s "
        f"({len(values) / phase.seconds:.0f}/s), p50 {percentile(values, 50) * 1000:.0f} ms, "
        f"p99 {percentile(values, 99) * 1000:.0f} ms, errors {phase.error_count} [{per}]; "
        f"CPU per request: server {phase.server_cpu_s / n * 1000:.2f} ms "
        f"(web processes only; finished plan jobs used {phase.jobs_cpu_s:.1f} s apart), "
        f"load client {phase.client_cpu_s / n * 1000:.2f} ms"
        + (
            f"; connections per web process {'/'.join(map(str, phase.split))}"
            if phase.split
            else ""
        )
    )


def run(
    clients: int = 50,
    duration_s: float = 60.0,
    baseline_s: float = 20.0,
    plan_every_s: float = 10.0,
    think_ms: float = 0.0,
    client: str = "lean",
    paced_s: float = 0.0,
    paced_think_ms: float = 250.0,
    web_workers: int = 1,
    database: str = "sqlite",
    warmup_s: float = 5.0,
) -> list[str]:
    """Measure and return the printed lines."""
    lines: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="gridpatrol-bench-") as tmp,
        _database(database, Path(tmp)) as url,
    ):
        folder = Path(tmp)
        token = _prepare(url)
        with _service(folder, url, web_workers) as (base, pid):
            dataset_id, target = _setup(base, token)
            think_s = think_ms / 1000.0
            if warmup_s > 0:  # every web process draws its maps and fills its caches first
                asyncio.run(
                    _phase(
                        base,
                        token,
                        target,
                        warmup_s,
                        clients,
                        think_s,
                        "warm-up (not reported)",
                        server_pid=pid,
                        client=client,
                        web_workers=web_workers,
                    )
                )
            baseline, _ = asyncio.run(
                _phase(
                    base,
                    token,
                    target,
                    baseline_s,
                    clients,
                    think_s,
                    "baseline (no plans)",
                    server_pid=pid,
                    client=client,
                    web_workers=web_workers,
                )
            )
            loaded, submitted = asyncio.run(
                _phase(
                    base,
                    token,
                    target,
                    duration_s,
                    clients,
                    think_s,
                    "with plans running",
                    dataset_id=dataset_id,
                    plan_every_s=plan_every_s,
                    server_pid=pid,
                    client=client,
                    web_workers=web_workers,
                )
            )
            paced = None
            if paced_s > 0:
                paced, more = asyncio.run(
                    _phase(
                        base,
                        token,
                        target,
                        paced_s,
                        clients,
                        paced_think_ms / 1000.0,
                        f"extra, not the target: {paced_think_ms:g} ms think time, plans running",
                        dataset_id=dataset_id,
                        plan_every_s=plan_every_s,
                        server_pid=pid,
                        client=client,
                        web_workers=web_workers,
                    )
                )
                submitted += more
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as waiter:
                states = [_wait_plan(waiter, p)["state"] for p in submitted]
    groups = {call.group for call in _calls(target).values()}
    lines.append(
        f"setup: {clients} clients, closed loop with {think_ms:g} ms think time, each sending "
        f"in turn {', '.join(_calls(target))} (plan {target.plan_id}, area {target.area_id}) "
        f"over loopback; {web_workers} web process(es), one plan job each; {client} client; "
        f"database {'SQLite' if database == 'sqlite' else 'PostgreSQL'}"
    )
    lines.append(_line(baseline))
    lines.append(_line(loaded))
    if paced is not None:
        lines.append(_line(paced))
    lines.append(
        f"background plans: {len(submitted)} submitted (every {plan_every_s:g} s), "
        f"{states.count('succeeded')} succeeded"
    )
    lines.append(
        "| group | baseline p50 / p99 ms | with plans p50 / p99 ms | p99 ratio | errors | target |"
    )
    lines.append("|---|---|---|---|---|---|")
    met_all = True
    for group in sorted(groups):
        names = [n for n, c in _calls(target).items() if c.group == group]
        before = [x for n in names for x in baseline.latencies.get(n, [])]
        after = [x for n in names for x in loaded.latencies.get(n, [])]
        errors = sum(loaded.errors.get(n, 0) for n in names)
        base_p99, p99 = percentile(before, 99), percentile(after, 99)
        met = p99 <= TARGET_P99_S and errors == 0 and bool(after)
        met_all = met_all and met
        lines.append(
            f"| {group} | {percentile(before, 50) * 1000:.0f} / {base_p99 * 1000:.0f} | "
            f"{percentile(after, 50) * 1000:.0f} / {p99 * 1000:.0f} | {p99 / base_p99:.2f}x | "
            f"{errors} | {'met' if met else 'MISSED'} |"
        )
    p99 = percentile(loaded.all(), 99)
    base_p99 = percentile(baseline.all(), 99)
    lines.append(
        f"p99 with plans running: {p99 * 1000:.0f} ms vs baseline {base_p99 * 1000:.0f} ms -> "
        f"{p99 / base_p99:.2f}x; errors {loaded.error_count} "
        f"[target per group: p99 <= {TARGET_P99_S * 1000:.0f} ms, 0 errors: "
        f"{'met' if met_all else 'MISSED'}]"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--baseline", type=float, default=20.0)
    parser.add_argument("--plan-every", type=float, default=10.0)
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument(
        "--client",
        choices=("lean", "httpx"),
        default="lean",
        help="Readers' HTTP client: 'lean' (asyncio streams, little CPU) or 'httpx' "
        "(about 1 ms of CPU a request, which the service's core then lacks).",
    )
    parser.add_argument(
        "--paced",
        type=float,
        default=0.0,
        help="Seconds of an extra phase, reported apart: the same clients with --paced-think-ms "
        "between requests, plans running (0: none).",
    )
    parser.add_argument("--paced-think-ms", type=float, default=250.0)
    parser.add_argument(
        "--web-workers",
        type=int,
        default=1,
        help="Web server processes (gridpatrol serve --web-workers); each runs one plan job.",
    )
    parser.add_argument(
        "--database",
        default="sqlite",
        help="'sqlite' (a file of the run, the default) or the URL of a PostgreSQL server "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1/postgres), on which the run creates "
        "its own database and drops it at the end.",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="Seconds of the same load before the baseline, not reported, so every web process "
        "has drawn its maps and filled its caches (each process keeps its own).",
    )
    args = parser.parse_args()
    lines = run(
        args.clients,
        args.duration,
        args.baseline,
        args.plan_every,
        args.think_ms,
        args.client,
        args.paced,
        args.paced_think_ms,
        args.web_workers,
        args.database,
        args.warmup,
    )
    for line in lines:
        print(line, flush=True)


if __name__ == "__main__":
    main()
