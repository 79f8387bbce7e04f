"""Measure (统计监测): integration indicators from input-output tables. No Django below this package.

Python API::

    from ronghe import measure
    table = measure.load("nbs-cn-2020")          # from the local store (ronghe data import …)
    ind = measure.indicators(table)               # DataFrames + the stable JSON summary
    ind.by_group                                   # PS share of manufacturing's intermediate inputs
"""

from __future__ import annotations

from typing import Any

__all__ = ["IOTable", "Indicators", "compare", "indicators", "list_tables", "load", "time_series"]

_LAZY = {
    "IOTable": "ronghe.measure.table",
    "load": "ronghe.measure.store",
    "list_tables": "ronghe.measure.store",
    "Indicators": "ronghe.measure.fusion",
    "indicators": "ronghe.measure.fusion",
    "compare": "ronghe.measure.fusion",
    "time_series": "ronghe.measure.fusion",
}


def __getattr__(name: str) -> Any:
    """Import on first use, so `ronghe --help` stays fast and the engine stays importable piecemeal."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ronghe.measure' has no attribute {name!r}")
