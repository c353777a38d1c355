"""Further parts of the message catalogue, one module per capability.

Each module here defines ``TEXTS: dict[str, dict[str, str]]`` (key -> {language: text}) in the
same form as :mod:`maps.messages`; :func:`catalogue_parts` collects them so that a capability's
labels live beside each other instead of in one ever-growing file. A key may be defined once in
the whole catalogue: a duplicate is an error at import, not a silent override.
"""

from __future__ import annotations

import importlib
import pkgutil


def catalogue_parts() -> dict[str, dict[str, dict[str, str]]]:
    """Every part module's ``TEXTS``, by module name (sorted, so the merge is reproducible)."""
    parts: dict[str, dict[str, dict[str, str]]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        texts = getattr(module, "TEXTS", None)
        if not isinstance(texts, dict):
            raise TypeError(f"{module.__name__} must define TEXTS as a dict of message keys")
        parts[info.name] = texts
    return parts
