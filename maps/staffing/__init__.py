"""A staffing proposal for people to read: tables, coverage chart, the one-page PDF, files.

:func:`write_staffing_outputs` writes every file of a :class:`~planner.staffing.StaffingResult`
to a folder (command line, demo); :func:`staffing_files` makes the service's downloads as
bytes and :func:`staffing_table` the table it shows; :func:`staffing_summary` is the JSON
summary. The frames are in :mod:`.tables`, the PDF page in :mod:`.page`, the chart in
:mod:`.chart`.
"""

from maps.staffing.chart import curves_png
from maps.staffing.files import (
    STAFFING_FILES,
    csv_bytes,
    staffing_files,
    write_staffing_outputs,
    xlsx_bytes,
)
from maps.staffing.page import StaffingInput, staffing_pdf_bytes, write_staffing_pdf
from maps.staffing.summary import staffing_summary
from maps.staffing.tables import (
    STAFFING_COLUMNS,
    curves_frame,
    proposal_table,
    roster_frame,
    roster_grid,
    shifts_frame,
    staffing_page_input,
    staffing_table,
)

__all__ = [
    "STAFFING_COLUMNS",
    "STAFFING_FILES",
    "StaffingInput",
    "csv_bytes",
    "curves_frame",
    "curves_png",
    "proposal_table",
    "roster_frame",
    "roster_grid",
    "shifts_frame",
    "staffing_files",
    "staffing_page_input",
    "staffing_pdf_bytes",
    "staffing_summary",
    "staffing_table",
    "write_staffing_outputs",
    "write_staffing_pdf",
    "xlsx_bytes",
]
