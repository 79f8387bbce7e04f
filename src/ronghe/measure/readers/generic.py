"""The generic layout: Z, Y and V as CSV or Parquet files in a folder, or as sheets of one xlsx (docs/data-formats.md).

For tables no publisher-specific reader knows (a regional table, a table a user aggregated by hand).
Total output is derived as x = Z·1 + Y·1 and checked against 1'Z + 1'V and, if given, against ``x.csv``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ronghe.errors import InputError
from ronghe.measure.readers._sheets import file_sha256, open_workbook, read_sheet, text, to_numbers
from ronghe.measure.table import IOTable, TableMeta

BLOCKS = ("Z", "Y", "V")
EXPORT_NAMES = ("ex", "exports", "export")
IMPORT_NAMES = ("im", "imports", "import")
#: The second column of a multi-regional block: Z and Y rows are (region, sector).
REGION_ROW_NAMES = ("sector", "code", "product", "industry")
META_KEYS = {"id", "publisher", "country", "year", "unit", "currency", "unit_factor", "price_basis",
             "classification", "notes"}


SUFFIXES = (".csv", ".parquet")


def folder_suffix(path: Path) -> str | None:
    """'.csv' or '.parquet' when the folder holds Z, Y and V in that format (CSV first), else None."""
    if not path.is_dir():
        return None
    return next((s for s in SUFFIXES if all((path / f"{b}{s}").is_file() for b in BLOCKS)), None)


def is_generic_folder(path: Path) -> bool:
    return folder_suffix(path) is not None


def is_generic_workbook(sheet_names: list[str]) -> bool:
    return all(b in sheet_names for b in BLOCKS)


def read_generic(path: Path | str) -> IOTable:
    """Read a generic folder or xlsx and check its balance (relative tolerance ``table.BALANCE_RTOL``)."""
    path = Path(path)
    if path.is_dir():
        blocks, x, meta_raw, sources = _from_folder(path)
    else:
        blocks, x, meta_raw, sources = _from_workbook(path)
    Z, Y, V = blocks
    _check_labels(Z, Y, V, path)
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "table"
    meta = _meta(meta_raw, slug, sources, path)
    export = next((c for c in Y.columns if str(c).strip().lower() in EXPORT_NAMES), None)
    regional = _regional(Z, Y, path)
    if regional:
        meta = replace(meta, layout="mrio", extra={**meta.extra, **regional.pop("extra")})
        export = None
    table = IOTable(Z=Z, Y=Y, V=V, meta=meta, export_column=export,
                    published_x=x.reindex(Z.index) if x is not None else None, **regional)
    table.check(source=str(path))
    return table


def _regional(Z: pd.DataFrame, Y: pd.DataFrame, path: Path) -> dict[str, Any]:
    """regions / final_demand_regions of a block read with a region column, checked: one sector list for all."""
    regions = Z.attrs.get("regions")
    if regions is None:
        return {}
    from ronghe.measure.regions import check_same_sectors

    codes = [str(c) for c in Z.index]
    check_same_sectors(codes, regions, source=str(path))
    yreg = [str(c).split("/", 1)[0] if "/" in str(c) else "" for c in Y.columns]
    missing = [c for c, r in zip(Y.columns, yreg, strict=True) if not r]
    if missing:
        raise InputError(f"Y: column {missing[0]!r} does not name its region (expected REGION/category)",
                         file=str(path))
    cats = [str(c).split("/", 1)[1] for c in Y.columns]
    extra = {"export_columns": [str(c) for c, k in zip(Y.columns, cats, strict=True)
                                if k.strip().lower() in EXPORT_NAMES],
             "import_columns": [str(c) for c, k in zip(Y.columns, cats, strict=True)
                                if k.strip().lower() in IMPORT_NAMES]}
    return {"regions": pd.Series(regions, index=Z.index),
            "final_demand_regions": pd.Series(yreg, index=Y.columns), "extra": extra}


def _from_folder(folder: Path):
    suffix = folder_suffix(folder) or ".csv"
    read = _read_csv if suffix == ".csv" else _read_parquet
    frames = tuple(read(folder / f"{b}{suffix}") for b in BLOCKS)
    x = None
    if (folder / f"x{suffix}").is_file():
        xf = read(folder / f"x{suffix}")
        x = xf.iloc[:, 0]
    meta_raw: dict[str, Any] = {}
    if (folder / "meta.json").is_file():
        try:
            meta_raw = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not valid JSON: {exc}", file=str(folder / "meta.json")) from None
    names = [*(f"{b}{suffix}" for b in BLOCKS), f"x{suffix}", "meta.json"]
    sources = [folder / n for n in names if (folder / n).is_file()]
    return frames, x, meta_raw, sources


def _read_csv(path: Path) -> pd.DataFrame:
    """A labelled numeric block; text in a numeric cell is reported with its CSV line and column."""
    try:
        raw = pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV table: {str(exc).splitlines()[0]}", file=str(path)) from None
    raw = _region_rows(raw)
    regions = raw.attrs.get("regions")
    out = _numbers(raw, path, lambda i: f"line {i + 2}")
    if regions is not None:
        out.attrs["regions"] = regions
    return out


def _region_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows labelled by a ``region`` column and a ``sector`` column: codes become ``REGION/sector``."""
    first = str(raw.index.name or "").strip().lower()
    if first != "region" or not len(raw.columns) or str(raw.columns[0]).strip().lower() not in REGION_ROW_NAMES:
        return raw
    regions = [str(r).strip() for r in raw.index]
    codes = [f"{r}/{str(c).strip()}" for r, c in zip(regions, raw.iloc[:, 0], strict=True)]
    out = raw.iloc[:, 1:].copy()
    out.index = pd.Index(codes, name="sector")
    out.attrs["regions"] = regions
    return out


def _numbers(raw: pd.DataFrame, path: Path, cell: Any) -> pd.DataFrame:
    """Labels stripped; text cleaned as in published tables (thousands commas, '…'/'-' for zero); every cell
    a number, or an InputError naming the first cell that is not (row, column and ``cell(i)``)."""
    raw.index = raw.index.map(lambda v: str(v).strip())
    raw.columns = raw.columns.map(lambda v: str(v).strip())
    values = raw.apply(lambda s: s.str.strip().str.replace(",", "", regex=False))
    values = values.replace({"": "0", "...": "0", "---": "0", "-": "0"})
    numbers = values.apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().to_numpy()
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"expected a number, found {raw.iat[i, j]!r} (row {raw.index[i]!r}, column "
                         f"{raw.columns[j]!r})", file=str(path), cell=cell(i))
    return numbers.astype(float)


def _read_parquet(path: Path) -> pd.DataFrame:
    """A labelled numeric block from Parquet: the pandas index, or else the first text column, labels the rows.

    Cells go through the CSV checks (a text column is refused at its first non-number, named as in CSV);
    a null cell counts as 0, like an empty CSV cell.
    """
    try:
        import pyarrow.parquet as pq

        frame = pq.read_table(path).to_pandas()
    except ImportError:
        raise InputError("reading Parquet needs pyarrow (pip install pyarrow)", file=str(path)) from None
    except Exception as exc:  # pyarrow raises its own ArrowInvalid/OSError family for damaged files
        raise InputError(f"not a readable Parquet table: {str(exc).splitlines()[0]}", file=str(path)) from None
    if isinstance(frame.index, pd.RangeIndex) and len(frame.columns) and not pd.api.types.is_numeric_dtype(
            frame[frame.columns[0]]):
        frame = frame.set_index(frame.columns[0])
    frame = _region_rows(frame)
    regions = frame.attrs.get("regions")
    frame.index = frame.index.map(lambda v: str(v).strip())
    frame.columns = frame.columns.map(lambda v: str(v).strip())
    text_cols = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text_cols:  # only these go through the CSV's cell-by-cell parsing (a 10,000-column block stays fast)
        raw = frame[text_cols].apply(lambda s: s.map(lambda v: "" if v is None or v != v else str(v)))
        frame[text_cols] = _numbers(raw, path, lambda i: f"row {i + 1}")
    out = frame.astype(float).fillna(0.0)
    if regions is not None:
        out.attrs["regions"] = regions
    return out


def _from_workbook(path: Path):
    wb = open_workbook(path)
    names = list(wb.sheet_names)
    missing = [b for b in BLOCKS if b not in names]
    if missing:
        raise InputError(f"no sheet named {missing[0]!r} (the generic layout needs sheets Z, Y and V)",
                         file=str(path))
    frames = tuple(_sheet_frame(read_sheet(wb, b, path), path, b) for b in BLOCKS)
    x = None
    if "x" in names:
        x = _sheet_frame(read_sheet(wb, "x", path), path, "x").iloc[:, 0]
    meta_raw: dict[str, Any] = {}
    if "meta" in names:
        for row in read_sheet(wb, "meta", path):
            if len(row) >= 2 and text(row[0]):
                meta_raw[text(row[0])] = row[1]
    return frames, x, meta_raw, [path]


def _sheet_frame(rows, path: Path, sheet: str) -> pd.DataFrame:
    if len(rows) < 2 or len(rows[0]) < 2:
        raise InputError("sheet is empty: expected a header row and a label column", file=str(path), sheet=sheet)
    cols = [c for c in range(1, len(rows[0])) if text(rows[0][c])]
    body = [r for r in range(1, len(rows)) if text(rows[r][0])]
    data = to_numbers(rows, body, cols, file=path, sheet=sheet, what=f"block {sheet}")
    return pd.DataFrame(data, index=[text(rows[r][0]) for r in body], columns=[text(rows[0][c]) for c in cols])


def _check_labels(Z: pd.DataFrame, Y: pd.DataFrame, V: pd.DataFrame, path: Path) -> None:
    sectors = list(Z.index)
    for what, labels in (("Z: column labels", list(Z.columns)), ("Y: row labels", list(Y.index)),
                         ("V: column labels", list(V.columns))):
        if labels != sectors:
            pos = next((i for i, (a, b) in enumerate(zip(sectors, labels, strict=False)) if a != b),
                       min(len(sectors), len(labels)))
            found = repr(labels[pos]) if pos < len(labels) else "nothing"
            expected = repr(sectors[pos]) if pos < len(sectors) else "nothing"
            raise InputError(f"{what} must be Z's row labels in the same order; at position {pos + 1} found "
                             f"{found}, expected {expected}", file=str(path))


def _meta(raw: dict[str, Any], slug: str, sources: list[Path], path: Path) -> TableMeta:
    unknown = set(raw) - META_KEYS
    if unknown:
        raise InputError(f"unknown meta key {sorted(unknown)[0]!r} (known: {', '.join(sorted(META_KEYS))})",
                         file=str(path))
    try:
        year = int(raw["year"]) if raw.get("year") not in (None, "") else None
        factor = float(raw.get("unit_factor", 1.0) or 1.0)
    except (TypeError, ValueError):
        raise InputError("meta: year must be an integer and unit_factor a number", file=str(path)) from None
    return TableMeta(
        id=str(raw.get("id") or slug),
        publisher=str(raw.get("publisher", "user")),
        country=str(raw.get("country", "")),
        year=year,
        unit=str(raw.get("unit", "")),
        currency=str(raw.get("currency", "")),
        unit_factor=factor,
        price_basis=str(raw.get("price_basis", "producers' prices")),
        layout="generic",
        classification=str(raw.get("classification", "generic")),
        source_files=tuple(p.name for p in sources),
        sha256=tuple(file_sha256(p) for p in sources),
        notes=str(raw.get("notes", "")),
    )
