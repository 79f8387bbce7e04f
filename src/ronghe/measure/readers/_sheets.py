"""Cell-level helpers shared by the readers: open a workbook, name a cell, turn a block into numbers.

Every failure becomes an :class:`~ronghe.errors.InputError` that names the file, the sheet and the first
offending cell, because a user fixing a 150 × 170 sheet needs the address, not a stack trace.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from python_calamine import CalamineError, CalamineWorkbook

from ronghe.errors import InputError

Rows = list[list[Any]]

#: Cell texts that publishers use for "nothing here": BEA writes '...' for suppressed or zero cells.
EMPTY_MARKERS = ("", "...", "---", "-", "—")


def file_sha256(path: Path) -> str:
    """sha256 of a source file, recorded in the table's metadata so a stored table names its exact input."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_workbook(path: Path) -> CalamineWorkbook:
    """Open an xlsx with calamine (an order of magnitude faster than openpyxl on these tables)."""
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"not a readable Excel workbook (truncated or corrupt file?): {exc}",
                         file=str(path)) from None


def read_sheet(workbook: CalamineWorkbook, name: str, path: Path) -> Rows:
    """All cells of one sheet as Python values, padded to a rectangle."""
    try:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"cannot read the sheet: {exc}", file=str(path), sheet=name) from None
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]


def column_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) → 'cell C7' as Excel shows it."""
    return f"cell {column_letter(col)}{row + 1}"


def text(value: Any) -> str:
    """A label cell as stripped text ('' for empty); numeric codes such as 1101.0 lose their '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def to_numbers(rows: Rows, row_idx: Sequence[int], col_idx: Sequence[int], *, file: Path, sheet: str | None,
               what: str) -> np.ndarray:
    """The block rows × cols as float64; empty and '...' cells are 0, any other text is an error."""
    block = np.empty((len(row_idx), len(col_idx)), dtype=object)
    for i, r in enumerate(row_idx):
        src = rows[r]
        block[i, :] = [src[c] for c in col_idx]
    block[_is_empty(block).astype(bool)] = 0.0
    bad = ~_is_number(block).astype(bool)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"{what}: expected a number, found {str(block[i, j])[:40]!r}",
                         file=str(file), sheet=sheet, cell=cell_name(row_idx[i], col_idx[j]))
    return block.astype(np.float64)


_is_empty = np.frompyfunc(lambda v: v is None or (isinstance(v, str) and v.strip() in EMPTY_MARKERS), 1, 1)
_is_number = np.frompyfunc(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), 1, 1)


_YEAR = re.compile(r"(19|20)\d{2}")


def find_year(*texts: str) -> int | None:
    """The first plausible four-digit year in the given texts (title first, then the file name)."""
    for t in texts:
        m = _YEAR.search(t or "")
        if m:
            return int(m.group(0))
    return None
