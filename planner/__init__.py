"""Turning risk and duties into patrol tasks, routes and staffing proposals.

The library entry points: :func:`plan_shift` plans one shift of a district
(``from planner import plan_shift, PlanOptions``); :func:`propose_staffing` proposes staffing
for an analysed district.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.clock import wall_clock as wall_clock
    from planner.plan import PatrolPlan as PatrolPlan
    from planner.plan import plan_patrols as plan_patrols
    from planner.shift import (
        PlanOptions as PlanOptions,
    )
    from planner.shift import (
        ShiftPlan as ShiftPlan,
    )
    from planner.shift import (
        default_units as default_units,
    )
    from planner.shift import (
        plan_shift as plan_shift,
    )
    from planner.shift import (
        shift_band as shift_band,
    )
    from planner.staffing import (
        StaffingRunOptions as StaffingRunOptions,
    )
    from planner.staffing import (
        propose_staffing as propose_staffing,
    )

#: Public name -> the module that defines it (imported on first use, so importing
#: the package stays cheap).
_EXPORTS = {
    "wall_clock": "planner.clock",
    "PatrolPlan": "planner.plan",
    "plan_patrols": "planner.plan",
    "PlanOptions": "planner.shift",
    "ShiftPlan": "planner.shift",
    "default_units": "planner.shift",
    "plan_shift": "planner.shift",
    "shift_band": "planner.shift",
    "StaffingRunOptions": "planner.staffing",
    "propose_staffing": "planner.staffing",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
