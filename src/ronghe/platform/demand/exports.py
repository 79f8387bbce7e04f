"""CSV export of demands: the same ``visibility.present`` as pages and API, so an export never carries more.

Rows are summaries; the detail columns are filled only where the user is entitled, and each such row is an
access to confidential material, logged with channel ``export``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ronghe.platform.demand.models import Demand
from ronghe.platform.demand.visibility import present

MAX_ROWS = 5000
COLUMNS = (
    "id", "title", "summary", "industry", "industry_name", "province", "province_name", "city", "items",
    "budget_band", "deadline", "state", "confidentiality", "published_at", "attachment_count",
    "organization_name", "budget_min", "budget_max", "scope", "contact_name", "contact_phone", "contact_email",
)


def demand_rows(demands: Iterable[Demand], user: Any) -> Iterable[list[str]]:
    yield list(COLUMNS)
    for demand in demands:
        shown = present(demand, user, "export")
        row = dict(shown.summary)
        row["items"] = "；".join(f"{i['code']} v{i['version']} {i['name_zh']}" for i in row["items"])
        details = shown.details or {}
        row.update({key: details.get(key, "") for key in
                    ("organization_name", "budget_min", "budget_max", "contact_name", "contact_phone",
                     "contact_email")})
        row["scope"] = "；".join(line["scope"] for line in details.get("lines", []))
        yield ["" if row.get(col) is None else str(row.get(col)) for col in COLUMNS]


def demands_csv(demands: Iterable[Demand], user: Any) -> str:
    """UTF-8 CSV with a BOM, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows(demand_rows(demands, user))
    return buffer.getvalue()
