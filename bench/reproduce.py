"""Write docs/reproduction.md: ronghe's indicators beside the report's published figures.

Run from the repository root (reads the real tables from ``$RONGHE_SHARED_DATA``, default ../shared/data):

    .venv/bin/python bench/reproduce.py            # rewrites docs/reproduction.md
    .venv/bin/python bench/reproduce.py --stdout   # prints it instead

Every number in the document comes from this script; nothing in it is typed by hand.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import pandas as pd

from ronghe.measure.fusion import Indicators, indicators, time_series
from ronghe.measure.readers.bea import read_bea
from ronghe.measure.readers.nbs import read_nbs
from ronghe.measure.standards import load_concordance, nbs42_table, tech_variants

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("RONGHE_SHARED_DATA", ROOT.parent / "shared" / "data"))
GROUPS = ("all", "high", "medium", "low")
REPORT_GROUPS = {"all_manufacturing": "all", "high_tech": "high", "medium_tech": "medium", "low_tech": "low"}
BEA = ("IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx", "IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx")


def fmt(x: float, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def report_table3() -> pd.DataFrame:
    t = pd.read_csv(SHARED / "report" / "table3_china_ps_inputs_in_manufacturing.csv")
    t["group"] = t["group"].map(REPORT_GROUPS)
    return t.set_index(["year", "group"])


def split_distance(ind: Indicators, report: pd.DataFrame, year: int) -> tuple[float, float]:
    """Euclidean distance of the three group shares (pp) and the largest gap in trillions."""
    g = ind.by_group
    shares = [(g.loc[k, "share_pct"], report.loc[(year, k), "share_of_intermediate_inputs_pct"])
              for k in GROUPS[1:]]
    tn = [abs(g.loc[k, "ps_inputs_trillion"] - report.loc[(year, k), "ps_inputs_trillion_cny"]) for k in GROUPS[1:]]
    return math.dist(*zip(*shares, strict=True)), max(tn)


def china_section(nbs: dict[int, object], report: pd.DataFrame) -> list[str]:
    out = ["## 1. China: the report's Table 3", "",
           "PS inputs into manufacturing (trillion CNY) and their share of manufacturing's intermediate inputs (%), "
           "direct-use block of the NBS 153-product tables, default concordance `nbs-153` (wholesale = 批发 51105 "
           "alone; manufacturing = GB/T 4754 divisions 13–43), default technology variant "
           f"`{load_concordance('nbs-153').variant}`.", ""]
    rows = []
    years = sorted(set(report.index.get_level_values("year")) | set(nbs))
    for year in years:
        ind = indicators(nbs[year]) if year in nbs else None
        for grp in GROUPS:
            ours = (ind.by_group.loc[grp, "ps_inputs_trillion"], ind.by_group.loc[grp, "share_pct"]) if ind else None
            pub = ((report.loc[(year, grp), "ps_inputs_trillion_cny"],
                    report.loc[(year, grp), "share_of_intermediate_inputs_pct"]) if (year, grp) in report.index
                   else None)
            rows.append([str(year), grp,
                         fmt(ours[0]) if ours else "not held", fmt(pub[0], 1) if pub else "–",
                         fmt(ours[1]) if ours else "not held", fmt(pub[1], 1) if pub else "–",
                         fmt(ours[1] - pub[1]) if ours and pub else "–"])
    out.append(md_table(["year", "group", "ronghe tn CNY", "report tn CNY", "ronghe share %", "report share %",
                         "gap (pp)"], rows))
    out += ["", "The report's rule where only the merged 批发和零售 exists (half of it counted as wholesale), applied "
            "to the 42-sector aggregate of the same tables (`ronghe.measure.standards.nbs42_table`, concordance "
            "`nbs-42`):", ""]
    rows42 = []
    for year in sorted(nbs):
        g = indicators(nbs42_table(nbs[year])).by_group
        rows42.append([str(year), *(f"{fmt(g.loc[k, 'ps_inputs_trillion'])} / {fmt(g.loc[k, 'share_pct'])}"
                                    for k in GROUPS)])
    out.append(md_table(["year (42 sectors, ½ × 批发和零售)", "all tn / %", "high", "medium", "low"], rows42))
    out += ["", "- **2020** reproduces the report's all-manufacturing row to rounding: "
            f"{fmt(indicators(nbs[2020]).summary['ps_inputs_to_mfg_trillion'])} tn and "
            f"{fmt(indicators(nbs[2020]).summary['ps_share_of_mfg_intermediate_pct']['all'])} % "
            "(report 11.7 tn, 13.9 %).",
            "- **2017 and 2023** are not held: the 2017 benchmark (149 products) and the 2023 table are not in "
            "`shared/data/io` (see its LAYOUTS.md §6), so the report's rows for those years stand alone.",
            "- **2018** is held but the report has no 2018 row; ronghe's figures are given for the series.", ""]
    return out


def variants_section(nbs: dict[int, object], report: pd.DataFrame) -> list[str]:
    v = tech_variants()
    v = v[v["classification"] == "nbs-153"]
    out = ["## 2. Technology split: variants and their distance to the report (2020)", "",
           "The report does not publish its high/medium/low mapping. Each variant below is one stated basis "
           "(`src/ronghe/measure/standards/data/tech_variants.csv`, levels in `tech_levels_gbt4754.csv`); none is "
           "tuned sector by sector. Distance = Euclidean distance of the three group shares to the report's "
           "15.2 / 12.9 / 12.8 % (percentage points); tn gap = largest gap of the three group amounts to "
           "5.7 / 3.2 / 2.8 tn CNY.", ""]
    rows, best = [], []
    for _, spec in v.iterrows():
        ind = indicators(nbs[2020], load_concordance("nbs-153", spec["variant"]))
        g = ind.by_group
        dist, tn = split_distance(ind, report, 2020)
        best.append((dist, spec["variant"]))
        ind18 = indicators(nbs[2018], load_concordance("nbs-153", spec["variant"])).by_group
        rows.append([f"`{spec['variant']}`" + (" (default)" if spec["default"] == "yes" else ""),
                     *(f"{fmt(g.loc[k, 'ps_inputs_trillion'])} / {fmt(g.loc[k, 'share_pct'])}"
                       for k in GROUPS[1:]),
                     fmt(dist), fmt(tn),
                     " / ".join(fmt(ind18.loc[k, "share_pct"]) for k in GROUPS[1:]), spec["basis"]])
    out.append(md_table(["variant", "high tn / %", "medium tn / %", "low tn / %", "distance (pp)", "tn gap",
                         "2018 shares %", "basis"],
                        [["report (published)", "5.7 / 15.2", "3.2 / 12.9", "2.8 / 12.8", "0", "0", "–",
                          "CAICT 2026, Table 3"], *rows]))
    dist, name = min(best)
    default = indicators(nbs[2020]).by_group
    rev4 = indicators(nbs[2020], load_concordance("nbs-153", "oecd2016-3")).by_group
    rounded = ", ".join(f"{k} {default.loc[k, 'share_pct']:.1f} %" for k in GROUPS[1:])
    pub_tii = {k: 100 * report.loc[(2020, k), "ps_inputs_trillion_cny"]
               / report.loc[(2020, k), "share_of_intermediate_inputs_pct"] for k in GROUPS[1:]}
    tii = {k: default.loc[k, "intermediate_inputs"] * nbs[2020].meta.unit_factor / 1e12 for k in GROUPS[1:]}
    tii4 = {k: rev4.loc[k, "intermediate_inputs"] * nbs[2020].meta.unit_factor / 1e12 for k in GROUPS[1:]}
    out += ["", f"The closest variant is `{name}` (distance {fmt(dist)} pp); the shipped default is "
            f"`{load_concordance('nbs-153').variant}`. `oecd2011-3` is the OECD technology-intensity classification on "
            "ISIC Rev.3 (Hatzichronoglou 1997; the four groups of the OECD STI Scoreboards), with high = high + "
            "medium-high, medium = medium-low, low = low, each GB/T 4754-2017 division mapped by its main ISIC "
            f"Rev.3 class. Rounded to the report's precision it gives {rounded} (report 15.2 / 12.9 / 12.8 %).",
            "", "Why ISIC Rev.3 and not the newer ISIC Rev.4 taxonomy (Galindo-Rueda & Verger 2016): Rev.4 moves "
            "rubber and plastics, non-metallic minerals, basic metals and other manufacturing to 'medium' and keeps "
            "petroleum and fabricated metals in 'medium-low'. The group sizes implied by the report (amount / share) "
            "are, in tn CNY of intermediate inputs, " + " / ".join(fmt(pub_tii[k], 1) for k in GROUPS[1:])
            + " (high / medium / low); the default variant's are " + " / ".join(fmt(tii[k], 1) for k in GROUPS[1:])
            + ", `oecd2016-3`'s " + " / ".join(fmt(tii4[k], 1) for k in GROUPS[1:]) + ".",
            "", "Product-level variants (`-product`) use the 153-table product where its ISIC class differs from "
            "its division's (ships 37080; medical instruments 35076a); at three groups the difference is small.",
            ""]
    return out


def other_china(nbs: dict[int, object]) -> list[str]:
    t5 = pd.read_csv(SHARED / "report" / "table5_ps_structure_pct.csv").set_index("sector")
    t4 = pd.read_csv(SHARED / "report" / "table4_ps_vs_manufacturing_value_added.csv")
    inds = {y: indicators(nbs[y]) for y in sorted(nbs)}
    out = ["## 3. China: the other indicators", "",
           "The report's Tables 4 and 5 come from national accounts for 2023–2025, years we hold no IO table "
           "for; they are set beside ronghe's IO-table values for orientation only. China's Table 5 wholesale is "
           "half of 批发和零售, ronghe's is 批发 alone.", ""]
    keys = [("ps_va_to_mfg_va", "PS value added / manufacturing value added", 3),
            ("complete_ps_requirement_per_unit_mfg_final_demand",
             "complete PS requirement per unit of manufacturing final demand", 4),
            ("embodied_ps_va_share_of_mfg_final_demand_pct",
             "PS value added embodied in manufacturing final demand, % of it", 2),
            ("embodied_ps_va_share_of_mfg_exports_pct", "PS value added embodied in manufacturing exports, % of them",
             2)]
    rows = [[label, *(fmt(inds[y].summary[k], d) for y in inds)] for k, label, d in keys]
    cn = t4[t4["economy"] == "CHN"].set_index("year")["ratio_reported"]
    rows[0].append(f"{cn.iloc[0]} (2023, national accounts)")
    for r in rows[1:]:
        r.append("–")
    for sid, row in t5.iterrows():
        rows.append([f"structure %: {sid}", *(fmt(inds[y].summary["ps_structure_pct"].get(sid, math.nan))
                                             for y in inds), f"{row['CHN_2023']} (2023)"])
    out.append(md_table(["indicator", *map(str, inds), "report"], rows))
    emb = inds[2020].summary
    out += ["", f"In 2020 producer services' value added embodied in manufacturing final demand is "
            f"{fmt(emb['embodied_ps_va_in_mfg_final_demand'] * nbs[2020].meta.unit_factor / 1e12)} tn CNY "
            f"and in manufacturing exports {fmt(emb['embodied_ps_va_in_mfg_exports'] * nbs[2020].meta.unit_factor / 1e12)}"
            " tn CNY (隐性服务增加值; L of the competitive-import table, final demand without the IM column).", ""]
    return out


def us_section(bea: list, china_2020_share: float) -> list[str]:
    items = [indicators(t) for t in bea]
    ts = time_series(items)
    t4 = pd.read_csv(SHARED / "report" / "table4_ps_vs_manufacturing_value_added.csv")
    us = t4[t4["economy"] == "USA"].set_index("year")["ratio_reported"]
    t5 = pd.read_csv(SHARED / "report" / "table5_ps_structure_pct.csv").set_index("sector")
    out = ["## 4. United States 1997–2020 (BEA), same definitions", "",
           "BEA summary Use + Make (before redefinitions, producers' prices) turned into industry × industry "
           "tables with the industry-technology assumption (`ronghe.measure.readers.bea`); concordance "
           f"`bea-summary`, technology variant `{items[0].definitions['variant']}` on BEA's 19 manufacturing "
           "codes. Producer services = wholesale 42; transport and warehousing 481–487OS, 493; information 511, "
           "513, 514 and computer systems design 5415; finance 521CI–525; leasing and business services 532RL, "
           "5411, 55, 561; professional, scientific and technical 5412OP; waste management 562 "
           "(`src/ronghe/measure/standards/data/concordances/bea-summary.csv`). Amounts in trillions of USD.", ""]
    rows = []
    for year, r in ts.iterrows():
        rows.append([str(year), fmt(r["ps_inputs_to_mfg_trillion"], 3),
                     *(fmt(r[f"ps_share_of_mfg_intermediate_pct.{g}"]) for g in GROUPS),
                     fmt(r["ps_va_to_mfg_va"]), fmt(r["complete_ps_requirement_per_unit_mfg_final_demand"], 3),
                     fmt(r["embodied_ps_va_share_of_mfg_final_demand_pct"]),
                     fmt(r["embodied_ps_va_share_of_mfg_exports_pct"])])
    out.append(md_table(["year", "PS inputs tn USD", "share % all", "high", "medium", "low", "PS VA / mfg VA",
                         "complete PS req.", "embodied % of mfg FD", "embodied % of mfg exports"], rows))
    first, last = ts.index.min(), ts.index.max()
    out += ["", f"US manufacturing's producer-service share of intermediate inputs rises from "
            f"{fmt(ts.loc[first, 'ps_share_of_mfg_intermediate_pct.all'])} % ({first}) to "
            f"{fmt(ts.loc[last, 'ps_share_of_mfg_intermediate_pct.all'])} % ({last}), against China's "
            f"{fmt(china_2020_share)} % in 2020. The report's US ratio of producer-services to manufacturing value "
            f"added ({us.iloc[0]} in 2023, Table 4) comes from national accounts with a wider services scope (its "
            f"US water/environment sub-sector is {t5.loc['water_environment_public_facilities', 'USA_2023']} % of "
            "PS value added in 2023, BEA 562 here "
            f"{fmt(ts.loc[last, 'ps_structure_pct.water_environment_public_facilities'])} % in {last}), "
            "so it is not comparable with the IO-table ratio above.", ""]
    return out


def build() -> str:
    nbs = {y: read_nbs(SHARED / "io" / "nbs-china" / f"{y}.xlsx") for y in (2018, 2020)}
    report = report_table3()
    bea = read_bea(*(SHARED / "io" / "bea-us" / f for f in BEA))
    parts = ["# Reproduction: ronghe beside the report", "",
             "Generated by `bench/reproduce.py` (do not edit by hand; rerun it). Report: CAICT, 《制造业与生产性服务业"
             "深度融合发展研究报告（2026年）》, Tables 3–5 (`shared/data/report`). Tables: NBS 2018 and 2020 "
             "153-product national IO tables, BEA summary Use/Make 1997–2020 (`shared/data/io`, see its "
             "PROVENANCE.md for hashes). Definitions: docs/definitions.md.", ""]
    parts += china_section(nbs, report)
    parts += variants_section(nbs, report)
    parts += other_china(nbs)
    parts += us_section(bea, indicators(nbs[2020]).summary["ps_share_of_mfg_intermediate_pct"]["all"])
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stdout", action="store_true", help="print instead of writing docs/reproduction.md")
    args = parser.parse_args(argv)
    text = build()
    if args.stdout:
        sys.stdout.write(text)
    else:
        (ROOT / "docs" / "reproduction.md").write_text(text, encoding="utf-8")
        print(f"wrote {ROOT / 'docs' / 'reproduction.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
