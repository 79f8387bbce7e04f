"""Who may do what in a deal — the ONE answer services, pages and the API share (``core.rules``).

Each rule names *who* (a predicate on the user and the object) and *when* (the object's state, and for bids the
clock): services ask ``require`` after taking the row lock (403 for the wrong person, 400 for the right person at
the wrong moment), pages turn :meth:`Rules.allowed` into buttons, the API's ``RulePermission`` into 403s.
``tests/platform/deals/test_rules.py`` checks that the three agree for every role × state × action.
Who may *read* a bid or a document is :mod:`deals.sealing`.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ronghe.platform.core.permissions import is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules
from ronghe.platform.deals.models import (
    RFQ,
    Bid,
    BidState,
    Contract,
    ContractState,
    Dispute,
    Milestone,
    MilestoneState,
    PaymentState,
    RFQState,
)

rfq_rules = Rules("deals.rfq")
bid_rules = Rules("deals.bid")
contract_rules = Rules("deals.contract")
milestone_rules = Rules("deals.milestone")
dispute_rules = Rules("deals.dispute")


def _member(user: Any, org_id: int | None) -> bool:
    return may_write(user) and org_id in org_ids(user)


def side_of(user: Any, contract: Contract) -> str | None:
    """'buyer' or 'provider': the side of ``contract`` the user acts for (buyer first if both)."""
    if _member(user, contract.buyer_id):
        return "buyer"
    if _member(user, contract.provider_id):
        return "provider"
    return None


# --- opening an RFQ on a demand (a rule on the parent: there is no RFQ yet) -----------------------------------


def can_open_rfq(user: Any, demand: Any) -> bool:
    """The demand's owner opens bidding on a published demand."""
    from ronghe.platform.demand.models import DemandState

    return _member(user, demand.organization_id) and demand.state == DemandState.PUBLISHED


def may_bid_on(user: Any, rfq: RFQ) -> bool:
    """A provider entitled to the demand's details — and, for invited-only RFQs, invited."""
    from ronghe.platform.demand.visibility import can_view_details

    if not may_write(user):
        return False
    providers = set(org_ids(user, kinds={"provider"}))
    if not providers or rfq.organization_id in providers:
        return False
    if rfq.access == RFQ.Access.INVITED and not rfq.invited.filter(pk__in=providers).exists():
        return False
    return can_view_details(user, rfq.demand)


# --- RFQs ----------------------------------------------------------------------------------------------------


def _bidding(rfq: RFQ) -> bool:
    return rfq.state == RFQState.BIDDING and timezone.now() < rfq.bid_deadline


@rfq_rules.rule("bid", "只有受邀或有权查看需求详情的服务商可以投标 (only entitled providers bid)", when=_bidding,
                when_message="投标已截止 (bidding is closed)")
def can_bid(user: Any, rfq: RFQ) -> bool:
    return may_bid_on(user, rfq)


@rfq_rules.rule("compare", "只有采购方可以比较投标 (only the buyer compares bids)",
                when=lambda r: r.state in (RFQState.OPENED, RFQState.AWARDED),
                when_message="开标前投标是密封的 (bids are sealed until the deadline)")
def can_compare(user: Any, rfq: RFQ) -> bool:
    return _member(user, rfq.organization_id) or (may_write(user) and is_operator(user))


@rfq_rules.rule("award", "只有采购方可以定标 (only the buyer awards)", when=lambda r: r.state == RFQState.OPENED,
                when_message="只能在开标后、定标完成前定标 (award after the opening, before the award is complete)")
def can_award(user: Any, rfq: RFQ) -> bool:
    return _member(user, rfq.organization_id)


@rfq_rules.rule("cancel", "只有采购方或平台运营方可以取消 (only the buyer or the operator cancels)",
                when=lambda r: r.state in (RFQState.BIDDING, RFQState.OPENED) and not r.lots.filter(
                    award__isnull=False).exists(),
                when_message="已定标的招标不能取消 (an RFQ with an award cannot be cancelled)")
def can_cancel_rfq(user: Any, rfq: RFQ) -> bool:
    return _member(user, rfq.organization_id) or (may_write(user) and is_operator(user))


# --- bids ----------------------------------------------------------------------------------------------------


@bid_rules.rule("revise", "只有投标人可以修改投标 (only the bidder revises its bid)", when=lambda b: _bidding(b.rfq),
                when_message="投标已截止 (bidding is closed)")
def can_revise(user: Any, bid: Bid) -> bool:
    return _member(user, bid.provider_id)


@bid_rules.rule("withdraw", "只有投标人可以撤回投标 (only the bidder withdraws its bid)",
                when=lambda b: _bidding(b.rfq) and b.state == BidState.SUBMITTED,
                when_message="只能在截止前撤回已提交的投标 (only a submitted bid, before the deadline)")
def can_withdraw(user: Any, bid: Bid) -> bool:
    return _member(user, bid.provider_id)


# --- contracts -----------------------------------------------------------------------------------------------


def _draft(c: Contract) -> bool:
    return c.state == ContractState.DRAFT


@contract_rules.rule("edit", "只有合同双方可以修改合同 (only the two parties edit)", when=_draft,
                     when_message="合同签署后不能修改 (a signed contract cannot be edited)")
def can_edit_contract(user: Any, contract: Contract) -> bool:
    return side_of(user, contract) is not None


@contract_rules.rule("sign", "只有尚未签署的一方可以签署 (only a party that has not signed signs)", when=_draft,
                     when_message="合同不在待签署状态 (the contract is not awaiting signatures)")
def can_sign(user: Any, contract: Contract) -> bool:
    side = side_of(user, contract)
    return side is not None and not contract.signatures.filter(side=side).exists()


@contract_rules.rule("attach", "只有合同双方可以上传合同附件 (only the parties add annexes)",
                     when=lambda c: c.state in (ContractState.DRAFT, ContractState.ACTIVE),
                     when_message="只能在签署前或履约中上传附件 (annexes before completion only)")
def can_attach_to_contract(user: Any, contract: Contract) -> bool:
    return side_of(user, contract) is not None


@contract_rules.rule("cancel", "只有采购方或平台运营方可以取消合同 (only the buyer or the operator cancels)",
                     when=_draft, when_message="只能取消未签署的合同 (only an unsigned contract can be cancelled)")
def can_cancel_contract(user: Any, contract: Contract) -> bool:
    return _member(user, contract.buyer_id) or (may_write(user) and is_operator(user))


@contract_rules.rule("rate", "每方只能评价对方一次 (each side rates the other once)",
                     when=lambda c: c.state == ContractState.COMPLETED,
                     when_message="只能评价已完成的合同 (only a completed contract can be rated)")
def can_rate(user: Any, contract: Contract) -> bool:
    side = side_of(user, contract)
    return side is not None and not contract.ratings.filter(side=side).exists()


# --- milestones ----------------------------------------------------------------------------------------------


def _active(m: Milestone) -> bool:
    return m.contract.state == ContractState.ACTIVE


@milestone_rules.rule("fund", "只有采购方可以托管款项 (only the buyer funds)",
                      when=lambda m: _active(m) and m.payment_state == PaymentState.UNFUNDED
                      and m.state != MilestoneState.FAILED,
                      when_message="只能为已签署合同中未托管的节点托管 (only an unfunded milestone of a signed contract)")
def can_fund(user: Any, milestone: Milestone) -> bool:
    return _member(user, milestone.contract.buyer_id)


@milestone_rules.rule("submit", "只有服务商可以提交交付物 (only the provider delivers)",
                      when=lambda m: _active(m) and m.state in (MilestoneState.PENDING, MilestoneState.REJECTED),
                      when_message="合同未签署或节点不在待交付状态 (the contract is unsigned or the milestone is not open)")
def can_submit(user: Any, milestone: Milestone) -> bool:
    return _member(user, milestone.contract.provider_id)


def _submitted(m: Milestone) -> bool:
    return _active(m) and m.state == MilestoneState.SUBMITTED


@milestone_rules.rule("accept", "只有采购方可以验收 (only the buyer accepts)", when=_submitted,
                      when_message="节点不在待验收状态 (the milestone awaits no decision)")
def can_accept(user: Any, milestone: Milestone) -> bool:
    return _member(user, milestone.contract.buyer_id)


@milestone_rules.rule("reject", "只有采购方可以驳回 (only the buyer rejects)", when=_submitted,
                      when_message="节点不在待验收状态 (the milestone awaits no decision)")
def can_reject(user: Any, milestone: Milestone) -> bool:
    return _member(user, milestone.contract.buyer_id)


@milestone_rules.rule("release", "只有采购方可以付款 (only the buyer releases payment)",
                      when=lambda m: m.state == MilestoneState.ACCEPTED and m.payment_state == PaymentState.FUNDED,
                      when_message="只能为已验收且已托管的节点付款 (only an accepted, funded milestone)")
def can_release(user: Any, milestone: Milestone) -> bool:
    return _member(user, milestone.contract.buyer_id)


@milestone_rules.rule("dispute", "只有合同双方可以提出争议 (only the parties raise a dispute)",
                      when=lambda m: _active(m) and m.state in (MilestoneState.SUBMITTED, MilestoneState.REJECTED),
                      when_message="只能对待验收或已驳回的节点提出争议 (only a submitted or rejected milestone)")
def can_dispute(user: Any, milestone: Milestone) -> bool:
    return side_of(user, milestone.contract) is not None


# --- disputes ------------------------------------------------------------------------------------------------


def arbitrates(user: Any, dispute: Dispute) -> bool:
    """The operator, or the association named as the dispute's arbitrator."""
    if not may_write(user):
        return False
    return is_operator(user) or (dispute.arbitrator_id is not None and dispute.arbitrator_id in org_ids(user))


@dispute_rules.rule("resolve", "只有平台运营方或指定的行业协会可以裁决 (only the operator or the named association)",
                    when=lambda d: d.state == Dispute.State.OPEN,
                    when_message="争议已裁决 (the dispute is resolved)")
def can_resolve(user: Any, dispute: Dispute) -> bool:
    return arbitrates(user, dispute)
