"""When a web process runs the garbage collector's full collections.

CPython collects its oldest generation by itself when enough objects have moved into it
since the last time (thresholds ``700, 10, 10`` and a quarter of the long-lived objects). A
full collection holds the interpreter lock from start to end, so every request of the
process stops while it runs. Under load the objects of the requests waiting for their turn
outlive the young collections and are moved to the oldest generation, where most of them
die soon after: a web process under the load benchmark ran a full collection every 2.3 s,
each traversing about 170,000 long-lived objects for 100-250 ms to free fewer than 200. With
25 requests waiting in a process, each such pause was added to all of them, and it was the
tail of every endpoint group (``benchmarks.service``; docs/service.md, Performance).

:class:`FullCollections` takes the oldest generation off CPython's schedule (young
collections stay as CPython runs them: they are short and free most garbage) and runs the
full collection itself, from a task on the web process's event loop that looks every
``check_s`` (1 s):

- when the process is **idle** (no ordinary request running or waiting, no long request
  running), objects have moved into the oldest generation since the last full collection,
  and at least ``min_gap_s`` (10 s) have passed since it: nobody waits for it;
- **after a long request** (an incident file read, hotspots, sheets ...;
  :func:`api.service.lanes.run_long`) ended, busy or not, at the first look at least
  ``min_gap_s`` after the last full collection: such a request can leave large cyclic
  garbage behind, and its own seconds dwarf the pause (the gap bounds the pauses however
  many long requests, sign-ins included, are sent);
- and in any case ``every_s`` (``GRIDPATROL_GC_FULL_EVERY_S``, 120 s) after the last one,
  busy or not, so no cyclic garbage waits longer than that to be freed.

Objects that are not in a reference cycle are freed the moment their last reference goes, as
always; only cycles wait for a full collection. At start-up the application collects
everything once and freezes what is left (its modules, the ORM's mappers ...; ``gc.freeze``),
so later full collections do not traverse it. ``every_s = 0`` leaves CPython's schedule as
it is. The thresholds are the process's: the first holder takes them, the last gives them
back (several applications in one process, as in tests, share one schedule).
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: The oldest generation's threshold while the service holds the schedule: CPython's own
#: full collections would need this many young (generation 1) collections first, so in
#: practice they do not happen.
NEVER = 2**30

_holders = 0
_saved: tuple[int, int, int] | None = None
_guard = threading.Lock()


def take_schedule() -> None:
    """Take the oldest generation off CPython's schedule (keep its young thresholds)."""
    global _holders, _saved
    with _guard:
        if _holders == 0:
            _saved = gc.get_threshold()
            young, middle, _ = _saved
            gc.set_threshold(young, middle, NEVER)
        _holders += 1


def give_schedule_back() -> None:
    """Give CPython back its schedule when the last holder lets it go."""
    global _holders, _saved
    with _guard:
        if _holders == 0:
            return
        _holders -= 1
        if _holders == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            _saved = None


def _promoted() -> bool:
    """Whether objects moved into the oldest generation since its last collection (CPython
    counts the young collections that moved them)."""
    return gc.get_count()[2] > 0


def _collect_all() -> None:
    gc.collect(2)


@dataclass
class FullCollections:
    """The full collections of one web process (see the module).

    ``idle`` says whether the process has no request running or waiting; ``clock``,
    ``promoted`` and ``collect`` are CPython's unless a test gives its own. ``runs`` counts
    the full collections made, by reason (``idle``, ``long request``, ``interval``).
    """

    idle: Callable[[], bool]
    every_s: float = 120.0
    min_gap_s: float = 10.0
    check_s: float = 1.0
    clock: Callable[[], float] = time.monotonic
    promoted: Callable[[], bool] = _promoted
    collect: Callable[[], None] = _collect_all
    runs: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._last = self.clock()
        self._after_long = False

    def long_request_ended(self) -> None:
        """A long request ended: collect at the first look after the gap, busy or not."""
        self._after_long = True

    def due(self) -> str | None:
        """Why a full collection is due now, or ``None``."""
        since = self.clock() - self._last
        if since >= self.every_s:
            return "interval"
        if since < self.min_gap_s:
            return None
        if self._after_long:
            return "long request"
        if self.promoted() and self.idle():
            return "idle"
        return None

    def check(self) -> str | None:
        """Run a full collection if one is due; why it ran, or ``None``."""
        reason = self.due()
        if reason is not None:
            self.collect()
            self._last = self.clock()
            self._after_long = False
            self.runs[reason] = self.runs.get(reason, 0) + 1
        return reason

    async def run(self) -> None:
        """Look every ``check_s`` seconds until cancelled, holding the schedule meanwhile."""
        take_schedule()
        try:
            while True:
                await asyncio.sleep(self.check_s)
                self.check()
        finally:
            give_schedule_back()
