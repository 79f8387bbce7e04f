"""The report as an analyst reads it: at-a-glance first, labelled Summary, 表5 by table, definitions folded."""

from __future__ import annotations

import re

import openpyxl
import pytest

from ronghe.measure import indicators, report


@pytest.fixture(scope="module")
def items(nbs_tables, bea_tables):
    return [indicators(nbs_tables[2020]), indicators(bea_tables[2020])]


def test_html_starts_with_the_headline_beside_the_report(items, tmp_path):
    text = report.report_to_html(items, tmp_path / "r.html").read_text(encoding="utf-8")
    body = text[text.index("<body>"):]
    assert body.index("At a glance") < body.index("图 Charts") < body.index("表3")
    glance = body[body.index("At a glance"):body.index("图 Charts")]
    assert "11.66" in glance and "11.70" in glance and "-0.04" in glance  # ronghe, report, gap (trillion)
    assert "13.89" in glance and "13.90" in glance and "-0.01" in glance  # share and gap (pp)
    appendix = body[body.index("Appendix"):]
    assert "<details>" in appendix and appendix.index("<details>") < appendix.index("definitions.formulas")
    assert "class='pub'" in body  # the report's own rows are marked


def test_table5_has_tables_as_rows_and_units_in_headers(items, tmp_path):
    text = report.report_to_html(items, tmp_path / "r.html").read_text(encoding="utf-8")
    t5 = text[text.index("表5"):text.index("表6")]
    assert t5.count("<tr") == 1 + len(items)  # header + one row per table
    assert "批发（%） · Wholesale (%)" in t5 and "合计（%） · Total (%)" in t5


def test_summary_sheet_speaks_words_not_keys_with_formatted_numbers(items, tmp_path):
    wb = openpyxl.load_workbook(report.report_to_xlsx(items, tmp_path / "r.xlsx"))
    ws = wb["Summary"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    texts = [str(c.value) for c in cells if isinstance(c.value, str)]
    assert not any(re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", t) for t in texts)  # no machine keys
    assert any("占制造业中间投入比重（%）" in t for t in texts) and any("At a glance" in t for t in texts)
    numbers = [c for c in cells if isinstance(c.value, float)]
    assert numbers and all(c.number_format != "General" for c in numbers)
