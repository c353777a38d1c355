"""Fixtures of the maps tests: one real plan on the Toronto sample, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maps.bundle import PlanBundle
from tests.maps._sample import sample_bundle

DATA = Path(__file__).with_name("data")
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def bundle() -> PlanBundle:
    """A verified plan (two units) with grid, risk, hotspots, incidents and stations."""
    return sample_bundle(time_limit_s=2.0)


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    return path
