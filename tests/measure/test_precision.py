"""The fast paths give the float64 answers: mixed precision on every real table, and the streamed store path."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from ronghe.measure import store
from ronghe.measure.fusion import indicators, indicators_of

#: The issue's bar for adopting the float32 LU: every indicator within 1e-9 of float64, relative.
RTOL = 1e-9


def _numbers(tree, path=""):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(tree, float):
        yield path, tree


def assert_same_indicators(a: dict, b: dict, rtol: float = RTOL) -> None:
    left, right = dict(_numbers(a)), dict(_numbers(b))
    assert left.keys() == right.keys()
    for key, x in left.items():
        y = right[key]
        if math.isnan(x) or math.isnan(y):
            assert math.isnan(x) and math.isnan(y), key
        else:
            assert abs(x - y) <= rtol * max(abs(x), abs(y), 1e-300) + 1e-12 * rtol, (key, x, y)


def test_mixed_precision_matches_float64_on_every_real_table(nbs_tables, bea_tables):
    tables = [*nbs_tables.values(), *bea_tables.values()]
    assert len(tables) == 26
    for table in tables:
        f64 = indicators(table, precision="float64").to_dict()
        mixed = indicators(table, precision="mixed").to_dict()
        assert_same_indicators(f64, mixed)


def test_small_table_path_matches_the_scipy_lu(nbs_tables):
    """National tables use numpy's solver (no scipy import); scipy's LU gives the same numbers."""
    from ronghe.measure import fusion, iomath

    table = nbs_tables[2020]
    small = indicators(table).to_dict()
    saved = iomath.SMALL_MAX_N
    try:
        iomath.SMALL_MAX_N = 0
        lu = indicators(table).to_dict()
    finally:
        iomath.SMALL_MAX_N = saved
    assert_same_indicators(small, lu, rtol=1e-12)
    assert table.n < fusion.MIXED_MIN_N


def test_streamed_store_path_equals_the_in_memory_table(nbs_tables, store_dir):
    table = nbs_tables[2020]
    store.save(table)
    from_store = indicators_of(store.load_blocks(table.meta.id), precision="mixed").to_dict()
    assert_same_indicators(indicators(table, precision="float64").to_dict(), from_store)


def test_json_command_imports_neither_pandas_nor_the_report(nbs_tables, store_dir, tmp_path):
    """What makes `measure indicators --format json` start fast; the output is the Python API's."""
    table = nbs_tables[2020]
    store.save(table)
    out = tmp_path / "ind.json"
    probe = ("import sys, runpy; sys.argv = ['ronghe', 'measure', 'indicators', '--table', 'nbs-cn-2020', "
             f"'--format', 'json', '--out', {str(out)!r}]\n"
             "try:\n    runpy.run_module('ronghe.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'scipy', 'pyarrow') "
             "or m == 'ronghe.measure.report'))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={**os.environ, "RONGHE_DATA_DIR": str(store_dir)})
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert_same_indicators(json.loads(out.read_text(encoding="utf-8")), indicators(table).to_dict(), rtol=1e-12)


@pytest.mark.parametrize("precision", ["float64", "mixed"])
def test_a_singular_table_is_refused_in_either_precision(nbs_tables, precision):
    from ronghe.errors import InputError

    table = nbs_tables[2020]
    Z, Y = table.Z.copy(), table.Y.copy()
    j = Z.columns[5]
    Z.loc[j, :] = 0.0
    Z.loc[:, j] = 0.0
    Z.loc[j, j] = 1e6  # sector j's whole output is its own input: a_jj = 1, I − A singular
    Y.loc[j, :] = 0.0
    bad = type(table)(Z=Z, Y=Y, V=table.V, meta=table.meta, export_column=table.export_column)
    with pytest.raises(InputError, match="singular"):
        indicators(bad, precision=precision)
