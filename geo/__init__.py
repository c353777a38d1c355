"""Geographic input, grids, street networks and hotspots for gridpatrol.

``geo`` is the bottom of the stack: it imports none of ``planner``, ``maps`` or ``api``.
Everything here computes in one local metric CRS (see :mod:`geo.crs`).
"""
