"""``ronghe match evaluate`` on files in the documented format, good and broken."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ronghe.cli import main

GOOD = {
    "reference_date": "2026-12-01",
    "providers": [
        {"id": "p1", "name": "甲", "province": "江苏省", "provinces_served": ["江苏省", "31"],
         "industries_served": ["36"],
         "offerings": [{"item": "SI-01-001", "title": "汽车零部件结构设计", "description": "DFMEA 公差分析",
                        "price_min": 10000, "price_max": 50000, "monthly_capacity": 3, "lead_time_days": 7}],
         "certificates": [{"type": "高新技术企业", "number": "GR1", "valid_from": "2025-01-01",
                           "valid_to": "2027-12-31"}]},
        {"id": "p2", "province": "32", "provinces_served": ["全国"],
         "offerings": [{"category": "01", "title": "研发设计咨询", "price_min": 1000, "price_max": 2000}]},
        {"id": "p3", "province": "65", "provinces_served": ["65"],
         "offerings": [{"item": "SI-01-001", "title": "结构设计"}],
         "certificates": [{"type": "high_tech", "valid_from": "2025-01-01", "valid_to": "2027-12-31"}]},
    ],
    "demands": [
        {"id": "d1", "title": "零部件结构设计", "description": "需要DFMEA", "item": "SI-01-001",
         "province": "江苏", "budget_min": 20000, "budget_max": 60000, "deadline_days": 30},
        {"id": "d2", "title": "研发设计", "category": "01", "province": "32", "budget_max": 5000,
         "deadline": "2027-01-15"},
        {"id": "d3", "title": "无人能做", "item": "SI-01-001", "province": "54",
         "required_certificates": ["CNAS"]},
    ],
    "qrels": {"d1": {"p1": 3, "p3": 2}, "d2": {"p2": 1}},
}


def run(tmp_path, data, *args):
    path = tmp_path / "set.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(main, ["match", "evaluate", str(path), *args])


def test_evaluate_prints_the_figures_and_the_json_holds_rankings(tmp_path):
    result = run(tmp_path, GOOD, "--method", "bm25", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["constraint_violations"] == 0
    rows = {r["demand"]: r for r in report["per_demand"]}
    assert rows["d1"]["ranked"] == ["p1"]  # p3 is in the wrong province
    assert rows["d2"]["ranked"] == ["p2"]
    assert rows["d3"]["ranked"] == [] and rows["d3"]["empty_expected"]
    assert report["empty_answer_correctness"] == 1.0
    assert report["ndcg@10"] is not None and 0 < report["recall@20"] <= 1
    text = run(tmp_path, GOOD, "--method", "bm25")
    assert "NDCG@10" in text.output and "constraint violations 0" in text.output


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["providers"][0]["offerings"][0].update(price_min="cheap"),
     'providers[0] (id "p1").offerings[0].price_min: expected a number'),
    (lambda d: d["providers"][1].update(provinces_served=["火星"]),
     'providers[1] (id "p2").provinces_served[0]: unknown province'),
    (lambda d: d["demands"][0].pop("title"), 'demands[0] (id "d1").title: required field is missing'),
    (lambda d: d["demands"][1].update(deadline="next week"), 'demands[1] (id "d2").deadline: expected a date'),
    (lambda d: d["qrels"]["d1"].update(p9=2), 'qrels["d1"]["p9"]: names a provider'),
    (lambda d: d["qrels"]["d1"].update(p1=5), 'qrels["d1"]["p1"]: grade must be an integer 0–3'),
    (lambda d: d.pop("reference_date"), "reference_date: required field is missing"),
    (lambda d: d["providers"][0]["certificates"][0].update(valid_to="2020-01-01"),
     'providers[0] (id "p1").certificates[0].valid_to'),
    (lambda d: d["demands"][2].update(item=None, category=None), 'demands[2] (id "d3"): a demand needs'),
])
def test_bad_files_get_one_line_naming_record_and_field(tmp_path, mutate, message):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    result = run(tmp_path, data, "--method", "bm25")
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output


def test_not_json_and_missing_file(tmp_path):
    result = run(tmp_path, "{oops", "--method", "bm25")
    assert result.exit_code != 0 and "not JSON" in result.output
    missing = CliRunner().invoke(main, ["match", "evaluate", str(tmp_path / "none.json")])
    assert missing.exit_code != 0 and "cannot read" in missing.output


def test_devset_command_writes_a_file_evaluate_accepts(tmp_path):
    out = tmp_path / "dev.json"
    made = CliRunner().invoke(main, ["match", "devset", "--out", str(out), "--demands", "6", "--background", "10"])
    assert made.exit_code == 0, made.output
    result = CliRunner().invoke(main, ["match", "evaluate", str(out), "--method", "bm25", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["constraint_violations"] == 0 and report["empty_answer_correctness"] == 1.0
