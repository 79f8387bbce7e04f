"""The deal's next step on a demand's page (declared in ``platform.py`` as an object link)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from ronghe.platform.deals import rules
from ronghe.platform.deals.models import RFQ


def demand_links(user: Any, demand: Any) -> list[tuple[str, str]]:
    """The owner opens bidding on a published demand; anyone who may see an RFQ of it gets its page."""
    links = []
    if rules.can_open_rfq(user, demand) and not RFQ.objects.filter(demand=demand).exists():
        links.append((_("发起招标（报价邀请）"), reverse("deals:rfq_create", args=[demand.pk])))
    for rfq in RFQ.objects.restrict(user, "view").filter(demand=demand).order_by("-pk")[:1]:
        links.append((_("查看招标与交易"), reverse("deals:rfq_detail", args=[rfq.pk])))
    return links
