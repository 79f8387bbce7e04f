"""The arrays of a table as the indicators read them: from memory, or streamed from the store without pandas.

Why streamed: at thousands of sectors Z is most of the memory. The indicators need Z only for row and
column sums, a few weighted row sums and (I − A); a pass over Z in row blocks read from ``Z.npy`` gives all of
them while the only n×n array held is the factor (float32 when mixed precision is used), and each refinement
step of the mixed-precision solve is one more pass (the file stays in the page cache). A 10,000-sector table
then needs 0.4 GiB instead of the 1.6 GiB of Z plus a float64 factor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ronghe.measure.meta import TableMeta

#: Rows per block of a pass over Z.npy: 8 MiB at 4,000 sectors, 20 MiB at 10,000.
BLOCK_BYTES = 16 * 2**20


class ZSource:
    """The intermediate block Z, passed over in row blocks."""

    n: int

    def blocks(self) -> Iterator[tuple[int, int, np.ndarray]]:
        raise NotImplementedError

    def array(self) -> np.ndarray:
        raise NotImplementedError


class ArrayZ(ZSource):
    """Z already in memory: one block, the array itself."""

    def __init__(self, Z: np.ndarray) -> None:
        self.Z = np.asarray(Z, dtype=np.float64)
        self.n = self.Z.shape[0]

    def blocks(self) -> Iterator[tuple[int, int, np.ndarray]]:
        yield 0, self.n, self.Z

    def array(self) -> np.ndarray:
        return self.Z


class NpyZ(ZSource):
    """Z read from a float64 ``.npy`` file block by block into one reused buffer (never mapped whole)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read(fh)
            self.offset = fh.tell()
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(f"{path}: expected a square array, got shape {shape}")
        self.n = shape[0]
        # stores written before rows were streamed hold Z in Fortran order: read those whole, as before
        self.streamable = not fortran and dtype == np.dtype("<f8")
        self.rows = max(1, BLOCK_BYTES // (8 * max(self.n, 1)))

    def blocks(self) -> Iterator[tuple[int, int, np.ndarray]]:
        if not self.streamable:
            yield 0, self.n, np.asarray(self.array(), dtype=np.float64)
            return
        buf = np.empty((self.rows, self.n))
        with open(self.path, "rb", buffering=0) as fh:
            fh.seek(self.offset)
            for i0 in range(0, self.n, self.rows):
                i1 = min(self.n, i0 + self.rows)
                view = buf[: i1 - i0]
                fh.readinto(memoryview(view).cast("B"))
                yield i0, i1, view

    def array(self) -> np.ndarray:
        return np.load(self.path, allow_pickle=False)


@dataclass
class TableBlocks:
    """One table's arrays and labels, without pandas: what :func:`ronghe.measure.fusion.indicators_of` reads."""

    meta: TableMeta
    codes: list[str]
    names: list[str] | None
    Z: ZSource
    Y: np.ndarray
    V: np.ndarray
    final_demand: list[str]
    value_added: list[str]
    export_column: str | None
    #: imports_use (n×n) and imports_final (n×k, Y's columns) where the table has them: the domestic-only table
    extensions: dict[str, np.ndarray] = field(default_factory=dict)
    regions: list[str] | None = None  # multi-regional tables: region of each sector
    final_demand_regions: list[str] | None = None  # … and of each final-demand column

    @property
    def n(self) -> int:
        return self.Z.n


def from_table(table: Any) -> TableBlocks:
    """The blocks of an in-memory :class:`~ronghe.measure.table.IOTable`."""
    names = table.names()
    ext = {}
    if {"imports_use", "imports_final"} <= set(table.extensions):
        ext["imports_use"] = table.extensions["imports_use"].reindex(
            index=table.sectors, columns=table.sectors, fill_value=0.0).to_numpy(dtype=float)
        ext["imports_final"] = table.extensions["imports_final"].reindex(
            index=table.sectors, columns=table.Y.columns, fill_value=0.0).to_numpy(dtype=float)
    return TableBlocks(
        meta=table.meta, codes=[str(c) for c in table.sectors], names=[str(v) for v in names.to_numpy()],
        Z=ArrayZ(table.Z.to_numpy(dtype=float)), Y=table.Y.to_numpy(dtype=float), V=table.V.to_numpy(dtype=float),
        final_demand=[str(c) for c in table.Y.columns], value_added=[str(r) for r in table.V.index],
        export_column=table.export_column, extensions=ext,
        regions=None if table.regions is None else [str(r) for r in table.regions.reindex(table.sectors)],
        final_demand_regions=None if table.final_demand_regions is None
        else [str(r) for r in table.final_demand_regions.reindex(table.Y.columns)])


def _stored_import_blocks(folder: Path, labels: dict[str, Any]) -> dict[str, np.ndarray]:
    spec = labels.get("extensions", {})
    if not {"imports_use", "imports_final"} <= set(spec):
        return {}
    codes, cols = labels["sectors"], labels["final_demand"]

    def aligned(name: str, rows: list[str], columns: list[str]) -> np.ndarray:
        block = np.load(folder / f"ext-{name}.npy", allow_pickle=False)
        r = {c: i for i, c in enumerate(spec[name]["index"])}
        c = {c: i for i, c in enumerate(spec[name]["columns"])}
        out = np.zeros((len(rows), len(columns)))
        ri = [r.get(x) for x in rows]
        ci = [c.get(x) for x in columns]
        keep_r = [i for i, v in enumerate(ri) if v is not None]
        keep_c = [j for j, v in enumerate(ci) if v is not None]
        out[np.ix_(keep_r, keep_c)] = block[np.ix_([ri[i] for i in keep_r], [ci[j] for j in keep_c])]
        return out

    return {"imports_use": aligned("imports_use", codes, codes), "imports_final": aligned("imports_final", codes, cols)}


def from_store_folder(folder: Path) -> TableBlocks:
    """The blocks of a stored table: labels from JSON, Y and V loaded, Z left on disk to be streamed."""
    entry = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    codes = labels["sectors"]
    names = labels["sector_names"]
    return TableBlocks(
        meta=TableMeta.from_dict(entry["meta"]), codes=codes, names=names or list(codes),
        Z=NpyZ(folder / "Z.npy"), Y=np.load(folder / "Y.npy", allow_pickle=False),
        V=np.load(folder / "V.npy", allow_pickle=False), final_demand=labels["final_demand"],
        value_added=labels["value_added"], export_column=labels["export_column"],
        extensions=_stored_import_blocks(folder, labels), regions=labels.get("regions"),
        final_demand_regions=labels.get("final_demand_regions"))
