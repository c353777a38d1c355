"""``gridpatrol serve --web-workers N`` on Linux: every web process listens on a socket of its
own (``SO_REUSEPORT``), so a burst of connections is spread over them by the kernel; a web
process that dies is replaced, a process that cannot start stops the server, ``SIGTERM``
stops them all, a ``kill -9`` of the server leaves nothing on its port, and a port another
server listens on is refused, not shared.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.service.webprocesses import (
    STARTUP_FAILURE,
    WebProcessSpec,
    bind_reuse_port,
    kernel_balances,
    serve_web_processes,
)
from benchmarks.service import _connections_to
from tests.api.web.live import (
    REPO,
    SECRET_KEY,
    alive,
    prepare_database,
    serve_process,
    web_processes,
)

pytestmark = pytest.mark.skipif(not kernel_balances(), reason="SO_REUSEPORT balances on Linux")

#: ``/proc/net/tcp`` state of a listening socket.
LISTEN = "0A"


def _listening_inodes(pid: int, port: int) -> set[int]:
    """Inodes of the sockets of ``pid`` that listen on ``port``."""
    owned = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            owned.add(int(target[8:-1]))
    found = set()
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        local_port, state, inode = int(fields[1].rsplit(":", 1)[1], 16), fields[3], int(fields[9])
        if local_port == port and state == LISTEN and inode in owned:
            found.add(inode)
    return found


def _listeners(port: int) -> list[str]:
    """Who listens on ``port``, of any process: the socket inodes of the kernel's TCP tables
    and the command lines of the processes that hold them."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == LISTEN:
                inodes.add(int(fields[9]))
    holders = [f"socket {inode}" for inode in sorted(inodes)]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            held = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            continue
        if any(f"socket:[{inode}]" in held for inode in inodes):
            holders.append(f"pid {proc.name}: {command}")
    return holders


def _assert_nothing_answers(port: int) -> None:
    # a killed process whose leader is already a zombie may still be closing its files in its
    # other threads for a moment: its listening socket then still completes handshakes
    deadline = time.monotonic() + 10
    while (listening := _listeners(port)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not listening, f"still listening on the server's port: {listening}"
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=2)
    except ConnectionRefusedError:
        return
    with connection:
        # the port is an ephemeral one: a connect with nobody listening can, rarely, pick it
        # as its own source port and connect to itself (TCP simultaneous open)
        assert connection.getsockname() == connection.getpeername(), "something answered"


def _wait(condition: object, timeout_s: float, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@contextmanager
def _server(tmp_path: Path, processes: int) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    url = f"sqlite:///{tmp_path / 'gridpatrol.db'}"
    prepare_database(url, {"admin": ("admin", "web processes passphrase")})
    env = {"GRIDPATROL_JOB_WORKERS": "0"}
    with serve_process(tmp_path, url, "--web-workers", str(processes), env=env) as served:
        server, port = served.process, served.port
        _wait(lambda: len(web_processes(server.pid)) == processes, 240, "its processes")
        # every process serves before the test looks at them
        _wait(
            lambda: all(_listening_inodes(pid, port) for pid in web_processes(server.pid)),
            240,
            "every process to listen",
        )
        yield server, port


def test_each_process_listens_alone_is_replaced_when_it_dies_and_all_stop_on_sigterm(
    tmp_path: Path,
) -> None:
    with _server(tmp_path, 2) as (server, port):
        workers = web_processes(server.pid)
        sockets = [_listening_inodes(pid, port) for pid in workers]
        assert all(len(s) == 1 for s in sockets), sockets
        assert sockets[0] != sockets[1], "each web process has a listening socket of its own"
        assert not _listening_inodes(server.pid, port), "the supervisor only holds the port"

        # a burst of 40 keep-alive connections falls on both processes (by hash: one of
        # them with fewer than 8 has a chance of about 1 in 50,000)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        try:
            for c in clients:
                c.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            for c in clients:
                assert c.recv(64).startswith(b"HTTP/1.1 200")
            ports = {c.getsockname()[1] for c in clients}
            split = _connections_to(workers, ports)
            assert sum(split) == 40
            assert min(split) >= 8, split
        finally:
            for c in clients:
                c.close()

        # a web process killed is replaced, and the service keeps answering
        os.kill(workers[0], signal.SIGKILL)
        _wait(
            lambda: (
                len(web_processes(server.pid)) == 2 and workers[0] not in web_processes(server.pid)
            ),
            120,
            "a new web process",
        )
        replacement = next(p for p in web_processes(server.pid) if p not in workers)
        _wait(lambda: bool(_listening_inodes(replacement, port)), 120, "the new one to listen")
        for _ in range(10):
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200

        current = web_processes(server.pid)
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        _wait(lambda: not any(alive(p) for p in current), 10, "the web processes to end")
        _assert_nothing_answers(port)


def test_sighup_stops_the_processes_gracefully(tmp_path: Path) -> None:
    with _server(tmp_path, 2) as (server, port):
        workers = web_processes(server.pid)
        server.send_signal(signal.SIGHUP)
        assert server.wait(60) == 0
        _wait(lambda: not any(alive(p) for p in workers), 10, "the web processes to end")
        log = (tmp_path / "server.log").read_text()
        assert log.count("Application shutdown complete") == 2, "each shut down, not killed"
        _assert_nothing_answers(port)


def test_a_killed_server_leaves_nothing_on_its_port(tmp_path: Path) -> None:
    with _server(tmp_path, 2) as (server, port):
        workers = web_processes(server.pid)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        _wait(lambda: not any(alive(p) for p in workers), 10, "the web processes to die")
        _assert_nothing_answers(port)


def test_a_process_that_cannot_start_stops_the_server() -> None:
    spec = WebProcessSpec("api.service.no_such_module:create_app", "127.0.0.1", 0)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    announced: list[int] = []
    started = time.monotonic()
    assert serve_web_processes(spec, 2, announced.append) == STARTUP_FAILURE
    assert time.monotonic() - started < 120, "stopped, not started again and again"
    assert len(announced) == 1 and announced[0] > 0, "port 0 is resolved once"
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_a_port_another_server_listens_on_is_refused_not_shared() -> None:
    # the other server set SO_REUSEPORT too: joining its group would split its connections
    other = bind_reuse_port("127.0.0.1", 0)
    other.listen()
    try:
        spec = WebProcessSpec("api.service.app:create_app", "127.0.0.1", other.getsockname()[1])
        with pytest.raises(OSError) as raised:
            serve_web_processes(spec, 2)
        assert raised.value.errno == 98 or "in use" in str(raised.value)
    finally:
        other.close()


def test_the_cli_names_the_port_flag_when_the_port_is_taken(tmp_path: Path) -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'gridpatrol.db'}"
    env = {
        **os.environ,
        "GRIDPATROL_DATABASE_URL": url,
        "GRIDPATROL_DATA_DIR": str(tmp_path),
        "GRIDPATROL_SECRET_KEY": SECRET_KEY,
    }
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve"]
    command += ["--port", str(port), "--no-bootstrap-admin", "--web-workers", "2"]
    try:
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=240)
    finally:
        taken.close()
    output = done.stdout.decode() + done.stderr.decode()
    assert done.returncode != 0
    assert f"--port {port}" in output and "choose another port with --port" in output
    assert "Serving on" not in output, "nothing is announced before the port is held"
