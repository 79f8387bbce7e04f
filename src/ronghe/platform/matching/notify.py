"""Who must know of a matching event: a batch assignment tells the invited providers and the manufacturers."""

from __future__ import annotations


def assignment_recipients(event) -> list[int]:
    data = event.data or {}
    return sorted({*data.get("providers", ()), *data.get("manufacturers", ())})
