"""Several web processes on one port, each accepting on a listening socket of its own.

uvicorn's ``--workers`` gives every process the one listening socket, and a burst of new
connections goes to whichever process accepts first: under the load benchmark the 50
keep-alive connections of its clients fell 19/1 to 30/20, once 47/3, between two processes,
and the fuller one's queue set the p99 of every endpoint group (docs/service.md). On Linux
each process here binds the port itself with ``SO_REUSEPORT``, so the kernel spreads new
connections over the processes' sockets by a hash of their addresses, whichever process is
awake. Elsewhere (``SO_REUSEPORT`` does not balance there) :func:`kernel_balances` is false
and ``gridpatrol serve`` uses uvicorn's supervisor instead.

:func:`serve_web_processes` is the supervisor: it holds the port with a bound socket that
never listens (port 0 is resolved once, and no other user's program can take the port while
a process restarts), starts the processes, starts a new one when one dies, and stops them all
on ``SIGINT``, ``SIGTERM`` or ``SIGHUP`` (each shuts down as uvicorn does: its requests are
answered, its jobs handed back). A process that cannot start (it never began serving) stops
the server with exit code 3, instead of being started again for ever. Each process dies with
the supervisor (:func:`~api.service.jobs.die_with_parent`), so a ``kill -9`` of the server
leaves nothing answering on its port, and their plan jobs die with them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger("gridpatrol.web")

#: Exit code of a web process that never began serving, and of the supervisor it stops.
STARTUP_FAILURE = 3
#: Seconds a stopped web process has to finish its requests before it is killed.
STOP_GRACE_S = 30.0


def kernel_balances() -> bool:
    """Whether the kernel spreads connections over sockets bound with ``SO_REUSEPORT``."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bind_reuse_port(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)`` with ``SO_REUSEPORT`` (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclass(frozen=True)
class WebProcessSpec:
    """What every web process runs, as plain values (they cross to a spawned process)."""

    app: str  # import string of the application factory, "module:function"
    host: str
    port: int
    access_log: bool = False
    loop: str = "auto"
    http: str = "auto"


def _web_process(spec: WebProcessSpec, supervisor_pid: int) -> None:
    """The entry point of one web process: uvicorn on a socket of its own."""
    import uvicorn

    from api.service.jobs import die_with_parent

    die_with_parent(supervisor_pid)
    sock = bind_reuse_port(spec.host, spec.port)
    config = uvicorn.Config(
        spec.app,
        factory=True,
        host=spec.host,
        port=spec.port,
        log_level="info",
        access_log=spec.access_log,
        loop=spec.loop,
        http=spec.http,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn exits when the application cannot be loaded
        pass
    finally:
        sock.close()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def serve_web_processes(
    spec: WebProcessSpec, processes: int, announce: Callable[[int], None] | None = None
) -> int:
    """Run ``processes`` web processes of ``spec`` on its port until ``SIGINT``, ``SIGTERM``
    or ``SIGHUP`` (see the module's text); return the exit code (0, or
    :data:`STARTUP_FAILURE`). Raises ``OSError`` when the port cannot be bound (in use, or not
    this machine's address); ``announce`` is called with the port once it is held, before
    the processes start."""
    if processes < 1:
        raise ValueError(f"processes: expected at least 1, got {processes}")
    # First without SO_REUSEPORT: a port another server listens on (even one that set it too)
    # is refused here, instead of being shared with that server.
    family = socket.AF_INET6 if ":" in spec.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((spec.host, spec.port))
        spec = replace(spec, port=int(probe.getsockname()[1]))
    holder = bind_reuse_port(spec.host, spec.port)
    if announce is not None:
        announce(spec.port)
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> BaseProcess:
        # not daemonic: a web process starts the processes of its plan jobs
        process = context.Process(
            target=_web_process, args=(spec, os.getpid()), name="gridpatrol-web"
        )
        process.start()
        return process

    def stop(signum: int, _: FrameType | None) -> None:
        stopping.set()

    # SIGHUP too (sent to the server alone, as by a service manager): its processes are
    # stopped gracefully, not killed with the supervisor
    stops = [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {sig: signal.signal(sig, stop) for sig in stops}
    running: list[BaseProcess] = []
    code = 0
    try:
        running = [start() for _ in range(processes)]
        while not stopping.wait(0.25):
            for index, process in enumerate(running):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("a web process could not start; stopping the server")
                    code = STARTUP_FAILURE
                    stopping.set()
                    break
                log.warning(
                    "web process %s ended (exit code %s); starting another",
                    process.pid,
                    process.exitcode,
                )
                running[index] = start()
    finally:
        _stop_all(running)
        holder.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _stop_all(running: list[BaseProcess]) -> None:
    """``SIGTERM`` to every web process (uvicorn's graceful shutdown), ``SIGKILL`` to those
    still running after :data:`STOP_GRACE_S`."""
    for process in running:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for process in running:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in running:
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
