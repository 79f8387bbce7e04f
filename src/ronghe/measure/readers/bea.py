"""BEA summary Use, Make and Import matrices → one symmetric industry × industry IOTable per year.

BEA publishes commodity × industry supply-use tables. ronghe's indicators need a symmetric table, so the
Use table is moved to industry × industry with the **industry-technology assumption** (fixed product-sales
structure: each commodity is sold in the same proportions whichever industry makes it), the assumption BEA
uses for its own industry-by-industry requirement tables:

    D = M·q̂⁻¹        market shares (industry × commodity), M = Make, q = commodity output
    Z = D·U          U = intermediate use (commodity × industry)
    Y = D·E          E = final uses by commodity, incl. exports F040 and imports F050 (negative)
    V = value-added rows of the Use table; x = industry output g

Column sums of D are 1, so 1'Z + 1'V = 1'U + V = g, and Z·1 + Y·1 = D·q = M·1 = g: the table balances
whenever the published Use and Make balance. ``Used`` (scrap, second-hand goods) and ``Other``
(noncomparable imports, rest-of-world adjustment) are commodities like any other here.

The Import matrix (imported commodities by user) goes through the same D and is kept as the extensions
``imports_use`` (n × n) and ``imports_final`` (n × final-use columns; its F050 column is minus imports), so
Z − imports_use and Y − imports_final give the domestic-only table, which still balances.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ronghe.errors import InputError
from ronghe.measure.readers._sheets import Rows, file_sha256, open_workbook, read_sheet, text, to_numbers
from ronghe.measure.table import IOTable, TableMeta

_FINAL_USE = re.compile(r"^F\d")
_VALUE_ADDED = re.compile(r"^V\d{3}$")
HEADER_ROWS = 10

#: Table kinds by the title BEA prints in cell A1 of every year sheet.
TITLES = {
    "use": "the use of commodities by industries",
    "make": "the make of commodities by industries",
    "imports": "import matrix",
    "total_requirements": "total requirements",
}


def bea_kind(title: str) -> str | None:
    """'use', 'make', 'imports' or 'total_requirements' from a sheet title, else None."""
    t = title.lower()
    return next((kind for kind, marker in TITLES.items() if marker in t), None)


def year_sheets(workbook) -> list[str]:
    return [s for s in workbook.sheet_names if re.fullmatch(r"(19|20)\d{2}", s.strip())]


@dataclass
class _Matrix:
    """One commodity-by-industry style sheet: numeric block plus its row and column codes."""

    data: np.ndarray
    rows: list[str]
    cols: list[str]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.data, index=self.rows, columns=self.cols)


def _header_row(rows: Rows, path: Path, sheet: str) -> int:
    for r, row in enumerate(rows[:HEADER_ROWS]):
        if text(row[0]) in ("IOCode", "Code") and r > 0:
            return r - 1  # codes sit one row above the names row that starts with 'IOCode'
    raise InputError("no IOCode header row (BEA layout)", file=str(path), sheet=sheet)


def _body(rows: Rows, hr: int) -> tuple[list[int], list[str]]:
    """Rows that carry a code in column A, from below the header to the first blank code (the totals)."""
    out, codes = [], []
    for r in range(hr + 2, len(rows)):
        code = text(rows[r][0])
        if not code:
            break
        out.append(r)
        codes.append(code)
    return out, codes


def _read_use_like(rows: Rows, path: Path, sheet: str, industries: list[str] | None = None):
    """Use or Import sheet → (intermediate, final, value-added rows, industry output, industry names)."""
    hr = _header_row(rows, path, sheet)
    header = [text(v) for v in rows[hr]]
    ind_cols = []
    for c in range(2, len(header)):
        if not header[c] or header[c].startswith("T0") or _FINAL_USE.match(header[c]):
            break
        ind_cols.append(c)
    fu_cols = [c for c in range(2, len(header)) if _FINAL_USE.match(header[c])]
    body, codes = _body(rows, hr)
    ind_codes = [header[c] for c in ind_cols]
    if industries is not None and sorted(ind_codes) != sorted(industries):
        raise InputError("its industries differ from the Use table's", file=str(path), sheet=sheet)
    U = _Matrix(to_numbers(rows, body, ind_cols, file=path, sheet=sheet, what="intermediate use"), codes, ind_codes)
    E = _Matrix(to_numbers(rows, body, fu_cols, file=path, sheet=sheet, what="final use"), codes,
                [header[c] for c in fu_cols])
    names = {header[c]: text(rows[hr + 1][c]) for c in ind_cols + fu_cols}
    va_rows = [r for r in range(body[-1] + 1 if body else hr + 2, len(rows)) if _VALUE_ADDED.match(text(rows[r][0]))]
    out_row = next((r for r in range(hr + 2, len(rows)) if text(rows[r][1]).lower() == "total industry output"), None)
    V = g = None
    if va_rows:
        V = _Matrix(to_numbers(rows, va_rows, ind_cols, file=path, sheet=sheet, what="value added"),
                    [text(rows[r][0]) for r in va_rows], ind_codes)
        names.update({text(rows[r][0]): text(rows[r][1]) for r in va_rows})
    if out_row is not None:
        g = to_numbers(rows, [out_row], ind_cols, file=path, sheet=sheet, what="total industry output")[0]
    return U, E, V, g, names


def _read_make(rows: Rows, path: Path, sheet: str) -> tuple[_Matrix, np.ndarray]:
    """Make sheet → (industry × commodity block, commodity output q)."""
    hr = _header_row(rows, path, sheet)
    header = [text(v) for v in rows[hr]]
    com_cols = []
    for c in range(2, len(header)):
        if not header[c]:
            break
        com_cols.append(c)
    body, codes = _body(rows, hr)
    q_row = next((r for r in range(hr + 2, len(rows)) if text(rows[r][1]).lower() == "total commodity output"), None)
    if q_row is None:
        raise InputError("no 'Total Commodity Output' row", file=str(path), sheet=sheet)
    M = _Matrix(to_numbers(rows, body, com_cols, file=path, sheet=sheet, what="make"), codes,
                [header[c] for c in com_cols])
    q = to_numbers(rows, [q_row], com_cols, file=path, sheet=sheet, what="total commodity output")[0]
    return M, q


def read_bea(use: Path | str, make: Path | str, imports: Path | str | None = None,
             *, years: list[int] | None = None) -> list[IOTable]:
    """Read a BEA summary release (Use + Make [+ Import matrices]) into one checked table per year."""
    use, make = Path(use), Path(make)
    imports = Path(imports) if imports else None
    wb_use, wb_make = open_workbook(use), open_workbook(make)
    wb_imp = open_workbook(imports) if imports else None
    sheets = year_sheets(wb_use)
    missing = [s for s in sheets if s not in year_sheets(wb_make)]
    if missing:
        raise InputError(f"the Make table has no sheet for year {missing[0]}", file=str(make))
    if wb_imp is not None:
        missing = [s for s in sheets if s not in year_sheets(wb_imp)]
        if missing:
            raise InputError(f"the Import matrices have no sheet for year {missing[0]}", file=str(imports))
    if years is not None:
        sheets = [s for s in sheets if int(s) in set(years)]
    sources = [p for p in (use, make, imports) if p is not None]
    shas = tuple(file_sha256(p) for p in sources)
    tables = []
    for sheet in sheets:
        table = _year(sheet, use, make, imports, wb_use, wb_make, wb_imp)
        table = table.with_meta(source_files=tuple(p.name for p in sources), sha256=shas)
        table.check(source=f"{use}: sheet '{sheet}'")
        tables.append(table)
    return tables


def _year(sheet, use, make, imports, wb_use, wb_make, wb_imp) -> IOTable:
    U, E, V, g, names = _read_use_like(read_sheet(wb_use, sheet, use), use, sheet)
    if V is None or g is None:
        raise InputError("no value-added rows (V001 …) or no 'Total Industry Output' row", file=str(use),
                         sheet=sheet)
    M, q = _read_make(read_sheet(wb_make, sheet, make), make, sheet)
    industries = U.cols
    if sorted(M.rows) != sorted(industries):
        raise InputError("the Make table's industries differ from the Use table's", file=str(make), sheet=sheet)
    if sorted(M.cols) != sorted(U.rows):
        raise InputError("the Make table's commodities differ from the Use table's rows", file=str(make),
                         sheet=sheet)
    Mf = M.frame().reindex(index=industries, columns=U.rows)
    qs = pd.Series(q, index=M.cols).reindex(U.rows).to_numpy()
    if (qs <= 0).any():
        bad = U.rows[int(np.argmax(qs <= 0))]
        raise InputError(f"commodity {bad!r} has no positive total output, so its market shares are undefined",
                         file=str(make), sheet=sheet)
    D = Mf.to_numpy() / qs[np.newaxis, :]
    idx = pd.Index(industries, name="industry")
    Z = pd.DataFrame(D @ U.data, index=idx, columns=idx)
    Y = pd.DataFrame(D @ E.data, index=idx, columns=E.cols)
    Vdf = pd.DataFrame(V.data, index=pd.Index(V.rows, name="value_added"), columns=idx)
    extensions = {}
    if wb_imp is not None:
        Ui, Ei, _, _, _ = _read_use_like(read_sheet(wb_imp, sheet, imports), imports, sheet, industries)
        Ui_f = Ui.frame().reindex(index=U.rows, columns=industries, fill_value=0.0)
        Ei_f = Ei.frame().reindex(index=U.rows, columns=E.cols, fill_value=0.0)
        extensions["imports_use"] = pd.DataFrame(D @ Ui_f.to_numpy(), index=idx, columns=idx)
        extensions["imports_final"] = pd.DataFrame(D @ Ei_f.to_numpy(), index=idx, columns=E.cols)
    year = int(sheet)
    meta = TableMeta(
        id=f"bea-us-{year}",
        publisher="BEA",
        country="USA",
        year=year,
        unit="millions of USD",
        currency="USD",
        unit_factor=1e6,
        price_basis="producers' prices",
        layout="bea-summary",
        classification="bea-summary",
        notes="industry × industry from Use/Make before redefinitions, industry-technology assumption "
              "(D = Make·q̂⁻¹; Z = D·U, Y = D·E)",
        extra={"final_use_names": {c: names.get(c, c) for c in E.cols},
               "value_added_names": {r: names.get(r, r) for r in V.rows}},
    )
    return IOTable(
        Z=Z, Y=Y, V=Vdf, meta=meta,
        sector_names=pd.Series([names.get(c, c) for c in industries], index=idx, name="name"),
        export_column="F040" if "F040" in E.cols else None,
        published_x=pd.Series(g, index=idx, name="industry_output"),
        extensions=extensions,
    )


def read_total_requirements(path: Path | str, year: int) -> pd.DataFrame:
    """BEA's industry-by-industry total requirements for one year (used to validate our L)."""
    path = Path(path)
    sheet = str(year)
    rows = read_sheet(open_workbook(path), sheet, path)
    hr = _header_row(rows, path, sheet)
    header = [text(v) for v in rows[hr]]
    cols = [c for c in range(2, len(header)) if header[c]]
    body, codes = _body(rows, hr)
    data = to_numbers(rows, body, cols, file=path, sheet=sheet, what="total requirements")
    return pd.DataFrame(data, index=codes, columns=[header[c] for c in cols])
