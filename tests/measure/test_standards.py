"""Shipped standards: coverage of the real tables' codes, consistency of variants, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ronghe.errors import InputError, NotFoundError
from ronghe.measure.standards import (
    TECH_GROUPS,
    classifications,
    gbt4754_to_nbs42,
    load_concordance,
    nbs_psc2019,
    ps7,
    read_concordance,
    tech_levels,
    tech_variants,
)


def _nbs_codes(path: Path, sheet: str) -> list[str]:
    """Sector codes of an NBS 153 table: column C between the 代码 header and TII, read independently."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    col = [str(r[2]).strip() for r in rows]
    return col[col.index("代码") + 1: col.index("TII")] if "代码" in col else col[6: col.index("TII")]


@pytest.mark.parametrize(("year", "sheet"), [(2020, "2020年全国投入产出表"), (2018, "生产价投入产出表")])
def test_nbs153_concordance_covers_every_code_of_the_real_tables(shared_data, year, sheet):
    codes = _nbs_codes(shared_data / "io" / "nbs-china" / f"{year}.xlsx", sheet)
    assert len(codes) == 153
    frame = load_concordance("nbs-153").frame.set_index("code")
    assert set(codes) <= set(frame.index)
    mfg = frame[frame["role"] == "manufacturing"].index
    assert sorted(mfg) == sorted(c for c in codes if 13 <= int(c[:2]) <= 43)
    assert len(mfg) == 88
    ps = frame[frame["role"] == "producer_service"]
    assert len(ps) == 29
    assert ps.loc["51105", "group"] == "wholesale" and frame.loc["52106", "role"] == "other"


def test_bea_concordance_covers_the_71_industries(shared_data):
    path = shared_data / "io" / "bea-us" / "IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("2020").to_python()
    codes = [str(c).strip() for c in rows[5][2:73]]
    assert len(codes) == 71 and codes[0] == "111CA" and codes[-1] == "GSLE"
    frame = load_concordance("bea-summary").frame.set_index("code")
    assert sorted(frame.index) == sorted(codes)
    mfg = set(frame.index[frame["role"] == "manufacturing"])
    assert mfg == {"321", "327", "331", "332", "333", "334", "335", "3361MV", "3364OT", "337", "339", "311FT",
                   "313TT", "315AL", "322", "323", "324", "325", "326"}
    assert frame.loc["42", "group"] == "wholesale"


def test_ps7_ids_are_the_report_table5_sectors(shared_data):
    report = pd.read_csv(shared_data / "report" / "table5_ps_structure_pct.csv")
    assert set(ps7().index) == set(report["sector"])
    assert ps7()["name_zh"].str.len().gt(0).all() and ps7()["name_en"].str.len().gt(0).all()


def test_nbs_producer_services_classification_has_ten_categories():
    psc = nbs_psc2019()
    assert list(psc.index) == [f"{i:02d}" for i in range(1, 11)]
    assert psc.loc["09", "name_zh"] == "批发与贸易经纪代理服务"
    assert set(psc["ps7"]) - {""} <= set(ps7().index)


def test_tech_levels_cover_divisions_13_to_43_and_bea_manufacturing():
    nbs = tech_levels("nbs-153")
    assert {f"{d}" for d in range(13, 44)} <= set(nbs.index)
    assert set(nbs["oecd2011"]) <= {"H", "MH", "ML", "L"}
    assert set(nbs["oecd2016"]) <= {"H", "MH", "M", "ML", "L"}
    assert len(tech_levels("bea-summary")) == 19


@pytest.mark.parametrize("classification", ["nbs-153", "nbs-149", "nbs-42", "bea-summary"])
def test_shipped_groups_equal_the_default_variant_and_every_variant_loads(classification):
    shipped = load_concordance(classification)
    variants = tech_variants()
    variants = variants[variants["classification"] == classification]
    assert (variants["default"] == "yes").sum() == 1
    default = variants.loc[variants["default"] == "yes", "variant"].iloc[0]
    regrouped = load_concordance(classification, default)
    pd.testing.assert_frame_equal(shipped.frame, regrouped.frame)
    for variant in variants["variant"]:
        c = load_concordance(classification, variant)
        groups = c.frame.loc[c.frame["role"] == "manufacturing", "group"]
        assert set(groups) == set(TECH_GROUPS), variant
        assert c.definitions()["variant"] == variant and c.definitions()["basis"]


def test_definitions_record_file_hash_and_wholesale_rule():
    d = load_concordance("nbs-153").definitions()
    assert d["concordance"] == "nbs-153" and d["variant"] == "oecd2011-3"
    assert len(d["sha256"]) == 64 and d["file"].endswith("concordances/nbs-153.csv")
    assert d["wholesale_rule"] == "wholesale = 51105 批发"
    assert classifications() == ["bea-summary", "nbs-149", "nbs-153", "nbs-42"]


def test_unknown_classification_or_variant_is_not_found():
    with pytest.raises(NotFoundError, match="no shipped concordance"):
        load_concordance("icio-2023")
    with pytest.raises(NotFoundError, match="unknown technology-group variant 'nope'"):
        load_concordance("nbs-153", "nope")


# ----- a user's concordance ------------------------------------------------------------------------------
def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_concordance_with_weights(tmp_path):
    path = _write(tmp_path, "# my definitions\ncode,role,group,weight\n28,producer_service,wholesale,0.5\n"
                            "06,manufacturing,low,\n30,other,,\n")
    c = read_concordance(path)
    assert c.frame.set_index("code").loc["28", "weight"] == 0.5
    assert c.frame.set_index("code").loc["06", "weight"] == 1.0
    d = c.definitions()
    assert d["wholesale_rule"] == "wholesale = 28 × 0.5" and d["partial_weights"] == {"28→wholesale": 0.5}
    assert d["file"] == str(path) and d["basis"] == "user-supplied concordance"


@pytest.mark.parametrize(("text", "message", "cell"), [
    ("code,role\n1,other\n", "lacks the column 'group'", None),
    ("code,role,group\n1,services,\n", "unknown role 'services'", "row 2"),
    ("code,role,group\n1,other,\n2,manufacturing,hi\n", "unknown technology group 'hi'", "row 3"),
    ("code,role,group\n1,producer_service,retail\n", "unknown producer-service sub-sector 'retail'", "row 2"),
    ("code,role,group,weight\n1,producer_service,finance,x\n", "weight 'x' is not a number", "row 2"),
    ("code,role,group,weight\n1,producer_service,finance,1.5\n", "outside (0, 1]", "row 2"),
    ("code,role,group,weight\n1,manufacturing,low,0.5\n", "only producer-service rows", "row 2"),
    ("code,role,group\n1,manufacturing,low\n1,other,\n", "appears in several rows", "row 3"),
    ("code,role,group,weight\n1,producer_service,finance,0.7\n1,producer_service,wholesale,0.7\n",
     "add up to 1.4 > 1", None),
    ("code,role,group\n1,other,finance\n", "role 'other' but group 'finance'", "row 2"),
])
def test_bad_user_concordance_names_file_and_row(tmp_path, text, message, cell):
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        read_concordance(path)
    assert err.value.file == str(path)
    assert err.value.cell == cell


def test_missing_concordance_file(tmp_path):
    with pytest.raises(NotFoundError, match="not found"):
        read_concordance(tmp_path / "absent.csv")


def test_nbs149_is_the_153_list_without_the_four_splits():
    c153 = load_concordance("nbs-153").frame.set_index("code")
    c149 = load_concordance("nbs-149").frame.set_index("code")
    assert len(c149) == 149
    assert set(c149.index) == {c[:5] for c in c153.index}
    for code in c149.index:
        assert c149.loc[code, "role"] == c153.loc[c153.index.str[:5] == code, "role"].iloc[0], code


def test_nbs42_counts_half_of_wholesale_and_retail():
    c = load_concordance("nbs-42")
    frame = c.frame.set_index("code")
    assert len(frame) == 42 and (frame["role"] == "manufacturing").sum() == 18
    assert frame.loc["28", "weight"] == 0.5 and frame.loc["28", "group"] == "wholesale"
    assert c.definitions()["wholesale_rule"] == "wholesale = 28 批发和零售 × 0.5"
    assert set(gbt4754_to_nbs42()) == set(frame.index)


def test_nbs_hightech_column_follows_its_stated_rule():
    t = tech_levels("nbs-153")
    expected = t["oecd2011"].where(t["nbs_hightech2017"] != "all", "HT")
    assert (t["nbs2017"] == expected).all()
    assert set(t.index[t["nbs2017"] == "HT"]) == {"27", "39", "40", "35076a"}
