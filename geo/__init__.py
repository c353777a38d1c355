"""Geographic input, grids, street networks and hotspots for gridpatrol.

``geo`` is the bottom of the stack: it imports none of ``planner``, ``maps`` or ``api``.
Everything here computes in one local metric CRS (see :mod:`geo.crs`). The names below are
the library entry points (``from geo import analyse``); the embedded sample districts are
:mod:`geo.sample` (``sample.load("toronto-uoft")``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from geo.analysis import (
        Analysis as Analysis,
    )
    from geo.analysis import (
        AnalysisOptions as AnalysisOptions,
    )
    from geo.analysis import (
        analyse as analyse,
    )
    from geo.analysis import (
        hotspots_for as hotspots_for,
    )
    from geo.analysis import (
        risk_band_for as risk_band_for,
    )
    from geo.district import District as District
    from geo.district import district_from_layers as district_from_layers
    from geo.grid import Grid as Grid
    from geo.grid import make_grid as make_grid
    from geo.io import (
        read_areas as read_areas,
    )
    from geo.io import (
        read_boundary as read_boundary,
    )
    from geo.io import (
        read_duties as read_duties,
    )
    from geo.io import (
        read_incidents as read_incidents,
    )
    from geo.io import (
        read_stations as read_stations,
    )

#: Public name -> the module that defines it (imported on first use, so importing
#: the package stays cheap).
_EXPORTS = {
    "Analysis": "geo.analysis",
    "AnalysisOptions": "geo.analysis",
    "analyse": "geo.analysis",
    "hotspots_for": "geo.analysis",
    "risk_band_for": "geo.analysis",
    "District": "geo.district",
    "district_from_layers": "geo.district",
    "Grid": "geo.grid",
    "make_grid": "geo.grid",
    "read_areas": "geo.io",
    "read_boundary": "geo.io",
    "read_duties": "geo.io",
    "read_incidents": "geo.io",
    "read_stations": "geo.io",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
