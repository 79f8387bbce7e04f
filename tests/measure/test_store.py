"""The local table store: import, list, load, remove, fetch (offline, through file:// addresses)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ronghe.errors import InputError, NotFoundError
from ronghe.measure import store
from ronghe.measure.store import Download


def test_store_folder_follows_the_environment(store_dir):
    assert store.data_dir() == store_dir


def test_import_then_load_gives_back_the_same_table(store_dir, io_dir, nbs_tables):
    metas = store.import_files([io_dir / "nbs-china" / "2020.xlsx"])
    assert [m.id for m in metas] == ["nbs-cn-2020"]
    loaded, src = store.load("nbs-cn-2020"), nbs_tables[2020]
    pd.testing.assert_frame_equal(loaded.Z, src.Z, check_names=False)
    pd.testing.assert_frame_equal(loaded.Y, src.Y, check_names=False)
    pd.testing.assert_frame_equal(loaded.V, src.V, check_names=False)
    pd.testing.assert_series_equal(loaded.published_x, src.published_x, check_names=False)
    assert loaded.names().tolist() == src.names().tolist()
    assert loaded.meta == src.meta and loaded.export_column == "EX"
    loaded.check()


def test_bea_release_imports_every_year_with_its_import_matrix(store_dir, bea_files, bea_tables):
    metas = store.import_files([bea_files["use"], bea_files["make"], bea_files["imports"]], "us")
    assert [m.id for m in metas] == [f"us-{y}" for y in range(1997, 2021)]
    loaded = store.load("us-2012")
    for name in ("imports_use", "imports_final"):
        np.testing.assert_array_equal(loaded.extensions[name].to_numpy(),
                                      bea_tables[2012].extensions[name].to_numpy())
    assert loaded.meta.id == "us-2012" and loaded.meta.sha256 == bea_tables[2012].meta.sha256
    assert loaded.meta.extra["final_use_names"]["F040"] == "Exports of goods and services"


def test_list_and_remove(store_dir, io_dir):
    store.import_files([io_dir / "nbs-china"])
    assert [m.id for m in store.list_tables()] == ["nbs-cn-2018", "nbs-cn-2020"]
    (row,) = [r for r in store.summaries() if r["id"] == "nbs-cn-2018"]
    assert row["sectors"] == 153 and row["source_files"] == ["2018.xlsx"] and row["unit"] == "万元"
    store.remove("nbs-cn-2018")
    assert [m.id for m in store.list_tables()] == ["nbs-cn-2020"]


def test_reimport_replaces_a_table(store_dir, io_dir):
    store.import_files([io_dir / "nbs-china" / "2018.xlsx"], "cn")
    store.import_files([io_dir / "nbs-china" / "2020.xlsx"], "cn")
    assert store.load("cn").meta.year == 2020
    assert [p.name for p in (store_dir / "tables").iterdir()] == ["cn"]


def test_unknown_id_names_it_and_lists_the_store(store_dir, io_dir):
    with pytest.raises(NotFoundError, match="store is empty"):
        store.load("nbs-cn-2017")
    store.import_files([io_dir / "nbs-china" / "2020.xlsx"])
    with pytest.raises(NotFoundError) as err:
        store.load("nbs-cn-2017")
    assert "'nbs-cn-2017'" in str(err.value) and "stored: nbs-cn-2020" in str(err.value)
    with pytest.raises(NotFoundError):
        store.remove("../tables")


def test_invalid_id_is_refused(store_dir, io_dir):
    with pytest.raises(InputError, match="invalid table id"):
        store.import_files([io_dir / "nbs-china" / "2020.xlsx"], "../escape")


def test_load_is_fast(store_dir, io_dir):
    store.import_files([io_dir / "nbs-china" / "2020.xlsx"])
    start = time.perf_counter()
    for _ in range(20):
        store.load("nbs-cn-2020")
    assert (time.perf_counter() - start) / 20 < 0.05


def test_fetch_without_a_known_address(store_dir):
    with pytest.raises(NotFoundError, match="no known download address for 'oecd-icio-2020'"):
        store.fetch("oecd-icio-2020")


def test_fetch_checks_the_hash_then_imports(store_dir, io_dir, monkeypatch):
    """Offline: the pinned address is replaced by a file:// URL of the same bytes."""
    real = store.KNOWN_SOURCES["nbs-cn-2020"][0]
    local = Download((io_dir / "nbs-china" / "2020.xlsx").as_uri(), real.sha256, real.filename)
    monkeypatch.setitem(store.KNOWN_SOURCES, "nbs-cn-2020", (local,))
    assert [m.id for m in store.fetch("nbs-cn-2020")] == ["nbs-cn-2020"]
    assert (store_dir / "downloads" / "nbs-cn-2020" / "2020.xlsx").is_file()


def test_fetch_refuses_a_file_with_the_wrong_hash(store_dir, io_dir, monkeypatch):
    wrong = Download((io_dir / "nbs-china" / "2018.xlsx").as_uri(), "0" * 64, "2020.xlsx")
    monkeypatch.setitem(store.KNOWN_SOURCES, "nbs-cn-2020", (wrong,))
    with pytest.raises(InputError, match="expected 0000"):
        store.fetch("nbs-cn-2020")
    assert store.list_tables() == []


def test_fetch_reports_an_unreachable_address(store_dir, tmp_path: Path, monkeypatch):
    gone = Download((tmp_path / "missing.xlsx").as_uri(), "0" * 64, "missing.xlsx")
    monkeypatch.setitem(store.KNOWN_SOURCES, "nbs-cn-2018", (gone,))
    with pytest.raises(InputError, match="download failed"):
        store.fetch("nbs-cn-2018")
