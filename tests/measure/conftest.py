"""Real tables parsed once per test session, and helpers that write variants of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ronghe.measure.readers.bea import read_bea
from ronghe.measure.readers.nbs import read_nbs
from ronghe.measure.table import IOTable

BEA_USE = "IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx"
BEA_MAKE = "IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx"
BEA_IMPORTS = "ImportMatrices_Before_Redefinitions_SUM_1997-2020.xlsx"
BEA_TR = "IxI_TR_1997-2020_PRO_SUM.xlsx"


@pytest.fixture(scope="session")
def io_dir(shared_data: Path) -> Path:
    return shared_data / "io"


@pytest.fixture(scope="session")
def nbs_tables(io_dir: Path) -> dict[int, IOTable]:
    return {year: read_nbs(io_dir / "nbs-china" / f"{year}.xlsx") for year in (2018, 2020)}


@pytest.fixture(scope="session")
def bea_files(io_dir: Path) -> dict[str, Path]:
    d = io_dir / "bea-us"
    return {"use": d / BEA_USE, "make": d / BEA_MAKE, "imports": d / BEA_IMPORTS, "tr": d / BEA_TR}


@pytest.fixture(scope="session")
def bea_tables(bea_files: dict[str, Path]) -> dict[int, IOTable]:
    tables = read_bea(bea_files["use"], bea_files["make"], bea_files["imports"])
    return {t.meta.year: t for t in tables}


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store for one test."""
    folder = tmp_path / "store"
    monkeypatch.setenv("RONGHE_DATA_DIR", str(folder))
    return folder


def write_rows(rows: list[list], path: Path, sheet: str, *, shift: tuple[int, int] = (0, 0),
               overrides: dict[tuple[int, int], object] | None = None) -> Path:
    """Write cell values as an xlsx (openpyxl write-only: fast), optionally shifted and with cells replaced."""
    from openpyxl import Workbook

    overrides = overrides or {}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for _ in range(shift[0]):
        ws.append([])
    for r, row in enumerate(rows):
        values = [overrides.get((r, c), v) for c, v in enumerate(row)]
        ws.append([None] * shift[1] + [None if v == "" else v for v in values])
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def nbs2020_rows(io_dir: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(io_dir / "nbs-china" / "2020.xlsx"))
    return wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)


@pytest.fixture(scope="session")
def nbs2020_text_in_cell(nbs2020_rows: list[list], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2020 table with the text 'n/a' in the intermediate block at F12 (row 12, column F)."""
    path = tmp_path_factory.mktemp("bad") / "2020-text.xlsx"
    return write_rows(nbs2020_rows, path, "2020年全国投入产出表", overrides={(11, 5): "n/a"})
