"""Settings shared by the whole test suite.

The street-network cache goes to one temporary folder per test session, so tests never read
or fill the user's own cache (``~/.cache/gridpatrol``) and every session starts cold, as a fresh
machine does. Tests of the cache itself point ``GRIDPATROL_CACHE_DIR`` at their own folders.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_network_cache() -> Iterator[None]:
    previous = os.environ.get("GRIDPATROL_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="gridpatrol-test-cache-") as folder:
        os.environ["GRIDPATROL_CACHE_DIR"] = folder
        yield
    if previous is None:
        os.environ.pop("GRIDPATROL_CACHE_DIR", None)
    else:
        os.environ["GRIDPATROL_CACHE_DIR"] = previous
