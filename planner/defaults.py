"""The planning defaults, defined once: shift, unit mix, crews, meal break, solver budget.

Every way in (command line, service, web form, batch) takes its defaults from here, so a plan
made one way is the plan made another.
"""

from __future__ import annotations

from types import MappingProxyType

from geo.network.modes import Mode

#: The shift planned when none is named (the evening shift, 16:00-24:00 local time).
DEFAULT_SHIFT = "16-24"

#: Units per mode when no units are given.
DEFAULT_UNIT_COUNTS = MappingProxyType({Mode.CAR: 3, Mode.FOOT: 3, Mode.BICYCLE: 2})

#: The same, as the text the command line and the service take (``--unit-counts``).
DEFAULT_UNIT_COUNTS_TEXT = ",".join(f"{m.value}={n}" for m, n in DEFAULT_UNIT_COUNTS.items())

#: People per unit: a car crew of two, one on foot or bicycle.
DEFAULT_CREW = MappingProxyType({Mode.CAR: 2, Mode.FOOT: 1, Mode.BICYCLE: 1})

#: Meal break of a default unit, in minutes, on shifts of at least ``BREAK_MIN_SHIFT_H`` hours.
DEFAULT_BREAK_MIN = 30
BREAK_MIN_SHIFT_H = 6.0
#: The break starts between these many hours into the shift.
BREAK_WINDOW_H = (3.0, 5.0)

#: Solver budget per plan in seconds, and the search seed.
DEFAULT_TIME_LIMIT_S = 10.0
DEFAULT_SEED = 0

#: Candidate hotspot cells per shift.
DEFAULT_TOP = 150
