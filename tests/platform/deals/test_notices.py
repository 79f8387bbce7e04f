"""Deal events read as sentences in the inbox, naming the RFQ and linking to it — never a price."""

from __future__ import annotations

import pytest

from ronghe.platform.inbox.models import Notification
from tests.platform.deals.conftest import PRICE_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_deal_notices_name_the_rfq_and_link_to_it(users, make_deal):
    rfq, _bids = make_deal("opened")
    notes = list(Notification.objects.filter(action__startswith="rfq.").order_by("id"))
    assert notes, "the opening reached the buyer and the bidders"
    for note in notes:
        assert note.params == {"title": rfq.title} and "新动态（" not in note.message
        assert note.url == f"/deals/rfq/{rfq.pk}/"
        assert str(PRICE_A) not in note.message + str(note.params)
