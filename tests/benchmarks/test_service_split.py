"""The load benchmark's count of the clients' connections on each web process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from benchmarks.service import Phase, _connections_to, _line

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: A process that listens, accepts every connection and keeps it (a web process's part).
HOLDER = """
import socket, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
kept = []
while True:
    connection, _ = server.accept()
    kept.append(connection)
"""


def test_connections_are_counted_on_the_process_that_holds_them() -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    clients: list[socket.socket] = []
    try:
        assert holder.stdout is not None
        port = int(holder.stdout.readline())
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        ports = {c.getsockname()[1] for c in clients}
        other = socket.create_connection(("127.0.0.1", port))  # not one of the clients
        clients.append(other)
        deadline = time.monotonic() + 10
        while True:  # the holder accepts in its own time
            counts = _connections_to([os.getpid(), holder.pid], ports)
            if counts == [0, 3] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # the holder's accepted sockets have the clients' ports as peers; this process's own
        # ends have the holder's port as peer, so they are not counted
        assert counts == [0, 3]
        assert _connections_to([holder.pid], ports | {other.getsockname()[1]}) == [4]
        assert _connections_to([holder.pid], set()) == [0]
    finally:
        for c in clients:
            c.close()
        holder.kill()
        holder.wait()


def test_a_process_that_is_gone_counts_zero() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert _connections_to([gone.pid], {1, 2, 3}) == [0]


def test_the_phase_line_gives_the_split_when_it_was_sampled() -> None:
    phase = Phase("with plans running", seconds=1.0)
    phase.latencies["plan"] = [0.010, 0.020]
    assert "connections per web process" not in _line(phase)
    phase.split = [29, 21]
    assert _line(phase).endswith("; connections per web process 29/21")
