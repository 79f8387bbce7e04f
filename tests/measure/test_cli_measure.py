"""`ronghe measure indicators|compare|report` on real NBS and BEA tables, as a script would call them."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from ronghe.cli import main
from ronghe.measure import store

NBS = "nbs-cn-2020"


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory, io_dir: Path, bea_files: dict[str, Path]) -> Path:
    """One store for the whole session: NBS 2020 and the 24 BEA years (about 3 s to import)."""
    folder = tmp_path_factory.mktemp("measure-store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RONGHE_DATA_DIR", str(folder))
        store.import_files([io_dir / "nbs-china" / "2020.xlsx"], NBS)
        store.import_files([bea_files["use"], bea_files["make"], bea_files["imports"]], "bea-us")
    return folder


@pytest.fixture
def run(filled_store: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RONGHE_DATA_DIR", str(filled_store))

    def invoke(*args: str):
        return CliRunner().invoke(main, ["measure", *args], catch_exceptions=False)

    return invoke


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_indicators_json_reproduces_the_reports_2020_row(run):
    result = run("indicators", "--table", NBS, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["table"], doc["country"], doc["year"], doc["currency"]) == (NBS, "CHN", 2020, "CNY")
    assert round(doc["ps_inputs_to_mfg_trillion"], 1) == 11.7
    assert round(doc["ps_share_of_mfg_intermediate_pct"]["all"], 1) == 13.9
    assert doc["ps_inputs_to_mfg"] == pytest.approx(doc["ps_inputs_to_mfg_trillion"] * 1e12 / 1e4)
    assert set(doc["ps_share_of_mfg_intermediate_pct"]) == {"all", "high", "medium", "low"}
    assert sum(doc["ps_structure_pct"].values()) == pytest.approx(100)
    for key in ("ps_va_to_mfg_va", "embodied_ps_va_share_of_mfg_final_demand_pct",
                "complete_ps_requirement_per_unit_mfg_final_demand"):
        assert doc[key] > 0
    assert doc["definitions"]["concordance"] == "nbs-153"
    assert set(doc["tables"]) == {"by_group", "by_mfg_sector", "by_ps_subsector", "embodied"}
    assert len(doc["tables"]["by_ps_subsector"]) == 7


def test_indicators_table_is_readable_with_chinese_and_english_labels(run):
    result = run("indicators", "--table", NBS)
    assert result.exit_code == 0
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("全部制造业 All manufacturing"))
    assert line.split()[-1] == "13.89" and "11.66" in line
    assert "金融 Finance" in result.stdout


def test_indicators_csv_is_tidy_long(run, tmp_path):
    out = tmp_path / "ind.csv"
    result = run("indicators", "--table", NBS, "--out", str(out))
    assert result.exit_code == 0 and result.stdout.strip() == str(out)
    long = pd.read_csv(out, dtype={"row": str})
    assert list(long.columns) == ["table", "country", "year", "unit", "block", "row", "name", "variable", "value"]
    share = long.query("block == 'summary' and variable == 'ps_share_of_mfg_intermediate_pct.all'")["value"]
    assert round(share.item(), 1) == 13.9
    high = long.query("block == 'by_group' and row == 'high' and variable == 'share_pct'")
    assert high["name"].item() == "高技术制造业 High-tech"
    assert long.query("block == 'by_mfg_sector' and variable == 'share_pct'")["row"].str[:2].astype(int).between(
        13, 43).all()


def test_indicators_xlsx_goes_to_a_default_file_name(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("indicators", "--table", NBS, "--format", "xlsx")
    assert result.exit_code == 0 and result.stdout.strip() == f"{NBS}.xlsx"
    ws = openpyxl.load_workbook(tmp_path / f"{NBS}.xlsx")["T3 PS inputs"]
    computed, published = ws[5], ws[6]
    assert computed[2].value == f"ronghe (computed from {NBS})" and published[2].value == "report (published)"
    assert round(computed[4].value, 1) == published[4].value == 11.7
    assert round(computed[5].value, 1) == published[5].value == 13.9


def test_compare_sets_tables_side_by_side(run):
    result = run("compare", "--table", NBS, "--table", "bea-us-2020", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["tables"] == [NBS, "bea-us-2020"]
    share = doc["indicators"]["ps_share_of_mfg_intermediate_pct.all"]
    assert round(share[NBS], 1) == 13.9 and 15 < share["bea-us-2020"] < 40
    text = run("compare", "--table", NBS, "--table", "bea-us-2020").stdout
    assert re.search(r"ps_share_of_mfg_intermediate_pct\.all\s+13\.8935\s+\d\d\.\d{4}", text)
    csv = pd.read_csv(io.StringIO(run("compare", "--table", NBS, "--table", "bea-us-2020", "--format",
                                      "csv").stdout), index_col="indicator")
    assert list(csv.columns) == [NBS, "bea-us-2020"]


def test_report_without_tables_covers_the_whole_store(run, tmp_path):
    out = tmp_path / "report.xlsx"
    result = run("report", "--out", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert {"T3 PS inputs", "T4 PS vs mfg VA", "T5 PS structure", "T6 PS share by tech", "Definitions"} <= set(
        wb.sheetnames)
    rows = [r for r in wb["T3 PS inputs"].iter_rows(min_row=5, values_only=True) if r[1]]
    years = {(r[0], r[1]) for r in rows if str(r[2]).startswith("ronghe")}
    assert years == {("CHN", 2020)} | {("USA", y) for y in range(1997, 2021)}
    defs = [r[2] for r in wb["Definitions"].iter_rows(values_only=True) if r[1] == "source_file[0]"]
    assert any("2020.xlsx" in d and "230b4e36" in d for d in defs)


def test_report_html_opens_without_internet(run, tmp_path):
    out = tmp_path / "report.html"
    result = run("report", "--table", NBS, "--table", "bea-us-2019", "--table", "bea-us-2020", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", text)
    assert "<link" not in text
    assert "plotly.js v" in text and len(text) > 3_000_000
    assert "nbs-cn-2020" in text and "bea-us-2020" in text and "13.89" in text


def test_unknown_table_id_is_one_line(run):
    assert_one_line_error(run("indicators", "--table", "no-such-table"), "no-such-table")


def test_unknown_format_is_one_line(run):
    assert_one_line_error(run("indicators", "--table", NBS, "--format", "pdf"), "unknown format", "pdf")
    assert_one_line_error(run("report", "--out", "report.csv"), "xlsx or html")


def test_unwritable_out_is_one_line(run, tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    assert_one_line_error(run("report", "--table", NBS, "--out", str(missing / "r.xlsx")), "does not exist")
    assert_one_line_error(run("indicators", "--table", NBS, "--format", "json", "--out",
                              str(missing / "r.json")), "cannot write")
    assert_one_line_error(run("indicators", "--table", NBS, "--format", "html", "--out", str(tmp_path)),
                          "folder")
    if Path("/proc/self").is_dir():  # a folder where nobody, root included, may create files
        assert_one_line_error(run("indicators", "--table", NBS, "--out", "/proc/r.xlsx"), "cannot write")
        assert_one_line_error(run("report", "--table", NBS, "--out", "/proc/r.html"), "cannot write")


def test_concordance_missing_codes_is_one_line(run, tmp_path):
    conc = tmp_path / "partial.csv"
    conc.write_text("code,role,group\n51105,producer_service,wholesale\n13012,manufacturing,low\n",
                    encoding="utf-8")
    assert_one_line_error(run("indicators", "--table", NBS, "--concordance", str(conc)), "partial.csv",
                          "missing")
    assert_one_line_error(run("indicators", "--table", NBS, "--concordance", str(tmp_path / "nope.csv")),
                          "nope.csv")


def test_own_concordance_changes_the_numbers(run, tmp_path):
    """A concordance that counts only finance as producer services gives finance's share alone."""
    doc = json.loads(run("indicators", "--table", NBS, "--format", "json").stdout)
    sectors = [r["code"] for r in doc["tables"]["by_mfg_sector"]]
    lines = ["code,role,group"] + [f"{c},manufacturing,{g}" for c, g in
                                   ((r["code"], r["tech_group"]) for r in doc["tables"]["by_mfg_sector"])]
    table = store.load(NBS)
    finance = [c for c in table.sectors if str(c)[:2] in {"66", "67", "68", "69"}]
    lines += [f"{c},producer_service,finance" for c in finance]
    lines += [f"{c},other," for c in table.sectors if c not in set(sectors) | set(finance)]
    conc = tmp_path / "finance-only.csv"
    conc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("indicators", "--table", NBS, "--concordance", str(conc), "--format", "json")
    assert result.exit_code == 0, result.output
    mine = json.loads(result.stdout)
    expected = next(r for r in doc["tables"]["by_ps_subsector"] if r["ps_subsector"] == "finance")
    assert mine["ps_share_of_mfg_intermediate_pct"]["all"] == pytest.approx(
        expected["share_of_mfg_intermediate_pct"])
    assert mine["definitions"]["concordance"] == "finance-only"


def test_report_on_an_empty_store_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("RONGHE_DATA_DIR", str(tmp_path / "empty"))
    result = CliRunner().invoke(main, ["measure", "report", "--out", str(tmp_path / "r.xlsx")])
    assert_one_line_error(result, "ronghe data import")


def test_variant_regroups_technology_and_is_recorded(run):
    default = json.loads(run("indicators", "--table", NBS, "--format", "json").stdout)
    result = run("indicators", "--table", NBS, "--variant", "oecd2016-3", "--format", "json")
    assert result.exit_code == 0, result.output
    other = json.loads(result.stdout)
    assert other["definitions"]["variant"] == "oecd2016-3" != default["definitions"]["variant"]
    assert other["ps_share_of_mfg_intermediate_pct"]["all"] == pytest.approx(
        default["ps_share_of_mfg_intermediate_pct"]["all"])
    assert other["ps_share_of_mfg_intermediate_pct"]["medium"] != pytest.approx(
        default["ps_share_of_mfg_intermediate_pct"]["medium"])
    assert_one_line_error(run("indicators", "--table", NBS, "--variant", "nope"), "nope")
    assert_one_line_error(run("indicators", "--table", NBS, "--variant", "oecd2016-3", "--concordance", "x.csv"),
                          "not both")
