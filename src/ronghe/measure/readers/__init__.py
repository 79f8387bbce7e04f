"""Recognise a published IO-table layout and read it: one entry point, ``read_tables``, for files or folders.

A file the user names must be readable, or the call fails with a one-line :class:`InputError`. Inside a
folder, files that are not IO tables (notes, other data) are reported through ``on_skip`` and passed over,
so ``ronghe data import shared/data/io`` imports everything it can.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ronghe.errors import InputError
from ronghe.measure.readers._sheets import open_workbook, text
from ronghe.measure.readers.bea import bea_kind, read_bea, year_sheets
from ronghe.measure.readers.generic import is_generic_folder, is_generic_workbook, read_generic
from ronghe.measure.readers.nbs import nbs_sheet, read_nbs
from ronghe.measure.readers.pymrio_io import VA_EXTENSION
from ronghe.measure.table import IOTable

__all__ = ["Source", "detect", "read_bea", "read_generic", "read_nbs", "read_tables"]

SkipHandler = Callable[[Path, str], None]
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
GENERIC_FILES = {"Z.csv", "Y.csv", "V.csv", "Z.parquet", "Y.parquet", "V.parquet"}
NOT_A_TABLE = ("BEA total requirements (a Leontief inverse), not an IO table: nothing to import "
               "(ronghe derives L from the Use and Make tables)")


@dataclass(frozen=True)
class Source:
    """A recognised input: its layout kind, the sheet or release it belongs to, and whether the user named it."""

    path: Path
    kind: str  # nbs | generic | bea-use | bea-make | bea-imports | bea-total-requirements
    release: str = ""  # BEA: 'before' / 'after' redefinitions, to pair Use with the Make of the same release
    explicit: bool = True


def detect(path: Path, *, explicit: bool = True) -> Source:
    """The layout of one file or folder; InputError if it is not an IO table ronghe can read."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    if path.is_dir():
        if is_generic_folder(path):
            return Source(path, "generic", explicit=explicit)
        if is_pymrio_folder(path):
            return Source(path, "pymrio", explicit=explicit)
        raise InputError("folder without Z, Y and V as .csv or .parquet (generic layout) and not a saved pymrio "
                         "system (file_parameters.json)", file=str(path))
    if path.name in GENERIC_FILES and is_generic_folder(path.parent):
        return Source(path.parent, "generic", explicit=explicit)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputError("not a recognised IO table file (expected an NBS or BEA workbook, or a generic "
                         "folder with Z, Y, V as .csv or .parquet)", file=str(path))
    workbook = open_workbook(path)
    names = list(workbook.sheet_names)
    years = year_sheets(workbook)
    if years:
        first = workbook.get_sheet_by_name(years[0]).to_python(nrows=1)
        title = text(first[0][0]) if first and first[0] else ""
        kind = bea_kind(title)
        if kind is not None:
            release = "after" if "after redefinitions" in title.lower() else "before"
            return Source(path, "bea-" + kind.replace("_", "-"), release, explicit)
    if is_generic_workbook(names):
        return Source(path, "generic", explicit=explicit)
    if nbs_sheet(workbook, path) is not None:
        return Source(path, "nbs", explicit=explicit)
    raise InputError("workbook holds no IO table ronghe recognises (looked for NBS codes 代码/TIU/GO, BEA "
                     "Use/Make/Import titles, or generic sheets Z, Y, V)", file=str(path))


def _expand(paths: Iterable[Path], on_skip: SkipHandler) -> list[Source]:
    sources: list[Source] = []
    for p in map(Path, paths):
        if p.is_dir() and not is_generic_folder(p) and not is_pymrio_folder(p):
            sources.extend(_walk(p, on_skip))
        else:
            sources.append(detect(p, explicit=True))
    unique: dict[Path, Source] = {}
    for s in sources:
        unique.setdefault(s.path.resolve(), s)
    return list(unique.values())


def _walk(folder: Path, on_skip: SkipHandler) -> list[Source]:
    found = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith((".", "~$")):
            continue
        if child.is_dir() and not is_generic_folder(child) and not is_pymrio_folder(child):
            found.extend(_walk(child, on_skip))
            continue
        try:
            found.append(detect(child, explicit=False))
        except InputError as exc:
            on_skip(child, exc.message)
    return found


def is_pymrio_folder(path: Path) -> bool:
    """A system saved with pymrio's ``IOSystem.save_all(path)``: a file_parameters.json at its top."""
    return path.is_dir() and (path / "file_parameters.json").is_file()


def read_pymrio_folder(path: Path) -> IOTable:
    """A saved pymrio system: national (one region) or multi-regional, checked for balance like every table."""
    from ronghe.measure.readers.pymrio_io import _pymrio, from_pymrio
    from ronghe.measure.regions import from_pymrio_mrio

    pymrio = _pymrio()
    try:
        io = pymrio.load_all(path)
    except Exception as exc:  # pymrio raises plain Exceptions/KeyErrors for damaged folders
        raise InputError(f"not a loadable pymrio system: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                         file=str(path)) from None
    table_id = re.sub(r"[^A-Za-z0-9._-]+", "-", str(getattr(io.meta, "name", "") or path.name)).strip("-") or "mrio"
    try:
        year = int(getattr(io.meta, "metadata", {}).get("year"))
    except (TypeError, ValueError):
        year = None
    regions = io.get_regions() if io.Z is not None or io.A is not None else []
    ext = "factor_inputs" if getattr(io, "factor_inputs", None) is not None else VA_EXTENSION
    if len(regions) > 1:
        return from_pymrio_mrio(io, table_id=table_id, value_added=ext, year=year)
    return from_pymrio(io, table_id=table_id, value_added=ext, year=year)


def _ignore(path: Path, reason: str) -> None:
    """Default skip handler: say nothing (the CLI passes one that prints)."""


def read_tables(paths: list[Path], table_id: str | None = None, *,
                on_skip: SkipHandler = _ignore) -> list[IOTable]:
    """Read every table in the given files and folders, with ids set (``table_id`` or the defaults)."""
    sources = _expand(paths, on_skip)
    tables: list[IOTable] = []
    for s in sources:
        if s.kind == "nbs":
            tables.append(read_nbs(s.path))
        elif s.kind == "generic":
            tables.append(read_generic(s.path))
        elif s.kind == "pymrio":
            tables.append(read_pymrio_folder(s.path))
        elif s.kind == "bea-total-requirements":
            if s.explicit:
                raise InputError(NOT_A_TABLE, file=str(s.path))
            on_skip(s.path, NOT_A_TABLE)
    tables.extend(_read_bea_releases([s for s in sources if s.kind in ("bea-use", "bea-make", "bea-imports")],
                                     on_skip))
    if not tables:
        raise InputError("no IO table found", file=", ".join(str(p) for p in paths))
    return _assign_ids(tables, table_id)


def _read_bea_releases(sources: list[Source], on_skip: SkipHandler) -> list[IOTable]:
    tables = []
    for release in sorted({s.release for s in sources}):
        group = [s for s in sources if s.release == release]
        by_kind = {k: [s for s in group if s.kind == k] for k in ("bea-use", "bea-make", "bea-imports")}
        problem = None
        if any(len(v) > 1 for v in by_kind.values()):
            kind = next(k for k, v in by_kind.items() if len(v) > 1)
            problem = f"several BEA {kind[4:]} tables of one release in one call; import each release separately"
        elif not by_kind["bea-use"] or not by_kind["bea-make"]:
            lacking = "Make" if by_kind["bea-use"] else "Use"
            problem = f"a BEA table needs the {lacking} table of the same release in the same call"
        if problem:
            if any(s.explicit for s in group):
                raise InputError(problem, file=", ".join(str(s.path) for s in group))
            for s in group:
                on_skip(s.path, problem)
            continue
        imports = by_kind["bea-imports"][0].path if by_kind["bea-imports"] else None
        tables.extend(read_bea(by_kind["bea-use"][0].path, by_kind["bea-make"][0].path, imports))
    return tables


def _assign_ids(tables: list[IOTable], table_id: str | None) -> list[IOTable]:
    if table_id is not None:
        if len(tables) == 1:
            tables = [tables[0].with_meta(id=table_id)]
        else:
            tables = [t.with_meta(id=f"{table_id}-{t.meta.year if t.meta.year else i + 1}")
                      for i, t in enumerate(tables)]
    seen: dict[str, IOTable] = {}
    for t in tables:
        if t.meta.id in seen:
            other = seen[t.meta.id]
            raise InputError(f"two tables would get the id {t.meta.id!r} ({', '.join(other.meta.source_files)} "
                             f"and {', '.join(t.meta.source_files)}); import them separately or with --id")
        seen[t.meta.id] = t
    return tables
