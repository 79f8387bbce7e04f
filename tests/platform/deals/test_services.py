"""A whole deal through the services, and every illegal step: a clear error, nothing written, nothing chained."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ronghe.platform.core.audit import verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.deals import services
from ronghe.platform.deals.models import (
    Award,
    Bid,
    Contract,
    DealDocument,
    DealEvent,
    Dispute,
    Milestone,
    Payment,
    Rating,
    Signature,
)
from ronghe.platform.demand.models import Demand
from tests.platform.deals.conftest import PRICE_B, later, pdf

pytestmark = pytest.mark.django_db


def test_a_whole_deal_moves_the_demand_and_lands_on_the_chain(make_deal, users, orgs, demand):
    rfq, (_bid_a, _bid_b) = make_deal("completed")
    assert Demand.objects.get(pk=demand.pk).state == "closed"
    assert set(Contract.objects.filter(rfq=rfq).values_list("state", flat=True)) == {"completed"}
    contract = Contract.objects.get(rfq=rfq, provider=orgs["provider_b"])
    assert contract.value == PRICE_B
    assert [m.title for m in contract.milestones.all()] == ["实施方案", "上线验收报告"]
    assert sum(m.amount for m in contract.milestones.all()) == PRICE_B
    services.rate_contract(users["manufacturer"], contract, quality=5, timeliness=4, communication=5)
    services.rate_contract(users["provider_b"], contract, quality=5, timeliness=5, communication=4, comment="顺利")
    kinds = list(DealEvent.objects.filter(rfq=rfq).values_list("kind", flat=True))
    for kind in ("created", "submitted", "opened", "awarded", "signed", "activated", "funded", "accepted",
                 "released", "completed", "given"):
        assert kind in kinds, kind
    demand_kinds = list(demand.events.values_list("kind", flat=True))
    assert demand_kinds[-4:] == ["bidding", "awarded", "contracted", "closed"]
    assert Payment.objects.filter(milestone__contract__rfq=rfq).count() == 6  # 3 milestones × fund + release
    assert verify().ok


def test_the_chain_holds_hashes_of_bids_never_their_prices(make_deal):
    _rfq, (bid_a, _b) = make_deal("opened")
    text = " ".join(str(e.before) + str(e.after) for e in AuditEntry.objects.all())
    assert "7654321" not in text and "QJ8" not in text
    opened = AuditEntry.objects.filter(action="rfq.opened").get()
    assert opened.after["bids"][0]["sha256"] == bid_a.current.sha256


def test_a_revised_bid_counts_with_its_last_version(make_deal, users):
    rfq, (bid_a, _b) = make_deal("bidding")
    lot = rfq.lots.first()
    services.submit_bid(users["provider"], rfq, prices={lot.pk: Decimal("5000000")}, plan="修订")
    bid_a.refresh_from_db()
    assert bid_a.versions.count() == 2 and bid_a.current.number == 2
    assert list(bid_a.current.lines.values_list("price", flat=True)) == [Decimal("5000000.00")]


def test_withdrawn_bids_are_not_opened_and_an_rfq_without_bids_fails(users, demand):
    rfq = services.open_rfq(users["manufacturer"], demand, bid_deadline=later())
    bid = services.submit_bid(users["provider"], rfq, prices={rfq.lots.first().pk: 10}, plan="p")
    services.withdraw_bid(users["provider"], bid)
    assert services.open_due_rfqs(now=later(hours=2)) == 1
    rfq.refresh_from_db()
    assert rfq.state == "unsuccessful" and Demand.objects.get(pk=demand.pk).state == "published"
    assert services.open_due_rfqs(now=later(hours=3)) == 0  # once only


def test_auto_acceptance_after_n_days_releases_the_escrow(make_deal, settings):
    settings.RONGHE_DEALS_AUTO_ACCEPT_DAYS = 5
    rfq, _ = make_deal("submitted")
    assert services.auto_accept_due_milestones(now=later(days=4)) == 0
    assert services.auto_accept_due_milestones(now=later(days=6)) == 3
    assert services.auto_accept_due_milestones(now=later(days=7)) == 0
    assert set(Milestone.objects.filter(contract__rfq=rfq).values_list("state", "payment_state", "auto_accepted")
               ) == {("accepted", "released", True)}
    assert set(Contract.objects.filter(rfq=rfq).values_list("state", flat=True)) == {"completed"}
    entry = AuditEntry.objects.filter(action="milestone.auto_accepted").first()
    assert entry.actor == "system:auto_accept_milestones"


@pytest.mark.parametrize("outcome,state,payment", [("provider", "accepted", "released"),
                                                    ("buyer", "failed", "refunded")])
def test_a_dispute_ruling_sets_milestone_and_payment(make_deal, users, outcome, state, payment):
    rfq, _ = make_deal("submitted")
    m = Milestone.objects.filter(contract__rfq=rfq).first()
    services.reject_milestone(users["manufacturer"], m, reason="报告缺少数据")
    dispute = services.raise_dispute(users["provider_b"] if m.contract.provider.name.endswith("B") else users["provider"],
                                     m, reason="已按标准交付", evidence=[services.DocumentInput(pdf("evidence.pdf"))])
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(users["manufacturer"], dispute, outcome=outcome, decision="x")
    services.resolve_dispute(users["operator"], dispute, outcome=outcome, decision="依据验收标准")
    m.refresh_from_db()
    assert (m.state, m.payment_state) == (state, payment)
    assert Dispute.objects.get(pk=dispute.pk).outcome == outcome
    assert DealDocument.objects.filter(dispute=dispute).count() == 1
    assert verify().ok


def _unchanged(fn, exc=(ValidationError, PermissionDenied)):
    counts = lambda: (AuditEntry.objects.count(), DealEvent.objects.count(), Award.objects.count(),  # noqa: E731
                      Payment.objects.count(), Rating.objects.count(), Signature.objects.count(),
                      Bid.objects.count(), DealDocument.objects.count())
    before = counts()
    with pytest.raises(exc) as info:
        fn()
    assert counts() == before
    return info.value


def test_bid_after_the_deadline_is_refused(make_deal, users):
    rfq, _ = make_deal("opened")
    err = _unchanged(lambda: services.submit_bid(users["provider"], rfq, prices={rfq.lots.first().pk: 1}, plan="p"))
    assert isinstance(err, ValidationError) and "截止" in str(err)


def test_award_before_the_deadline_is_refused(make_deal, users):
    rfq, (bid_a, _b) = make_deal("bidding")
    err = _unchanged(lambda: services.award_lot(users["manufacturer"], rfq.lots.first(), bid=bid_a, reason="r"))
    assert isinstance(err, ValidationError)


def test_a_second_award_of_a_lot_is_refused(make_deal, users):
    rfq, (bid_a, _b) = make_deal("awarded")
    _unchanged(lambda: services.award_lot(users["manufacturer"], rfq.lots.first(), bid=bid_a, reason="again"))


def test_deliver_on_an_unsigned_contract_is_refused(make_deal, users):
    rfq, _ = make_deal("awarded")
    m = Milestone.objects.filter(contract__rfq=rfq, contract__provider__name="provider A").first()
    err = _unchanged(lambda: services.submit_milestone(users["provider"], m,
                                                       documents=[services.DocumentInput(pdf())]))
    assert isinstance(err, ValidationError) and "未签署" in str(err)


def test_release_of_an_unfunded_milestone_is_refused(make_deal, users):
    rfq, _ = make_deal("signed")
    m = Milestone.objects.filter(contract__rfq=rfq, contract__provider__name="provider A").first()
    services.submit_milestone(users["provider"], m, documents=[services.DocumentInput(pdf())])
    services.accept_milestone(users["manufacturer"], m)
    err = _unchanged(lambda: services.release_payment(users["manufacturer"], m))
    assert isinstance(err, ValidationError)


def test_rating_without_completion_and_rating_twice_are_refused(make_deal, users, orgs):
    rfq, _ = make_deal("accepted")
    contract = Contract.objects.get(rfq=rfq, provider=orgs["provider"])
    err = _unchanged(lambda: services.rate_contract(users["manufacturer"], contract, quality=5, timeliness=5,
                                                    communication=5))
    assert isinstance(err, ValidationError)
    for m in contract.milestones.all():
        services.release_payment(users["manufacturer"], m)
    services.rate_contract(users["manufacturer"], contract, quality=5, timeliness=5, communication=5)
    _unchanged(lambda: services.rate_contract(users["manufacturer"], contract, quality=1, timeliness=1,
                                              communication=1))
    _unchanged(lambda: services.rate_contract(users["provider"], contract, quality=9, timeliness=1,
                                              communication=1))


def test_signing_a_text_that_changed_is_refused_and_an_edit_voids_signatures(make_deal, users, orgs):
    rfq, _ = make_deal("awarded")
    contract = Contract.objects.get(rfq=rfq, provider=orgs["provider"])
    old = services.contract_sha256(contract)
    services.sign_contract(users["provider"], contract, text_sha256=old)
    rows = [services.MilestoneInput(m.title, m.amount, m.due_date) for m in contract.milestones.all()]
    services.update_contract(users["manufacturer"], contract, milestones=rows, terms="补充条款")
    assert contract.signatures.count() == 0
    _unchanged(lambda: services.sign_contract(users["manufacturer"], contract, text_sha256=old))
    bad = [services.MilestoneInput("x", Decimal("1"), rows[0].due_date)]
    _unchanged(lambda: services.update_contract(users["provider"], contract, milestones=bad))


def test_a_buyer_only_document_needs_a_reason(make_deal, users):
    rfq, _ = make_deal("bidding")
    _unchanged(lambda: services.submit_bid(users["provider"], rfq, prices={rfq.lots.first().pk: 1}, plan="p",
                                           documents=[services.DocumentInput(pdf(), "buyer_only", "")]))


def test_the_association_of_the_buyers_demand_list_arbitrates(make_deal, users, orgs, deal_items):
    from django.test import Client

    from ronghe.platform.demand import services as demand_services

    demand_list = demand_services.create_demand_list(
        users["association"], orgs["association"], items=deal_items, name="清单", industry="36", province="32",
        pain_points="数字化")
    demand_services.publish_demand_list(users["association"], demand_list)
    demand_services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"],
                                     entries=[demand_services.EntryInput(deal_items[1], 1)])
    rfq, _ = make_deal("submitted")
    m = Milestone.objects.get(contract__rfq=rfq, contract__provider=orgs["provider"])  # lot 2: deal_items[1]
    dispute = services.raise_dispute(users["manufacturer"], m, reason="交付不全")
    assert dispute.arbitrator_id == orgs["association"].pk
    web = Client()
    web.force_login(users["association_member"])
    assert web.get(f"/deals/disputes/{dispute.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(users["association_b"], dispute, outcome="buyer", decision="x")
    services.resolve_dispute(users["association_member"], dispute, outcome="buyer", decision="证据不足")
    m.refresh_from_db()
    assert (m.state, m.payment_state) == ("failed", "refunded")
    assert Contract.objects.get(pk=m.contract_id).state == "completed"


def test_a_buyer_only_contract_annex_shows_its_hash_but_not_its_content_to_the_provider(make_deal, users, orgs):
    from django.test import Client

    rfq, _ = make_deal("signed")
    contract = Contract.objects.get(rfq=rfq, provider=orgs["provider"])
    doc = services.attach_contract_documents(users["manufacturer"], contract, documents=[
        services.DocumentInput(pdf("内部成本核算-ZX9.pdf"), "buyer_only", "内部成本")])[0]
    seller = Client()
    seller.force_login(users["provider"])
    page = seller.get(f"/deals/contracts/{contract.pk}/").content.decode()
    assert doc.sha256 in page and "ZX9" not in page and "内部成本" not in page
    assert seller.get(f"/deals/documents/{doc.pk}/").status_code == 404
    buyer = Client()
    buyer.force_login(users["manufacturer_member"])
    assert buyer.get(f"/deals/documents/{doc.pk}/").status_code == 200
