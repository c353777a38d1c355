"""A small straight-line world for planner tests: two stations 3 km apart, seconds axis."""

from __future__ import annotations

import pytest

from planner.travel import StreetTravel

H = 3600


@pytest.fixture
def travel() -> StreetTravel:
    """No street network: straight-line distance × 1.3 at the mode's speed."""
    return StreetTravel()


@pytest.fixture
def stations() -> dict[str, tuple[float, float]]:
    return {"north": (0.0, 0.0), "south": (3000.0, 0.0)}
