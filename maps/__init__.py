"""Everything a person looks at or prints: maps, route sheets, charts, labels.

The library entry points: :func:`plan_documents` / :func:`write_plan_files` write a planned
shift as ``plan.json``; :func:`read_plan_bundle` reads one back for drawing;
:func:`write_sheets` and :func:`write_map` draw it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from maps.bundle import PlanBundle as PlanBundle
    from maps.exports import (
        map_html as map_html,
    )
    from maps.exports import (
        plan_documents as plan_documents,
    )
    from maps.exports import (
        sheet_bytes as sheet_bytes,
    )
    from maps.exports import (
        write_map as write_map,
    )
    from maps.exports import (
        write_plan_files as write_plan_files,
    )
    from maps.exports import (
        write_sheets as write_sheets,
    )
    from maps.planfile import (
        PlanFileError as PlanFileError,
    )
    from maps.planfile import (
        bundle_from_document as bundle_from_document,
    )
    from maps.planfile import (
        plan_document as plan_document,
    )
    from maps.planfile import (
        read_plan as read_plan,
    )
    from maps.planfile import (
        read_plan_bundle as read_plan_bundle,
    )

#: Public name -> the module that defines it (imported on first use, so importing
#: the package stays cheap).
_EXPORTS = {
    "PlanBundle": "maps.bundle",
    "map_html": "maps.exports",
    "plan_documents": "maps.exports",
    "sheet_bytes": "maps.exports",
    "write_map": "maps.exports",
    "write_plan_files": "maps.exports",
    "write_sheets": "maps.exports",
    "PlanFileError": "maps.planfile",
    "bundle_from_document": "maps.planfile",
    "plan_document": "maps.planfile",
    "read_plan": "maps.planfile",
    "read_plan_bundle": "maps.planfile",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
