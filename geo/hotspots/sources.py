"""How incidents became known, and a guard against the patrol feedback loop.

Incidents found by a patrol are recorded where patrols already go: forecasting from them sends
more patrols to the same places, which find more incidents there. An optional
``reported_by`` column (:data:`geo.schema.REPORTED_BY`) says whether an incident came from a
call for service (``call``) or was found by a patrol (``patrol``);
:func:`apply_source_policy` leaves patrol-found incidents out of the forecast or down-weights
them, and :func:`patrol_share` reports, per cell, the share of incidents patrols found.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.schema import REPORTED_BY, WEIGHT

CALL = "call"
PATROL = "patrol"
UNKNOWN_SOURCE = "unknown"

_SYNONYMS: Mapping[str, str] = {
    "call": CALL,
    "calls": CALL,
    "call for service": CALL,
    "call_for_service": CALL,
    "cfs": CALL,
    "110": CALL,
    "报警": CALL,
    "接警": CALL,
    "patrol": PATROL,
    "found by patrol": PATROL,
    "found_by_patrol": PATROL,
    "on view": PATROL,
    "on-view": PATROL,
    "onview": PATROL,
    "巡逻": PATROL,
    "巡查": PATROL,
    "巡逻发现": PATROL,
}


def canonical_sources(values: pd.Series) -> np.ndarray:
    """``call``, ``patrol`` or ``unknown`` for each value (case and spacing ignored)."""
    text = values.astype("string").str.strip().str.lower()
    mapped = text.map(lambda v: _SYNONYMS.get(v, UNKNOWN_SOURCE) if isinstance(v, str) else v)
    return mapped.fillna(UNKNOWN_SOURCE).to_numpy(dtype=object)


def apply_source_policy(
    incidents: pd.DataFrame, weights: Mapping[str, float]
) -> tuple[pd.DataFrame, str | None]:
    """Incidents with their ``weight`` multiplied by a factor per source.

    Parameters
    ----------
    incidents
        Incidents, optionally with a ``reported_by`` column (other columns are kept).
    weights
        Source -> factor, e.g. ``{"patrol": 0.0}`` to leave patrol-found incidents out of
        scores and forecasts (they stay in the table, so their share can be shown) or
        ``{"patrol": 0.5}`` to halve them.

    Returns
    -------
    The incidents (a copy when changed) and a note for the user, or ``None`` when nothing
    applied.

    Raises
    ------
    ValueError
        If a source is not ``call`` or ``patrol`` or a factor is not in [0, 1].
    """
    for key, value in weights.items():
        if key not in (CALL, PATROL):
            raise ValueError(f"source: expected 'call' or 'patrol', got {key!r}")
        if not 0 <= value <= 1:
            raise ValueError(f"source weight for {key!r}: expected 0 to 1, got {value!r}")
    if not weights:
        return incidents, None
    if REPORTED_BY not in incidents.columns:
        return incidents, (
            f"no {REPORTED_BY!r} column: every incident is used as is (the source policy "
            f"{dict(weights)!r} needs it)"
        )
    source = canonical_sources(incidents[REPORTED_BY])
    factor = np.ones(len(incidents))
    for name, value in weights.items():
        factor[source == name] = value
    base = (
        pd.to_numeric(incidents[WEIGHT]).to_numpy(dtype=float)
        if WEIGHT in incidents.columns
        else np.ones(len(incidents))
    )
    out = incidents.copy()
    out[WEIGHT] = base * factor
    parts = [
        f"{int((source == name).sum())} {name}-found incident(s) "
        + ("left out" if value == 0 else f"weighted x{value:g}")
        for name, value in weights.items()
    ]
    return out, "; ".join(parts)


def patrol_share(incidents: pd.DataFrame, cell_ids: pd.Series) -> pd.Series:
    """Share of each cell's incidents that patrols found (``NaN`` without the column).

    ``incidents`` carry ``cell_id``; the result is indexed like ``cell_ids``.
    """
    if REPORTED_BY not in incidents.columns:
        return pd.Series(np.nan, index=cell_ids.index, dtype=float)
    found = pd.Series(canonical_sources(incidents[REPORTED_BY]) == PATROL, index=incidents.index)
    by_cell = found.groupby(incidents["cell_id"]).mean()
    return pd.Series(cell_ids.map(by_cell).to_numpy(dtype=float), index=cell_ids.index)
