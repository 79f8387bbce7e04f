"""The local table store: imported IO tables as plain ``.npy`` blocks plus JSON labels and metadata.

Folder: ``$RONGHE_DATA_DIR`` or the per-user data folder (``platformdirs.user_data_dir("ronghe")``), one
sub-folder per table id under ``tables/``. ``.npy`` with ``allow_pickle=False`` loads a 153-sector table in
about a millisecond and can never execute code from a tampered file; the JSON files stay readable by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import platformdirs

from ronghe.errors import InputError, NotFoundError
from ronghe.measure.meta import TableMeta

if TYPE_CHECKING:  # the readers and pandas are imported by the calls that need them, not by `measure … json`
    from ronghe.measure.blocks import TableBlocks
    from ronghe.measure.table import IOTable

FORMAT_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def data_dir() -> Path:
    """The store folder; ``RONGHE_DATA_DIR`` wins so tests and CI never touch the user's real store."""
    env = os.environ.get("RONGHE_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("ronghe"))


def _tables_dir() -> Path:
    return data_dir() / "tables"


def _check_id(table_id: str) -> None:
    if not _ID.match(table_id):
        raise InputError(f"invalid table id {table_id!r}: use letters, digits, '.', '_' and '-' "
                         "(up to 100 characters, starting with a letter or digit)")


# ----- import ---------------------------------------------------------------------------------------
def import_files(paths: list[Path], table_id: str | None = None, *,
                 on_skip: Callable[[Path, str], None] | None = None) -> list[TableMeta]:
    """Read, check and store every table in ``paths``; an existing id is replaced."""
    from ronghe.measure.readers import read_tables

    kwargs = {"on_skip": on_skip} if on_skip is not None else {}
    tables = read_tables([Path(p) for p in paths], table_id, **kwargs)
    for t in tables:
        _check_id(t.meta.id)
    return [save(t) for t in tables]


def save(table: IOTable) -> TableMeta:
    """Write one table; written to a temporary folder first so a crash never leaves half a table."""
    _check_id(table.meta.id)
    root = _tables_dir()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{table.meta.id}-", dir=root))
    try:
        _write(table, tmp)
        target = root / table.meta.id
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".old-{table.meta.id}-", dir=root))
            os.replace(target, old / "table")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return table.meta


def _write(table: IOTable, folder: Path) -> None:
    # C order, so that the indicators can stream Z in row blocks (ronghe.measure.blocks)
    np.save(folder / "Z.npy", np.ascontiguousarray(table.Z.to_numpy(dtype=np.float64)), allow_pickle=False)
    np.save(folder / "Y.npy", table.Y.to_numpy(dtype=np.float64), allow_pickle=False)
    np.save(folder / "V.npy", table.V.to_numpy(dtype=np.float64), allow_pickle=False)
    if table.published_x is not None:
        np.save(folder / "x_published.npy", table.published_x.reindex(table.sectors).to_numpy(dtype=np.float64),
                allow_pickle=False)
    for name, block in table.extensions.items():
        np.save(folder / f"ext-{name}.npy", block.to_numpy(dtype=np.float64), allow_pickle=False)
    labels = {
        "sectors": [str(s) for s in table.sectors],
        "sector_names": None if table.sector_names is None
        else [str(v) for v in table.sector_names.reindex(table.sectors).fillna("")],
        "final_demand": [str(c) for c in table.Y.columns],
        "value_added": [str(r) for r in table.V.index],
        "export_column": table.export_column,
        "published_x": table.published_x is not None,
        "extensions": {name: {"index": [str(i) for i in b.index], "columns": [str(c) for c in b.columns]}
                       for name, b in table.extensions.items()},
        "regions": None if table.regions is None else [str(r) for r in table.regions.reindex(table.sectors)],
        "final_demand_regions": None if table.final_demand_regions is None
        else [str(r) for r in table.final_demand_regions.reindex(table.Y.columns)],
    }
    _write_json(folder / "labels.json", labels)
    _write_json(folder / "meta.json", {"format": FORMAT_VERSION, "sectors": table.n, "meta": table.meta.to_dict()})


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")


# ----- read -----------------------------------------------------------------------------------------
def _entries() -> dict[str, dict[str, Any]]:
    root = _tables_dir()
    out = {}
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            meta_file = folder / "meta.json"
            if folder.name.startswith(".") or not meta_file.is_file():
                continue
            out[folder.name] = json.loads(meta_file.read_text(encoding="utf-8"))
    return out


def list_tables() -> list[TableMeta]:
    """Metadata of every stored table, by id."""
    return [TableMeta.from_dict(e["meta"]) for e in _entries().values()]


def summaries() -> list[dict[str, Any]]:
    """One flat record per stored table, for ``ronghe data list``."""
    rows = []
    for e in _entries().values():
        m = e["meta"]
        rows.append({
            "id": m["id"], "publisher": m["publisher"], "country": m["country"], "year": m["year"],
            "sectors": e["sectors"], "unit": m["unit"], "price_basis": m["price_basis"],
            "source_files": m["source_files"], "sha256": m["sha256"],
        })
    return rows


def _not_found(table_id: str) -> NotFoundError:
    ids = list(_entries())
    have = f"stored: {', '.join(ids)}" if ids else "the store is empty (add tables with `ronghe data import`)"
    return NotFoundError(f"no table {table_id!r} in the store at {data_dir()}; {have}")


def _folder(table_id: str) -> Path:
    folder = _tables_dir() / table_id
    if not _ID.match(table_id) or not (folder / "meta.json").is_file():
        raise _not_found(table_id)
    return folder


def load_blocks(table_id: str) -> TableBlocks:
    """The stored table's arrays and labels without pandas, Z left on disk to be streamed (the command path)."""
    from ronghe.measure.blocks import from_store_folder

    return from_store_folder(_folder(table_id))


def load(table_id: str) -> IOTable:
    """The stored table ``table_id``; NotFoundError names the id and lists what the store holds."""
    import pandas as pd

    from ronghe.measure.table import IOTable

    folder = _folder(table_id)
    entry = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    sectors = pd.Index(labels["sectors"])

    def block(name: str) -> np.ndarray:
        return np.load(folder / name, allow_pickle=False)

    extensions = {
        name: pd.DataFrame(block(f"ext-{name}.npy"), index=spec["index"], columns=spec["columns"])
        for name, spec in labels["extensions"].items()
    }
    names = labels["sector_names"]
    return IOTable(
        Z=pd.DataFrame(block("Z.npy"), index=sectors, columns=sectors),
        Y=pd.DataFrame(block("Y.npy"), index=sectors, columns=labels["final_demand"]),
        V=pd.DataFrame(block("V.npy"), index=labels["value_added"], columns=sectors),
        meta=TableMeta.from_dict(entry["meta"]),
        sector_names=pd.Series(names, index=sectors, name="name") if names is not None else None,
        export_column=labels["export_column"],
        published_x=pd.Series(block("x_published.npy"), index=sectors) if labels["published_x"] else None,
        extensions=extensions,
        regions=pd.Series(labels["regions"], index=sectors) if labels.get("regions") else None,
        final_demand_regions=pd.Series(labels["final_demand_regions"], index=labels["final_demand"])
        if labels.get("final_demand_regions") else None,
    )


def remove(table_id: str) -> None:
    """Delete a stored table."""
    folder = _tables_dir() / table_id
    if not _ID.match(table_id) or not (folder / "meta.json").is_file():
        raise _not_found(table_id)
    shutil.rmtree(folder)


# ----- fetch ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Download:
    """A file at a stable (commit-pinned) address with the sha256 it must have."""

    url: str
    sha256: str
    filename: str


_NBS = "https://raw.githubusercontent.com/xlg-JUST/TJ_InputOutput/ef5a043d55970e25e71b5dcaeea984a3d8fe3651/dataset"
_BEA = ("https://raw.githubusercontent.com/dvollrath/Elasticity/2ab2d1c22386bb418d01b9d2eec08b7a5528a754/"
        "Data/USA")

#: Neither NBS nor BEA keeps these exact files at a fixed address (NBS serves pages, BEA replaces its
#: release zip), so the addresses are the commit-pinned public copies listed in shared/data/io/PROVENANCE.md;
#: the sha256 pins the bytes whatever the host.
KNOWN_SOURCES: dict[str, tuple[Download, ...]] = {
    "nbs-cn-2018": (Download(f"{_NBS}/2018.xlsx",
                             "b6c6013977cb71d928c2aab65c48feee3b728ea71b8fd83bd507b1f9c8d27034", "2018.xlsx"),),
    "nbs-cn-2020": (Download(f"{_NBS}/2020.xlsx",
                             "230b4e369aceeaf4c058bcfe830a9c6ef0ba08797067bfc7145654fbeeb1aac7", "2020.xlsx"),),
    "bea-us": (
        Download(f"{_BEA}/IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx",
                 "8e79090fd1b17873a9a995306389cec92b546fce0cea5ae60bd763da49b837c9",
                 "IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx"),
        Download(f"{_BEA}/IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx",
                 "2c944d901d31aac25b3cd27896f76da6ec792d9bed3398cf16b9efc9794d6ad4",
                 "IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx"),
        Download(f"{_BEA}/ImportMatrices_Before_Redefinitions_SUM_1997-2020.xlsx",
                 "7b079a4e0a78d411340b12b54a099642041a44599946809931eca6e60988204e",
                 "ImportMatrices_Before_Redefinitions_SUM_1997-2020.xlsx"),
    ),
}


def _release_of(table_id: str) -> str | None:
    if table_id in KNOWN_SOURCES:
        return table_id
    if re.fullmatch(r"bea-us-(199[7-9]|20[01]\d|2020)", table_id):
        return "bea-us"
    return None


def fetch(table_id: str, *, timeout: float = 60.0) -> list[TableMeta]:
    """Download a known release, check every file's sha256, and import it (a BEA year brings all 24)."""
    release = _release_of(table_id)
    if release is None:
        raise NotFoundError(f"no known download address for {table_id!r}; fetchable: "
                            f"{', '.join(KNOWN_SOURCES)}, bea-us-1997 … bea-us-2020 "
                            "(other tables: download them yourself and use `ronghe data import`)")
    folder = data_dir() / "downloads" / release
    folder.mkdir(parents=True, exist_ok=True)
    files = [_download(d, folder, timeout) for d in KNOWN_SOURCES[release]]
    return import_files(files)


def _download(d: Download, folder: Path, timeout: float) -> Path:
    target = folder / d.filename
    if target.is_file() and _sha256(target.read_bytes()) == d.sha256:
        return target
    try:
        with urllib.request.urlopen(d.url, timeout=timeout) as response:
            payload = response.read()
    except (OSError, ValueError) as exc:
        raise InputError(f"download failed: {exc}", file=d.url) from None
    got = _sha256(payload)
    if got != d.sha256:
        raise InputError(f"downloaded file has sha256 {got}, expected {d.sha256}; not imported", file=d.url)
    target.write_bytes(payload)
    return target


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
