"""NBS China national IO tables (全国投入产出表), competitive-import product × product, as published in xlsx.

Blocks are found by the codes NBS prints, never by cell positions, so a table with another sector count
(the 2023 table is expected to have about 211 products) reads the same way:

- the header row is the row carrying the column codes (``TIU`` … ``GO``), ``代码`` marks the code column;
- sector rows run from the header row to ``TII``; their codes, repeated in the header row, are the columns;
- value added is the ``VA…`` rows below ``TII``; final use is every code after the sector columns and before
  ``GO`` that is not a subtotal (TIU, THC, TC, GCF, TFU); ``IM`` (entered positive) becomes a negative column,
  so that x = Z·1 + Y·1.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from ronghe.errors import InputError
from ronghe.measure.readers._sheets import (
    Rows,
    file_sha256,
    find_year,
    open_workbook,
    read_sheet,
    text,
    to_numbers,
)
from ronghe.measure.table import IOTable, TableMeta

#: The table at producers' prices inside NBS compilation workbooks (2018): read by name, never by index.
PREFERRED_SHEETS = ("生产价投入产出表",)
#: Subtotal columns of the final-use block; every other code between TIU and GO is a final-use category.
SUBTOTALS = frozenset({"TIU", "THC", "TC", "GCF", "TFU"})
HEADER_SCAN_ROWS = 30
_VA_CODE = re.compile(r"^VA\d+$")
UNIT_FACTORS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}


def _is_header(labels: list[str] | set[str]) -> bool:
    """The row of column codes: it ends in GO (总产出) and carries TIU (中间使用合计) or the 代码 label."""
    return "GO" in labels and ("TIU" in labels or "代码" in labels)


def find_header(rows: Rows) -> tuple[int, int] | None:
    """(header row, code column) of an NBS table, or None when the sheet carries no NBS markers."""
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = [text(v) for v in row]
        if _is_header(labels):
            if "代码" in labels:
                return r, labels.index("代码")
            # No 代码 label: the code column is the one holding TII further down.
            for below in rows[r + 1:]:
                for c, v in enumerate(below):
                    if text(v) == "TII":
                        return r, c
    return None


def nbs_sheet(workbook, path: Path) -> str | None:
    """The sheet holding the NBS table: a preferred name first, then the first sheet with the markers."""
    names = list(workbook.sheet_names)
    ordered = [n for n in PREFERRED_SHEETS if n in names] + [n for n in names if n not in PREFERRED_SHEETS]
    for name in ordered:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(nrows=HEADER_SCAN_ROWS)
        except (CalamineError, ValueError):  # a chart sheet or an unreadable sheet is simply not the table
            continue
        width = max((len(r) for r in rows), default=0)
        rows = [r + [""] * (width - len(r)) for r in rows]
        if any(_is_header({text(v) for v in r}) for r in rows):
            return name
    return None


def read_nbs(path: Path | str, *, sheet: str | None = None) -> IOTable:
    """Read one NBS national table; the result is checked (rows and columns balance, GO matches)."""
    path = Path(path)
    workbook = open_workbook(path)
    sheet = sheet or nbs_sheet(workbook, path)
    if sheet is None:
        raise InputError("no sheet carries the NBS markers (a header row with TIU … GO)", file=str(path))
    rows = read_sheet(workbook, sheet, path)
    table = _parse(rows, path, sheet)
    table.check(source=f"{path}: sheet '{sheet}'")
    return table


def _parse(rows: Rows, path: Path, sheet: str) -> IOTable:
    where = {"file": str(path), "sheet": sheet}
    found = find_header(rows)
    if found is None:
        raise InputError("no header row with the column codes TIU … GO", **where)
    hr, cc = found
    header = [text(v) for v in rows[hr]]
    go = header.index("GO")
    codes = [text(r[cc]) for r in rows]
    try:
        tii = codes.index("TII", hr + 1)
    except ValueError:
        raise InputError("no TII (中间投入合计) row in the code column", **where) from None
    sector_rows = [r for r in range(hr + 1, tii) if codes[r]]
    row_codes = [codes[r] for r in sector_rows]
    if not row_codes:
        raise InputError("no sector rows between the header row and TII", **where)
    first = header.index(row_codes[0]) if row_codes[0] in header else -1
    col_codes = header[first:first + len(row_codes)] if first > cc else []
    if col_codes != row_codes:
        diff = next((i for i, (a, b) in enumerate(zip(row_codes, col_codes, strict=False)) if a != b),
                    min(len(row_codes), len(col_codes)))
        raise InputError(f"the intermediate block's column codes do not repeat its row codes in order (first "
                         f"difference at sector {diff + 1}, row code {row_codes[min(diff, len(row_codes) - 1)]!r})",
                         **where)
    sector_cols = list(range(first, first + len(row_codes)))
    after = range(sector_cols[-1] + 1, go)
    fu_cols = [c for c in after if header[c] and header[c] not in SUBTOTALS and header[c] != "IM"]
    im_cols = [c for c in after if header[c] == "IM"]
    va_rows = [r for r in range(tii + 1, len(rows)) if _VA_CODE.match(codes[r])]
    if not va_rows:
        raise InputError("no value-added rows (VA001 …) below TII", **where)

    Z = to_numbers(rows, sector_rows, sector_cols, file=path, sheet=sheet, what="intermediate use")
    F = to_numbers(rows, sector_rows, fu_cols, file=path, sheet=sheet, what="final use")
    Vv = to_numbers(rows, va_rows, sector_cols, file=path, sheet=sheet, what="value added")
    go_x = to_numbers(rows, sector_rows, [go], file=path, sheet=sheet, what="total output (GO)")[:, 0]

    sectors = pd.Index(row_codes, name="sector")
    Y = pd.DataFrame(F, index=sectors, columns=[header[c] for c in fu_cols])
    if im_cols:
        im = to_numbers(rows, sector_rows, im_cols, file=path, sheet=sheet, what="imports (IM)")[:, 0]
        Y["IM"] = -im
    names = pd.Series([text(rows[r][cc - 1]) if cc > 0 else "" for r in sector_rows], index=sectors, name="name")
    va_index = pd.Index([codes[r] for r in va_rows], name="value_added")
    meta = _meta(rows, path, sheet, len(sectors))
    Zf = pd.DataFrame(Z, index=sectors, columns=sectors)
    return IOTable(
        Z=Zf,
        Y=Y,
        V=pd.DataFrame(Vv, index=va_index, columns=sectors),
        meta=meta,
        sector_names=names,
        export_column="EX" if "EX" in Y.columns else None,
        published_x=pd.Series(go_x, index=sectors, name="GO"),
        extensions=import_blocks(Zf, Y) if "IM" in Y.columns else {},
    )


#: How the NBS import-use blocks are derived: the table is competitive-import and publishes imports by product only.
IMPORT_SPLIT = ("NBS publishes imports by product only (column IM): the import-use blocks assume every user of "
                "product i buys the same imported share m_i = imports_i / (intermediate use_i + domestic final "
                "use_i), exports excluded (the usual import-proportionality "
                "assumption)")


def import_blocks(Z: pd.DataFrame, Y: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``imports_use`` = m̂·Z and ``imports_final`` = m̂·Y (domestic final-use columns; IM itself), as BEA's.

    Z − imports_use and Y − imports_final is then the domestic-only (non-competitive) table; it balances,
    because its IM column is zero and each row loses exactly its imports.
    """
    domestic_final = [c for c in Y.columns if c not in ("EX", "IM")]
    use = Z.to_numpy().sum(axis=1) + Y[domestic_final].to_numpy().sum(axis=1)
    imports = -Y["IM"].to_numpy()
    m = np.divide(imports, use, out=np.zeros_like(use), where=use > 0).clip(0.0, 1.0)
    final = Y.mul(m, axis=0)
    final["EX"] = 0.0
    final["IM"] = Y["IM"]
    return {"imports_use": Z.mul(m, axis=0), "imports_final": final[list(Y.columns)]}


def _meta(rows: Rows, path: Path, sheet: str, n: int) -> TableMeta:
    top = [text(v) for r in rows[:5] for v in r if text(v)]
    year = find_year(*top[:1], path.stem, *top[1:])
    unit = "万元"
    for t in top:
        if t.startswith("单位"):
            unit = t.split("：")[-1].split(":")[-1].strip() or unit
    if unit not in UNIT_FACTORS:
        raise InputError(f"unknown unit {unit!r} (expected one of {', '.join(UNIT_FACTORS)})",
                         file=str(path), sheet=sheet)
    purchasers = any("购买者价格" in t for t in top)
    scheme = f"nbs-{n}"
    return TableMeta(
        id=f"nbs-cn-{year}" if year else f"nbs-cn-{path.stem}",
        publisher="NBS",
        country="CHN",
        year=year,
        unit=unit,
        currency="CNY",
        unit_factor=UNIT_FACTORS[unit],
        price_basis="purchasers' prices" if purchasers else "producers' prices",
        layout=scheme,
        classification=scheme,
        source_files=(path.name,),
        sha256=(file_sha256(path),),
        notes=f"sheet {sheet}",
        extra={"title": top[0] if top else "", "imports_split": IMPORT_SPLIT},
    )
