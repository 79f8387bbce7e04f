"""Matching engine speed at library level: ``python bench/bench_match.py --providers 100000``.

The same as ``ronghe match bench``; see docs/benchmarks.md § Matching for what each line measures.
"""

from __future__ import annotations

from ronghe.match.cli import bench_cmd

if __name__ == "__main__":
    bench_cmd()
