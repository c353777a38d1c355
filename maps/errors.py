"""Errors of the maps package; they subclass built-ins so ``except ValueError`` still works."""

from __future__ import annotations


class MapInputError(ValueError):
    """The data given to a map or sheet is unusable (missing column, unknown unit or band)."""
