"""The analysts' Excel workbook (xlsxwriter): Summary, 表3–表6, sector detail, embodied value added, definitions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ronghe import __version__
from ronghe.errors import InputError
from ronghe.measure.report.layout import (
    DEF_COLS,
    EMB_COLS,
    HEADLINE_COLS,
    MFG_COLS,
    NOTE_DEFS,
    PS_COLS,
    T3_COLS,
    T4_COLS,
    T6_COLS,
    Col,
    _t5_cols,
    summary_cols,
)
from ronghe.measure.report.tables import (
    PUBLISHED_LABEL,
    IndicatorsLike,
    _check_writable,
    _published_note,
    _source_note,
    _t5_records,
    headline,
    report_frames,
    summary_by_table,
)


class _Book:
    """xlsxwriter workbook with the house formats; writes titled, bilingual, noted blocks."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        self.wb.set_properties({"title": "ronghe integration indicators", "author": f"ronghe {__version__}",
                                "comments": "Computed by ronghe from official input-output tables"})
        add = self.wb.add_format
        base = {"font_name": "Arial", "font_size": 10}
        self.title = add({**base, "bold": True, "font_size": 13})
        self.subtitle = add({**base, "italic": True, "font_color": "#555555"})
        self.head_zh = add({**base, "bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center"})
        self.head_en = add({**base, "bg_color": "#EEF3F9", "border": 1, "text_wrap": True, "valign": "vcenter",
                            "align": "center", "font_size": 9})
        self.note = add({**base, "italic": True, "font_size": 9, "font_color": "#444444"})
        nums = {"text": None, "general": "General", "int": "0", "money": "#,##0", "trillion": "0.00", "pct": "0.0", "ratio": '0.00":1"',
                "coeff": "0.0000"}
        self.cell = {k: add({**base, "num_format": v} if v else base) for k, v in nums.items()}
        self.pub = {k: add({**base, "italic": True, "font_color": "#7F4F00", "bg_color": "#FFF8E5",
                            **({"num_format": v} if v else {})}) for k, v in nums.items()}

    def sheet(self, name: str):  # returns an xlsxwriter Worksheet
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        return ws

    def block(self, ws, row: int, title: str, subtitle: str, cols: list[Col], frame: pd.DataFrame,
              notes: Sequence[str] = (), *, freeze: int | None = None, autofilter: bool = False) -> int:
        """Write title, units line, zh+en headers, data and notes from ``row``; return the next free row."""
        ws.write(row, 0, title, self.title)
        ws.write(row + 1, 0, subtitle, self.subtitle)
        head = row + 2
        for j, c in enumerate(cols):
            ws.write(head, j, c.zh, self.head_zh)
            ws.write(head + 1, j, c.en, self.head_en)
            ws.set_column(j, j, c.width)
        ws.set_row(head + 1, 30)
        r = head + 2
        for rec in frame.to_dict("records"):
            published_row = str(rec.get("source", "")).startswith(PUBLISHED_LABEL)
            for j, c in enumerate(cols):
                v = rec.get(c.key)
                fmt = (self.pub if published_row else self.cell)[c.fmt]
                if v is None or (isinstance(v, float) and not math.isfinite(v)):
                    ws.write_blank(r, j, None, fmt)
                elif c.fmt == "text" or isinstance(v, str):
                    ws.write_string(r, j, str(v), fmt)
                else:
                    ws.write_number(r, j, float(v), fmt)
            r += 1
        if autofilter and r > head + 2:
            ws.autofilter(head + 1, 0, r - 1, len(cols) - 1)
        if freeze is not None:
            ws.freeze_panes(head + 2, freeze)
        for note in notes:
            ws.write(r + 1, 0, note, self.note)
            r += 1
        return r + 2


def report_to_xlsx(items: Sequence[IndicatorsLike], path: str | Path) -> Path:
    """Write the analysts' workbook: Summary, T3–T6, sector detail, embodied PS value added, Definitions."""
    path = Path(path)
    fr = report_frames(items)
    _check_writable(path)
    book = _Book(path)
    src, pub = _source_note(items), _published_note()

    ws = book.sheet("Summary")
    r = book.block(ws, 0, "一览  At a glance: ronghe beside the report (差 = gap)",
                   "PS inputs in trillion of the table's currency; share in % of manufacturing's intermediate inputs; "
                   "gap = ronghe − report (percentage points for shares)", HEADLINE_COLS, headline(items), [pub])
    book.block(ws, r, "融合指标汇总  Integration indicators by table",
               "One row per table; units in every header", summary_cols(), summary_by_table(items),
               [src, NOTE_DEFS], freeze=None)

    ws = book.sheet("T3 PS inputs")
    book.block(ws, 0, "表3 制造业中生产性服务投入规模及占比  Table 3: producer-service inputs into manufacturing",
               "万亿（本币）, % of the group's intermediate inputs · trillion of the table's currency", T3_COLS,
               fr.t3, [src, pub, NOTE_DEFS], freeze=3)

    ws = book.sheet("T4 PS vs mfg VA")
    book.block(ws, 0, "表4 生产性服务业增加值与制造业增加值之比  Table 4: producer services vs manufacturing value added",
               "万亿（本币） · trillion of the table's currency; ronghe: value added rows of the IO table", T4_COLS,
               fr.t4, [src, pub + " Report figures are national accounts, ronghe's are IO-table value added."],
               freeze=3)

    ws = book.sheet("T5 PS structure")
    book.block(ws, 0, "表5 生产性服务业细分领域占比  Table 5: structure of producer services by sub-sector",
               "% of producer-services value added", _t5_cols(fr.t5), _t5_records(fr.t5),
               [src, pub + " China's published wholesale = half of wholesale and retail."], freeze=3)

    ws = book.sheet("T6 PS share by tech")
    book.block(ws, 0, "表6 制造业中生产性服务投入占比（按技术密集度）  Table 6: PS share of manufacturing "
               "intermediate inputs by technology group", "% of intermediate inputs; countries side by side",
               T6_COLS, fr.t6, [src, NOTE_DEFS], freeze=3)

    ws = book.sheet("Mfg sectors")
    book.block(ws, 0, "制造业分行业生产性服务投入  Producer-service inputs by manufacturing sector",
               "table units (see Definitions); coefficients per unit of output / final demand", MFG_COLS,
               fr.mfg_sectors, [src, NOTE_DEFS], freeze=4, autofilter=True)

    ws = book.sheet("PS sub-sectors")
    book.block(ws, 0, "生产性服务业细分领域  Producer services by sub-sector",
               "table units (see Definitions)", PS_COLS, fr.ps_subsectors, [src], freeze=5, autofilter=True)

    ws = book.sheet("Embodied PS VA")
    book.block(ws, 0, "制造业隐性服务增加值  Producer-services value added embodied in manufacturing",
               "table units; embodied = v_ps · L · f over manufacturing final demand / exports", EMB_COLS,
               fr.embodied, [src, "Embodied value added: PS value-added coefficients × Leontief inverse × the "
                                  "manufacturing sector's final demand (or exports)."], freeze=4, autofilter=True)

    ws = book.sheet("Definitions")
    book.block(ws, 0, "定义与来源  Definitions and sources", f"ronghe {__version__}", DEF_COLS, fr.definitions,
               [NOTE_DEFS], freeze=2)
    try:
        book.wb.close()
    except OSError as exc:
        raise InputError(f"cannot write the workbook: {exc.strerror or exc}", file=str(path)) from exc
    return path


