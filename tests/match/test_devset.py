"""The development set: grades by construction, every kind of distractor present, evaluation violation-free."""

from __future__ import annotations

from ronghe.match.catalog import shipped_items
from ronghe.match.devset import generate
from ronghe.match.engine import Index
from ronghe.match.evaluate import evaluate, offering_failures_best
from ronghe.match.qualifications import default_registry
from ronghe.match.records import parse_labelled_set


def test_devset_is_reproducible_and_has_every_distractor_kind():
    raw = generate(seed=3, demands=12, background=20)
    assert raw == generate(seed=3, demands=12, background=20)
    data = parse_labelled_set(raw)
    registry, items = default_registry(), shipped_items()
    kinds = set()
    for d in data.demands:
        for p in data.providers:
            fails = offering_failures_best(p, d, data.reference_date, registry, items)
            if len(fails) == 1:
                kinds.add(fails[0])
    assert {"region", "qualifications", "capacity", "price", "lead_time"} <= kinds
    grades = {g for row in data.qrels.values() for g in row.values()}
    assert grades == {1, 2, 3}
    # texts are paraphrased, not copied from any offering
    offering_texts = {o.text for p in data.providers for o in p.offerings}
    assert not any(d.text in offering_texts for d in data.demands)


def test_bm25_on_the_devset_breaks_no_constraint_and_answers_empty_where_it_should():
    data = parse_labelled_set(generate(seed=5, demands=15, background=30))
    report = evaluate(data, Index(data.providers, reference_date=data.reference_date), method="bm25")
    assert report["constraint_violations"] == 0
    assert report["empty_expected"] >= 1 and report["empty_answer_correctness"] == 1.0
    assert report["ndcg@10"] > 0.5
