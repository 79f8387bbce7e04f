"""Multi-regional tables: per-region indicators, NBS 2020 + BEA 2020 joined without trade, pymrio's test MRIO."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ronghe.errors import InputError
from ronghe.measure import indicators, store
from ronghe.measure.regions import from_pymrio_mrio, join_tables, regional_indicators
from ronghe.measure.standards import read_concordance

#: The stated exchange rate of the joined table: CNY per USD, about the 2020 annual average. Shares do not
#: depend on it; amounts of the US region are the BEA amounts × 1e6 × RATE / 1e4 (US$ million → 万元).
RATE = 6.8976
USD_MILLION_IN_WAN_YUAN = 1e6 * RATE / 1e4
DOMESTIC_KEYS = ("_domestic",)  # the joined table carries no import-use blocks: domestic-only figures are NaN
AMOUNTS = ("ps_inputs_to_mfg", "mfg_intermediate_inputs", "ps_va", "mfg_va", "embodied_ps_va_in_mfg_final_demand",
           "embodied_ps_va_in_mfg_exports")


@pytest.fixture(scope="module")
def joined(nbs_tables, bea_tables):
    return join_tables({"CHN": nbs_tables[2020], "USA": bea_tables[2020]}, table_id="cn-us-2020",
                       rates={"USA": USD_MILLION_IN_WAN_YUAN}, unit="万元", currency="CNY", unit_factor=1e4,
                       year=2020)


def _flat(summary: dict) -> dict[str, float]:
    out = {}
    for k, v in summary.items():
        if isinstance(v, dict) and k != "definitions":
            out.update({f"{k}.{g}": x for g, x in v.items()})
        elif isinstance(v, float) and not any(d in k for d in DOMESTIC_KEYS):
            out[k] = v
    return out


@pytest.mark.parametrize(("region", "factor"), [("CHN", 1.0), ("USA", USD_MILLION_IN_WAN_YUAN)])
def test_two_regions_without_trade_give_each_national_result(joined, nbs_tables, bea_tables, region, factor):
    single = (nbs_tables if region == "CHN" else bea_tables)[2020]
    got = regional_indicators(joined)[region]
    want = indicators(single)
    a, b = _flat(got.summary), _flat(want.summary)
    assert set(b) <= set(a)
    for k, v in b.items():
        scale = factor if k in AMOUNTS else (factor * 1e4 / single.meta.unit_factor if "trillion" in k else 1.0)
        assert a[k] == pytest.approx(v * scale, rel=1e-12, abs=1e-300), k
    # no trade: every producer-service input comes from the region itself
    assert got.summary["ps_inputs_to_mfg_from_other_regions"] == 0.0
    assert got.summary["ps_share_of_mfg_intermediate_from_own_region_pct"] == pytest.approx(
        want.summary["ps_share_of_mfg_intermediate_pct"]["all"], rel=1e-12)
    pd.testing.assert_frame_equal(got.by_mfg_sector.reset_index(drop=True)[["share_pct", "direct_ps_coeff",
                                                                           "complete_ps_requirement"]],
                                  want.by_mfg_sector.reset_index(drop=True)[["share_pct", "direct_ps_coeff",
                                                                             "complete_ps_requirement"]],
                                  rtol=1e-12)


def test_the_report_figures_survive_the_join(joined):
    chn = regional_indicators(joined)["CHN"].summary
    assert round(chn["ps_inputs_to_mfg_trillion"], 2) == 11.66
    assert round(chn["ps_share_of_mfg_intermediate_pct"]["all"], 2) == 13.89


def test_stored_mrio_on_the_command_line_per_region_and_side_by_side(joined, store_dir):
    store.save(joined)
    run = [sys.executable, "-m", "ronghe.cli", "measure"]
    doc = json.loads(subprocess.run([*run, "indicators", "--table", "cn-us-2020", "--format", "json"],
                                    capture_output=True, text=True, check=True).stdout)
    assert list(doc["regions"]) == ["CHN", "USA"]
    assert round(doc["regions"]["CHN"]["ps_share_of_mfg_intermediate_pct"]["all"], 2) == 13.89
    cmp = json.loads(subprocess.run([*run, "compare", "--table", "cn-us-2020", "--format", "json"],
                                    capture_output=True, text=True, check=True).stdout)
    assert cmp["tables"] == ["cn-us-2020:CHN", "cn-us-2020:USA"]


def test_a_concordance_for_a_region_the_table_lacks_is_one_line(joined, store_dir, tmp_path):
    store.save(joined)
    conc = tmp_path / "de.csv"
    conc.write_text("code,role,group\n1,manufacturing,low\n2,producer_service,finance\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ronghe.cli", "measure", "indicators", "--table", "cn-us-2020",
                           "--concordance", f"DEU={conc}", "--format", "json"], capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: concordance given for region 'DEU', which table 'cn-us-2020' does not have (regions: CHN, USA)"]


# ----- pymrio's bundled test MRIO ---------------------------------------------------------------------------
TEST_CONCORDANCE = ("code,role,group\nfood,manufacturing,low\nmanufactoring,manufacturing,high\nmining,other,\n"
                    "electricity,other,\nconstruction,other,\ntrade,producer_service,wholesale\n"
                    "transport,producer_service,transport_storage_post\nother,other,\n")


@pytest.fixture(scope="module")
def test_mrio():
    pymrio = pytest.importorskip("pymrio")
    io = pymrio.load_test()
    io.calc_all()
    return io


def test_pymrio_test_mrio_per_region_against_pymrios_own_leontief(test_mrio, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(TEST_CONCORDANCE, encoding="utf-8")
    table = from_pymrio_mrio(test_mrio, table_id="pymrio-test", check=False)
    res = regional_indicators(table, read_concordance(path))
    assert list(res) == ["reg1", "reg2", "reg3", "reg4", "reg5", "reg6"]
    Z = test_mrio.Z
    sectors = Z.index.get_level_values("sector")
    ps_rows = np.isin(sectors, ["trade", "transport"])
    L = test_mrio.L.to_numpy()
    x = test_mrio.x.to_numpy().ravel()
    va = test_mrio.factor_inputs.F.to_numpy().sum(axis=0)
    v = np.divide(va, x, out=np.zeros_like(x), where=x != 0)
    m = (v * ps_rows) @ L
    f = test_mrio.Y.to_numpy().sum(axis=1)
    for region, ind in res.items():
        cols = (Z.columns.get_level_values("region") == region) & np.isin(
            Z.columns.get_level_values("sector"), ["food", "manufactoring"])
        z = Z.to_numpy()
        ps = z[ps_rows][:, cols].sum()
        own = (Z.index.get_level_values("region") == region) & ps_rows
        s = ind.summary
        assert s["ps_share_of_mfg_intermediate_pct"]["all"] == pytest.approx(100 * ps / z[:, cols].sum(), rel=1e-12)
        assert s["ps_inputs_to_mfg_from_own_region"] == pytest.approx(z[own][:, cols].sum(), rel=1e-12)
        assert s["ps_inputs_to_mfg_from_other_regions"] > 0  # the test MRIO trades
        assert s["embodied_ps_va_in_mfg_final_demand"] == pytest.approx((m * f)[cols].sum(), rel=1e-9)


def _mrio_with_different_sectors(test_mrio):
    pymrio = pytest.importorskip("pymrio")
    keep = ~((test_mrio.Z.index.get_level_values("region") == "reg2")
             & (test_mrio.Z.index.get_level_values("sector") == "mining"))
    Z = test_mrio.Z.loc[keep, keep]
    Y = test_mrio.Y.loc[keep]
    F = test_mrio.factor_inputs.F.loc[:, keep]
    return pymrio.IOSystem(Z=Z, Y=Y, unit=test_mrio.unit.loc[keep], name="uneven",
                           factor_inputs={"name": "factor_inputs", "F": F,
                                          "unit": test_mrio.factor_inputs.unit})


def test_regions_with_different_sector_lists_are_refused(test_mrio):
    with pytest.raises(InputError, match="regions have different sector lists: region 'reg2' lacks sector 'mining'"):
        from_pymrio_mrio(_mrio_with_different_sectors(test_mrio), table_id="uneven", check=False)


def test_importing_a_saved_uneven_pymrio_system_is_one_line(test_mrio, tmp_path, store_dir):
    folder = tmp_path / "uneven"
    _mrio_with_different_sectors(test_mrio).save_all(folder)
    proc = subprocess.run([sys.executable, "-m", "ronghe.cli", "data", "import", str(folder)],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "different sector lists" in proc.stderr


def test_a_saved_pymrio_system_imports_as_an_mrio_with_the_same_results(nbs_tables, tmp_path, store_dir):
    """Two regions with one sector list (the NBS 2018 and 2020 tables side by side), through pymrio's files."""
    from ronghe.measure.readers import read_tables
    from ronghe.measure.regions import to_pymrio_mrio

    pytest.importorskip("pymrio")
    pair = join_tables({"A": nbs_tables[2018], "B": nbs_tables[2020]}, table_id="nbs-pair", unit="万元",
                       currency="CNY", unit_factor=1e4, year=2020)
    folder = tmp_path / "pair"
    to_pymrio_mrio(pair).save_all(folder)
    (table,) = read_tables([folder])
    assert table.meta.layout == "mrio" and list(dict.fromkeys(table.regions)) == ["A", "B"]
    assert table.meta.id == "nbs-pair"
    from ronghe.measure.standards import load_concordance

    got = regional_indicators(table, load_concordance("nbs-153"))
    want = regional_indicators(pair)
    for r in ("A", "B"):  # pymrio saves text files: the numbers come back to ~1e-12
        assert _flat(got[r].summary) == pytest.approx(_flat(want[r].summary), rel=1e-9)
    assert round(got["B"].summary["ps_share_of_mfg_intermediate_pct"]["all"], 2) == 13.89


# ----- the generic layout with a region column ----------------------------------------------------------------
def _write_regional_csv(table, folder: Path, *, drop: tuple[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    reg = table.regions.reindex(table.sectors)
    sec = [c.split("/", 1)[1] for c in table.sectors]
    keep = [not (drop and r == drop[0] and s == drop[1]) for r, s in zip(reg, sec, strict=True)]
    Z = table.Z.loc[keep, keep].copy()
    Y = table.Y.loc[keep].copy()
    for frame in (Z, Y):
        frame.insert(0, "sector", [s for s, k in zip(sec, keep, strict=True) if k])
        frame.index = pd.Index([r for r, k in zip(reg, keep, strict=True) if k], name="region")
    Z.to_csv(folder / "Z.csv")
    Y.to_csv(folder / "Y.csv")
    table.V.loc[:, keep].to_csv(folder / "V.csv")
    (folder / "meta.json").write_text('{"unit": "万元", "currency": "CNY", "unit_factor": 10000, '
                                      '"classification": "nbs-153"}', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def nbs_pair(nbs_tables):
    return join_tables({"A": nbs_tables[2018], "B": nbs_tables[2020]}, table_id="nbs-pair", unit="万元",
                       currency="CNY", unit_factor=1e4, year=2020)


def test_generic_csv_with_a_region_column_reads_as_an_mrio(nbs_pair, tmp_path):
    from ronghe.measure.readers.generic import read_generic

    table = read_generic(_write_regional_csv(nbs_pair, tmp_path / "pair"))
    assert table.meta.layout == "mrio" and table.n == 306 and list(dict.fromkeys(table.regions)) == ["A", "B"]
    got, want = regional_indicators(table), regional_indicators(nbs_pair)
    for r in ("A", "B"):
        assert _flat(got[r].summary) == pytest.approx(_flat(want[r].summary), rel=1e-12)


def test_generic_mrio_with_different_sector_lists_is_one_line(nbs_pair, tmp_path, store_dir):
    code = nbs_pair.sectors[5].split("/", 1)[1]
    folder = _write_regional_csv(nbs_pair, tmp_path / "uneven", drop=("B", code))
    proc = subprocess.run([sys.executable, "-m", "ronghe.cli", "data", "import", str(folder)],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"regions have different sector lists: region 'B' lacks sector {code!r}" in lines[0]
