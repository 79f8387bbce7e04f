"""Batches: --workers N on a local Dask cluster gives the serial answer; a scheduler that does not answer is one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ronghe.measure import store

pytest.importorskip("dask.distributed")

YEARS = (2018, 2019, 2020)


@pytest.fixture
def bea_store(bea_tables, store_dir):
    for y in YEARS:
        store.save(bea_tables[y])
    return store_dir


def _compare(*extra: str) -> subprocess.CompletedProcess:
    tables = [a for y in YEARS for a in ("--table", f"bea-us-{y}")]
    return subprocess.run([sys.executable, "-m", "ronghe.cli", "measure", "compare", *tables, "--format", "json",
                           *extra], capture_output=True, text=True, check=False)


def test_two_local_workers_give_exactly_the_serial_result(bea_store):
    serial, dask = _compare(), _compare("--workers", "2")
    assert serial.returncode == 0 and dask.returncode == 0, dask.stderr
    assert dask.stdout == serial.stdout  # byte for byte
    assert "Traceback" not in dask.stderr and "3/3" in dask.stderr


def test_a_scheduler_that_does_not_answer_is_one_line(bea_store):
    proc = _compare("--scheduler", "tcp://127.0.0.1:9")
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "error: no Dask scheduler answers at 'tcp://127.0.0.1:9' within 5 s")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_report_on_workers_writes_the_workbook(bea_store, tmp_path):
    out = tmp_path / "r.xlsx"
    proc = subprocess.run([sys.executable, "-m", "ronghe.cli", "measure", "report", "--table", "bea-us-2020",
                           "--table", "bea-us-2019", "--out", str(out), "--workers", "1"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and out.stat().st_size > 0
