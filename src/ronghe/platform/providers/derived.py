"""The providers' derived copies, written in one place so they can never disagree.

``Offering.provinces`` (a sorted JSON list, read with the row) and the ``OfferingProvince`` rows (the indexed
filter path) hold the same province codes. :func:`offering_provinces` is the one function that turns codes into
both; :func:`set_offering_provinces` (the services) and ``providers.bulk`` (the generator's batches) write
what it returns and nothing else. ``Offering.category`` follows its service item the same way
(:func:`offering_category`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ronghe.platform.providers.models import Offering, OfferingProvince


def offering_provinces(offering_id: int | None, codes: Iterable[str]) -> tuple[list[str], list[tuple[int | None, str]]]:
    """(the ``Offering.provinces`` value, the ``(offering_id, province)`` rows) for one set of codes."""
    value = sorted({str(c) for c in codes})
    return value, [(offering_id, code) for code in value]


def offering_category(item: Any) -> int:
    """The denormalised ``Offering.category_id`` of a service item (instance or anything with ``category_id``)."""
    return item.category_id


def set_offering_provinces(offering: Offering, codes: Iterable[str]) -> list[str]:
    """Write both copies for a saved offering: the JSON column and exactly the matching province rows."""
    value, rows = offering_provinces(offering.pk, codes)
    offering.provinces = value
    Offering.objects.filter(pk=offering.pk).update(provinces=value)
    OfferingProvince.objects.filter(offering_id=offering.pk).exclude(province__in=value).delete()
    have = set(OfferingProvince.objects.filter(offering_id=offering.pk).values_list("province", flat=True))
    OfferingProvince.objects.bulk_create(
        [OfferingProvince(offering_id=pk, province=code) for pk, code in rows if code not in have]
    )
    return value
