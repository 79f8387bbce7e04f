"""`ronghe data …` (the table store) and `ronghe measure …` (indicators, comparisons, reports)."""

from ronghe.measure.cli_data import data
from ronghe.measure.cli_measure import measure

__all__ = ["data", "measure"]
