"""Domestic-only (non-competitive) embodied value added from the import-use blocks; the generic layout in Parquet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ronghe.errors import InputError
from ronghe.measure import indicators, store
from ronghe.measure.readers import detect
from ronghe.measure.readers.generic import read_generic
from ronghe.measure.standards import load_concordance


# ----- domestic-only ------------------------------------------------------------------------------------
def _explicit_domestic(table):
    """(v∘w)·(I − A_d)⁻¹·f_d over manufacturing, with the explicit inverse: the independent check."""
    conc = load_concordance(table.meta.classification)
    codes = [str(c) for c in table.sectors]
    w = conc.ps_weight_matrix(codes).sum(axis=1)
    mfg = np.array([g is not None for g in conc.manufacturing_group_of(codes)])
    Zd = (table.Z - table.extensions["imports_use"]).to_numpy()
    Yd = (table.Y - table.extensions["imports_final"].reindex(columns=table.Y.columns, fill_value=0.0))
    x = table.x.to_numpy()
    L = np.linalg.inv(np.eye(table.n) - Zd / x)
    m = (table.v.to_numpy() * w) @ L
    fd = [c for c in table.Y.columns if c not in ("IM", "F050")]  # final demand includes exports, as in f
    f = Yd[fd].to_numpy().sum(axis=1)
    e = Yd[table.export_column].to_numpy()
    return 100 * (m * f)[mfg].sum() / f[mfg].sum(), 100 * (m * e)[mfg].sum() / e[mfg].sum()


@pytest.mark.parametrize(("source", "year"), [("nbs", 2018), ("nbs", 2020), ("bea", 2005), ("bea", 2020)])
def test_domestic_only_embodied_value_added_equals_the_explicit_inverse(nbs_tables, bea_tables, source, year):
    table = (nbs_tables if source == "nbs" else bea_tables)[year]
    s = indicators(table).summary
    fd_pct, ex_pct = _explicit_domestic(table)
    assert s["embodied_ps_va_share_of_mfg_final_demand_domestic_pct"] == pytest.approx(fd_pct, rel=1e-10)
    assert s["embodied_ps_va_share_of_mfg_exports_domestic_pct"] == pytest.approx(ex_pct, rel=1e-10)
    # imported inputs leak out of the domestic chain: less home PS value added per unit than the competitive L
    assert 0 < s["embodied_ps_va_in_mfg_final_demand_domestic"] < s["embodied_ps_va_in_mfg_final_demand"]
    assert "domestic-only" in s["definitions"]["domestic_only"]


def test_nbs_import_blocks_give_a_balanced_domestic_table(nbs_tables):
    t = nbs_tables[2020]
    Zd, Yd = t.Z - t.extensions["imports_use"], t.Y - t.extensions["imports_final"]
    assert (Yd["IM"] == 0).all() and (Zd.to_numpy() >= -1e-9).all()
    np.testing.assert_allclose(Zd.sum(axis=1) + Yd.sum(axis=1), t.x, rtol=1e-9, atol=1e-3)
    assert "proportionality" in t.meta.extra["imports_split"]


def test_domestic_figures_survive_the_store(nbs_tables, store_dir):
    t = nbs_tables[2020]
    store.save(t)
    from ronghe.measure.fusion import indicators_of

    stored = indicators_of(store.load_blocks(t.meta.id)).summary
    assert stored["embodied_ps_va_share_of_mfg_exports_domestic_pct"] == pytest.approx(
        indicators(t).summary["embodied_ps_va_share_of_mfg_exports_domestic_pct"], rel=1e-12)


def test_a_table_without_import_blocks_reports_no_domestic_figure(bea_tables):
    t = bea_tables[2020]
    bare = type(t)(Z=t.Z, Y=t.Y, V=t.V, meta=t.meta, export_column=t.export_column)
    s = indicators(bare).to_dict()
    assert s["embodied_ps_va_share_of_mfg_exports_domestic_pct"] is None
    assert s["definitions"]["domestic_only"].startswith("not computed")


# ----- Parquet --------------------------------------------------------------------------------------------
def write_parquet(table, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    table.Z.to_parquet(folder / "Z.parquet")
    table.Y.to_parquet(folder / "Y.parquet")
    table.V.to_parquet(folder / "V.parquet")
    (folder / "meta.json").write_text('{"country": "CHN", "year": 2020, "unit": "万元", "currency": "CNY", '
                                      '"unit_factor": 10000, "classification": "nbs-153"}', encoding="utf-8")
    return folder


def test_parquet_folder_gives_the_same_indicators_as_the_published_table(nbs_tables, tmp_path):
    src = nbs_tables[2020]
    folder = write_parquet(src, tmp_path / "cn2020")
    assert detect(folder).kind == "generic" and detect(folder / "Z.parquet").kind == "generic"
    table = read_generic(folder)
    np.testing.assert_array_equal(table.Z.to_numpy(), src.Z.to_numpy())
    assert table.meta.source_files == ("Z.parquet", "Y.parquet", "V.parquet", "meta.json")
    s = indicators(table).summary
    assert round(s["ps_inputs_to_mfg_trillion"], 2) == 11.66
    assert round(s["ps_share_of_mfg_intermediate_pct"]["all"], 2) == 13.89


def test_parquet_labels_in_a_first_text_column(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    pd.DataFrame({"sector": ["a", "b"], "a": [1.0, 3.0], "b": [2.0, 4.0]}).to_parquet(folder / "Z.parquet", index=False)
    pd.DataFrame({"sector": ["a", "b"], "hh": [5.0, 3.0], "EX": [2.0, 1.0]}).to_parquet(folder / "Y.parquet",
                                                                                      index=False)
    pd.DataFrame({"row": ["wages"], "a": [6.0], "b": [5.0]}).to_parquet(folder / "V.parquet", index=False)
    table = read_generic(folder)
    assert list(table.sectors) == ["a", "b"] and table.export_column == "EX"


def test_parquet_non_numeric_column_is_refused_like_csv(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    pd.DataFrame({"a": [1.0, 3.0], "b": ["2", "oops"]}, index=pd.Index(["a", "b"], name="sector")).to_parquet(
        folder / "Z.parquet")
    pd.DataFrame({"hh": [7.0, 5.0]}, index=pd.Index(["a", "b"], name="sector")).to_parquet(folder / "Y.parquet")
    pd.DataFrame({"a": [7.0], "b": [3.0]}, index=pd.Index(["va"], name="row")).to_parquet(folder / "V.parquet")
    with pytest.raises(InputError) as err:
        read_generic(folder)
    msg = err.value.one_line()
    assert "Z.parquet" in msg and "'oops'" in msg and "row 'b', column 'b'" in msg and "row 2" in msg


def test_parquet_bad_input_on_the_command_line_is_one_line(tmp_path, store_dir):
    folder = tmp_path / "t"
    folder.mkdir()
    pd.DataFrame({"a": [1.0, 3.0], "b": ["2", "n/a"]}, index=pd.Index(["a", "b"], name="s")).to_parquet(
        folder / "Z.parquet")
    pd.DataFrame({"hh": [7.0, 5.0]}, index=pd.Index(["a", "b"], name="s")).to_parquet(folder / "Y.parquet")
    (folder / "V.parquet").write_bytes(b"not parquet at all")
    proc = subprocess.run([sys.executable, "-m", "ronghe.cli", "data", "import", str(folder)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "Z.parquet" in proc.stderr and "'n/a'" in proc.stderr
