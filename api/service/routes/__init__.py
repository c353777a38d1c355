"""One router per resource; :data:`ROUTERS` lists them in the order the OpenAPI shows them."""

from __future__ import annotations

from fastapi import APIRouter

from api.service.routes import (
    areas,
    audit,
    auth,
    datasets,
    grids,
    health,
    hotspots,
    maps,
    plans,
    review,
    sheets,
    staffing,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    areas.router,
    datasets.router,
    grids.router,
    hotspots.router,
    plans.router,
    maps.router,
    sheets.router,
    review.router,
    staffing.router,
    users.router,
    audit.router,
)
