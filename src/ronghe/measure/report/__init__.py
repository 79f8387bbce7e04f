"""Excel and HTML reports of the integration indicators (the report's 表 3–表 6 and their detail).

Three parts, one job each: :mod:`.tables` builds the frames every output is written from (so the workbook,
the HTML page and the CSV never disagree), :mod:`.xlsx` writes the workbook, :mod:`.html` the page;
:mod:`.layout` holds the bilingual column labels both writers use.
"""

from __future__ import annotations

from ronghe.measure.report.html import report_to_html
from ronghe.measure.report.tables import (
    COUNTRY_LABELS,
    GROUP_LABELS,
    GROUPS,
    PUBLISHED_LABEL,
    PUBLISHED_SOURCE,
    IndicatorsLike,
    ReportFrames,
    _source_note,
    computed_label,
    definitions,
    embodied,
    in_trillion,
    jsonable,
    mfg_sectors,
    ps_subsectors,
    published,
    report_frames,
    summary_side_by_side,
    table3,
    table4,
    table5,
    table6,
    to_long,
    unit_of_key,
)
from ronghe.measure.report.xlsx import report_to_xlsx

__all__ = [
    "COUNTRY_LABELS", "GROUPS", "GROUP_LABELS", "PUBLISHED_LABEL", "PUBLISHED_SOURCE", "IndicatorsLike",
    "ReportFrames", "_source_note", "computed_label", "definitions", "embodied", "in_trillion", "jsonable",
    "mfg_sectors", "ps_subsectors", "published", "report_frames", "report_to_html", "report_to_xlsx",
    "summary_side_by_side", "table3", "table4", "table5", "table6", "to_long", "unit_of_key",
]
