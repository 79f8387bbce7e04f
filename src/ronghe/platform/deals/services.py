"""The only write path of a deal, built from the write kit (``core.kit``).

Every function is ``verb_noun(actor, obj_or_parent, **fields)``: inside one transaction it locks the rows it
changes first, asks the rule (``deals.rules``) and the state table (``deals.states``), writes, records the
business event (``DealEvent``) and the audit-chain entry, and leaves side effects to ``on_commit`` (the inbox is
fed from the events by ``kit.record``). Lock order, always: RFQ → lot → bid → contract → milestone → dispute →
demand → the audit head, so two writers never deadlock.

Sealed values never reach the chain or the events: a bid is recorded by its version number and the SHA-256 of
its content, which proves after the opening exactly what was submitted.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ronghe.platform.accounts.models import Organization
from ronghe.platform.core import kit
from ronghe.platform.core.documents import validate_document
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.deals.models import (
    RFQ,
    Award,
    Bid,
    BidLine,
    BidState,
    BidVersion,
    Contract,
    ContractState,
    DealDocument,
    DealEvent,
    Dispute,
    Lot,
    LotState,
    Milestone,
    MilestoneState,
    Payment,
    PaymentState,
    Rating,
    RFQState,
    Signature,
    Visibility,
)
from ronghe.platform.deals.payments import PaymentError, payment_provider
from ronghe.platform.deals.rules import (
    bid_rules,
    can_open_rfq,
    contract_rules,
    dispute_rules,
    milestone_rules,
    rfq_rules,
    side_of,
)
from ronghe.platform.deals.states import (
    BID_STATES,
    LOT_STATES,
    MILESTONE_STATES,
    PAYMENT_STATES,
    RFQ_STATES,
)
from ronghe.platform.demand.models import Demand, DemandEvent, DemandListEntry, DemandState
from ronghe.platform.demand.states import DEMAND_STATES

MAX_DOCUMENTS = 10


def auto_accept_days() -> int:
    """N: a submitted milestone with no answer for N days is accepted by the scheduler."""
    return int(getattr(settings, "RONGHE_DEALS_AUTO_ACCEPT_DAYS", 7))


@dataclass(frozen=True)
class DocumentInput:
    """An upload and who may read it (``buyer_only`` needs a written reason)."""

    upload: Any
    visibility: str = Visibility.PARTIES
    reason: str = ""


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    amount: Decimal
    due_date: date
    deliverables: list[str] = field(default_factory=list)
    acceptance_criteria: list[str] = field(default_factory=list)


def _event(actor: Any, obj: Any, action: str, rfq: RFQ, **kw: Any) -> None:
    kit.record(actor, obj, action, event=DealEvent, subject=rfq, **kw)


def _move_demand(actor: Any, demand: Demand, target: str) -> None:
    """Move the demand along its own state table (``demand.states``), recorded as a demand event."""
    current = Demand.objects.only("state").get(pk=demand.pk).state
    if current != target and DEMAND_STATES.allows(current, target):
        kit.transition(actor, demand, target, table=DEMAND_STATES, action=f"demand.{target}", event=DemandEvent)


def _check_documents(errors: dict[str, list[str]], documents: Sequence[DocumentInput], already: int = 0) -> list:
    checked = []
    if len(documents) + already > MAX_DOCUMENTS:
        errors.setdefault("documents", []).append(f"最多 {MAX_DOCUMENTS} 个文件 (at most {MAX_DOCUMENTS} files)")
        return []
    for doc in documents:
        if doc.visibility not in Visibility.values:
            errors.setdefault("visibility", []).append("未知的可见范围 (unknown visibility)")
            continue
        if doc.visibility == Visibility.BUYER_ONLY and not doc.reason.strip():
            errors.setdefault("visibility_reason", []).append(
                "仅采购方可见的文件须说明理由 (a buyer-only document needs a written reason)")
        try:
            checked.append((doc, validate_document(doc.upload)))
        except ValidationError as exc:
            errors.setdefault("documents", []).extend(exc.messages)
    return checked


def _store_documents(actor: Any, rfq: RFQ, role: str, organization_id: int, checked: list, **links: Any
                     ) -> list[DealDocument]:
    stored = []
    for doc, meta in checked:
        row = DealDocument(role=role, rfq=rfq, organization_id=organization_id, visibility=doc.visibility,
                           visibility_reason=doc.reason.strip()[:300], token=secrets.token_hex(16),
                           original_name=PurePath(meta.name).name[:200], content_type=meta.content_type,
                           size=meta.size, sha256=meta.sha256, uploaded_by=actor, **links)
        row.file.save(row.token, doc.upload, save=False)
        row.save()
        stored.append(row)
    return stored


def _doc_records(stored: Sequence[DealDocument]) -> list[dict[str, Any]]:
    return [{"id": d.pk, "sha256": d.sha256, "size": d.size, "visibility": d.visibility} for d in stored]


def _one_org(actor: Any, kind: str, given: Organization | None) -> Organization:
    ids = org_ids(actor, kinds={kind})
    if given is not None:
        if given.pk not in ids:
            raise PermissionDenied("您不是该组织成员 (you are not a member of this organization)")
        return given
    if not ids:
        raise PermissionDenied("您不属于可执行此操作的组织 (you belong to no organization that may do this)")
    return Organization.objects.get(pk=ids[0])


# --- RFQ -----------------------------------------------------------------------------------------------------


def open_rfq(actor: Any, demand: Demand, *, bid_deadline: datetime, access: str = RFQ.Access.OPEN,
             invited: Sequence[Organization] = (), show_bid_count: bool = False, title: str = "") -> RFQ:
    """The owner of a published demand opens bidding: one lot per demand line; the demand becomes ``bidding``."""
    with transaction.atomic():
        demand = kit.lock(demand)
        if not can_open_rfq(actor, demand):
            if demand.organization_id in org_ids(actor):
                raise ValidationError({"state": ["只能对已发布的需求发起招标 (only a published demand)"]})
            raise PermissionDenied("只有需求方可以发起招标 (only the demand's owner opens bidding)")
        errors: dict[str, list[str]] = {}
        if bid_deadline is None or bid_deadline <= timezone.now():
            errors["bid_deadline"] = ["投标截止时间必须晚于现在 (the bid deadline must be in the future)"]
        if access not in RFQ.Access.values:
            errors["access"] = ["未知的投标范围 (unknown access)"]
        invited = list(invited)
        if access == RFQ.Access.INVITED and not invited:
            errors["invited"] = ["请至少邀请一家服务商 (invite at least one provider)"]
        if any(org.kind != Organization.Kind.PROVIDER for org in invited):
            errors["invited"] = ["只能邀请服务商 (only providers can be invited)"]
        kit.require_fields(errors)
        rfq = RFQ.objects.create(demand=demand, organization_id=demand.organization_id,
                                 title=(title or demand.title)[:200], access=access, bid_deadline=bid_deadline,
                                 show_bid_count=show_bid_count, created_by=actor)
        rfq.invited.set(invited)
        for line in demand.lines.select_related("item").order_by("id"):
            Lot.objects.create(rfq=rfq, demand_line=line, item=line.item, quantity=line.quantity,
                               title=f"{line.item.code} {line.item.name_zh}"[:200])
        _event(actor, rfq, "rfq.created", rfq, to_state=rfq.state, after={
            "demand": demand.pk, "access": access, "invited": [o.pk for o in invited],
            "bid_deadline": bid_deadline, "lots": list(rfq.lots.values_list("pk", flat=True)),
            "show_bid_count": show_bid_count}, data={"invited": [o.pk for o in invited]})
        _move_demand(actor, demand, DemandState.BIDDING)
    return rfq


def cancel_rfq(actor: Any, rfq: RFQ, *, reason: str = "") -> RFQ:
    """Bidding or opened, nothing awarded → cancelled; the demand is published again."""
    with transaction.atomic():
        rfq = kit.lock(rfq)
        rfq_rules.require(actor, "cancel", rfq)
        if not RFQ_STATES.allows(rfq.state, RFQState.CANCELLED):
            raise RFQ_STATES.refuse(rfq.state, RFQState.CANCELLED)
        source = rfq.state
        rfq.state = RFQState.CANCELLED
        rfq.save(update_fields=["state", "updated_at"])
        rfq.lots.filter(state=LotState.ACTIVE).update(state=LotState.CANCELLED)
        _event(actor, rfq, "rfq.cancelled", rfq, before={"state": source}, after={"state": rfq.state},
               from_state=source, to_state=rfq.state, note=reason[:200])
        _move_demand(actor, rfq.demand, DemandState.PUBLISHED)
    return rfq


# --- bids ----------------------------------------------------------------------------------------------------


def _clean_prices(rfq: RFQ, prices: Mapping[Any, Any], errors: dict[str, list[str]]) -> dict[int, Decimal]:
    lots = set(rfq.lots.filter(state=LotState.ACTIVE).values_list("pk", flat=True))
    clean: dict[int, Decimal] = {}
    for key, raw in (prices or {}).items():
        if raw in (None, ""):
            continue
        try:
            lot_id = int(getattr(key, "pk", key))
            price = Decimal(str(raw)).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            errors.setdefault("prices", []).append("报价须为金额 (a price must be an amount)")
            continue
        if lot_id not in lots:
            errors.setdefault("prices", []).append("标段不属于该招标 (no such lot in this RFQ)")
        elif price <= 0 or price >= Decimal("1e12"):
            errors.setdefault("prices", []).append("报价须大于 0 (a price must be positive)")
        else:
            clean[lot_id] = price
    if not clean and "prices" not in errors:
        errors["prices"] = ["至少为一个标段报价 (price at least one lot)"]
    return clean


def _version_digest(prices: Mapping[int, Decimal], plan: str, team: str, docs: Sequence[str]) -> str:
    canonical = json.dumps({"prices": {str(k): str(v) for k, v in sorted(prices.items())}, "plan": plan,
                            "team": team, "documents": sorted(docs)}, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def submit_bid(actor: Any, rfq: RFQ, *, prices: Mapping[Any, Any], plan: str, team: str = "",
               documents: Sequence[DocumentInput] = (), provider: Organization | None = None) -> Bid:
    """A sealed bid, or a new version of one's bid (the last version counts), before the deadline."""
    with transaction.atomic():
        rfq = kit.lock(rfq)
        rfq_rules.require(actor, "bid", rfq)
        provider = _one_org(actor, Organization.Kind.PROVIDER, provider)
        errors: dict[str, list[str]] = {}
        clean = _clean_prices(rfq, prices, errors)
        if not (plan or "").strip():
            errors["plan"] = ["请填写交付计划 (describe the delivery plan)"]
        checked = _check_documents(errors, documents)
        kit.require_fields(errors)
        bid, created = Bid.objects.select_for_update().get_or_create(
            rfq=rfq, provider=provider, defaults={"created_by": actor})
        if not created and bid.state != BidState.SUBMITTED and not BID_STATES.allows(bid.state, BidState.SUBMITTED):
            raise BID_STATES.refuse(bid.state, BidState.SUBMITTED)
        number = bid.versions.count() + 1
        version = BidVersion.objects.create(bid=bid, number=number, plan=plan.strip(), team=(team or "").strip(),
                                            submitted_by=actor, sha256="")
        BidLine.objects.bulk_create(BidLine(version=version, lot_id=lot, price=p) for lot, p in clean.items())
        stored = _store_documents(actor, rfq, DealDocument.Role.BID, provider.pk, checked, bid_version=version)
        version.sha256 = _version_digest(clean, version.plan, version.team, [d.sha256 for d in stored])
        version.save(update_fields=["sha256"])
        before_state = "" if created else bid.state
        bid.current, bid.state = version, BidState.SUBMITTED
        bid.save(update_fields=["current", "state", "updated_at"])
        action = "bid.submitted" if number == 1 else "bid.revised"
        _event(actor, bid, action, rfq, before={"state": before_state} if before_state else {},
               after={"state": bid.state, "version": number, "sha256": version.sha256,
                      "documents": _doc_records(stored)},
               data={"bid": bid.pk, "version": number}, organization_id=provider.pk)
    return bid


def withdraw_bid(actor: Any, bid: Bid) -> Bid:
    """Before the deadline the bidder takes its bid back (it may submit again while bidding is open)."""
    with transaction.atomic():
        kit.lock(bid.rfq)
        bid = kit.lock(bid)
        bid_rules.require(actor, "withdraw", bid)
        bid.state = BidState.WITHDRAWN
        bid.save(update_fields=["state", "updated_at"])
        _event(actor, bid, "bid.withdrawn", bid.rfq, before={"state": BidState.SUBMITTED},
               after={"state": bid.state}, data={"bid": bid.pk}, organization_id=bid.provider_id)
    return bid


def open_due_rfqs(actor: Any = "system:open_due_rfqs", *, now: datetime | None = None) -> int:
    """The scheduler opens every RFQ whose deadline has passed, once (idempotent): bids unsealed, lots with no
    bid and RFQs with no bid unsuccessful (the demand is then published again). Returns how many it opened."""
    now = now or timezone.now()
    due = list(RFQ.objects.filter(state=RFQState.BIDDING, bid_deadline__lte=now).values_list("pk", flat=True))
    count = 0
    for pk in due:
        with transaction.atomic():
            rfq = RFQ.objects.select_for_update().get(pk=pk)
            if rfq.state != RFQState.BIDDING or rfq.bid_deadline > now:
                continue  # another worker opened it first
            bids = list(rfq.bids.filter(state=BidState.SUBMITTED).select_related("current").order_by("id"))
            priced = set(BidLine.objects.filter(version__in=[b.current_id for b in bids])
                         .values_list("lot_id", flat=True))
            target = RFQState.OPENED if priced else RFQState.UNSUCCESSFUL
            rfq.state, rfq.opened_at = target, now
            rfq.save(update_fields=["state", "opened_at", "updated_at"])
            for lot in rfq.lots.select_for_update().filter(state=LotState.ACTIVE).exclude(pk__in=priced):
                lot.state = LotState.UNSUCCESSFUL
                lot.save(update_fields=["state"])
            _event(actor, rfq, "rfq.opened", rfq, before={"state": RFQState.BIDDING},
                   after={"state": target, "bids": [{"bid": b.pk, "version": b.current.number,
                                                     "sha256": b.current.sha256} for b in bids]},
                   from_state=RFQState.BIDDING, to_state=target, data={"bids": len(bids)})
            if target == RFQState.UNSUCCESSFUL:
                _move_demand(actor, rfq.demand, DemandState.PUBLISHED)
            count += 1
    return count


# --- award ---------------------------------------------------------------------------------------------------


def contract_text(contract: Contract, milestones: Sequence[Milestone] | None = None) -> str:
    """The text both sides sign (its SHA-256 is recorded with each signature)."""
    rows = list(milestones if milestones is not None else contract.milestones.order_by("number"))
    lines = [f"合同 Contract: {contract.title}", f"采购方 Buyer: {contract.buyer_id}",
             f"服务商 Provider: {contract.provider_id}", f"金额 Value (CNY): {contract.value}", "",
             contract.terms.strip(), ""]
    for m in rows:
        lines.append(f"节点 {m.number}: {m.title} · {m.amount} · {m.due_date:%Y-%m-%d}")
        lines += [f"  交付物: {d}" for d in m.deliverables]
        lines += [f"  验收标准: {c}" for c in m.acceptance_criteria]
    return "\n".join(lines)


def contract_sha256(contract: Contract) -> str:
    return "sha256:" + hashlib.sha256(contract_text(contract).encode()).hexdigest()


def _default_milestones(lot: Lot, value: Decimal) -> list[MilestoneInput]:
    """One milestone per deliverable of the service item's delivery standard, the value split evenly."""
    item = lot.item
    deliverables = list(item.deliverables or []) or [item.name_zh]
    n = len(deliverables)
    share = (value / n).quantize(Decimal("0.01"))
    days = int(item.duration_days_max or 30)
    today = timezone.localdate()
    out = []
    for i, name in enumerate(deliverables, start=1):
        amount = share if i < n else value - share * (n - 1)
        out.append(MilestoneInput(str(name)[:200], amount, today + timedelta(days=max(1, days * i // n)),
                                  [str(name)], [str(c) for c in item.acceptance_criteria or []]))
    return out


def _terms(lot: Lot, award: Award) -> str:
    item = lot.item
    sla = "; ".join(f"{s.get('metric', '')} {s.get('target', '')}".strip() for s in item.sla or [])
    return "\n".join([f"服务条目 Service item: {item.code} v{item.version} {item.name_zh} × {lot.quantity}",
                      f"服务内容 Scope: {item.scope}", f"服务水平 SLA: {sla or '—'}",
                      f"定标理由 Award reason: {award.reason}"])


def award_lot(actor: Any, lot: Lot, *, bid: Bid, reason: str) -> Award:
    """Award one lot to one bid with a stated reason; the contract (draft) is created from the award.

    Once every lot is decided the RFQ is ``awarded``, the bids without an award ``lost`` and the demand
    ``awarded``. The lot's row lock and its one-to-one award make a second award impossible.
    """
    with transaction.atomic():
        rfq = kit.lock(lot.rfq)
        lot = kit.lock(lot)
        rfq_rules.require(actor, "award", rfq)
        if not LOT_STATES.allows(lot.state, LotState.AWARDED):
            raise LOT_STATES.refuse(lot.state, LotState.AWARDED)
        errors: dict[str, list[str]] = {}
        if not (reason or "").strip():
            errors["reason"] = ["请说明定标理由 (state the reason for the award)"]
        bid = Bid.objects.select_for_update().filter(pk=getattr(bid, "pk", bid), rfq=rfq).first()
        line = None
        if bid is None or bid.state == BidState.WITHDRAWN:
            errors["bid"] = ["该投标不属于本招标或已撤回 (no such bid in this RFQ)"]
        else:
            line = BidLine.objects.filter(version=bid.current_id, lot=lot).first()
            if line is None:
                errors["bid"] = ["该投标未对本标段报价 (the bid has no price for this lot)"]
        kit.require_fields(errors)
        award = Award.objects.create(lot=lot, bid=bid, value=line.price, reason=reason.strip(), awarded_by=actor)
        lot.state = LotState.AWARDED
        lot.save(update_fields=["state"])
        bid_before = bid.state
        bid.state = BidState.AWARDED
        bid.save(update_fields=["state", "updated_at"])
        _event(actor, lot, "lot.awarded", rfq, before={"state": LotState.ACTIVE}, after={
            "state": lot.state, "award": award.pk, "bid": bid.pk, "provider": bid.provider_id,
            "value": award.value, "reason": award.reason, "bid_state": [bid_before, bid.state]},
            data={"award": award.pk, "provider": bid.provider_id}, organization_id=rfq.organization_id)
        contract = Contract.objects.create(
            award=award, rfq=rfq, buyer_id=rfq.organization_id, provider_id=bid.provider_id,
            title=f"{rfq.title} · {lot.title}"[:200], value=award.value, terms="")
        contract.terms = _terms(lot, award)
        contract.save(update_fields=["terms"])
        _write_milestones(contract, _default_milestones(lot, award.value))
        _event(actor, contract, "contract.created", rfq, to_state=contract.state, after={
            "award": award.pk, "value": contract.value, "sha256": contract_sha256(contract)},
            data={"contract": contract.pk, "provider": contract.provider_id}, organization_id=rfq.organization_id)
        if not rfq.lots.filter(state=LotState.ACTIVE).exists():
            rfq.state, rfq.awarded_at = RFQState.AWARDED, timezone.now()
            rfq.save(update_fields=["state", "awarded_at", "updated_at"])
            losers = list(rfq.bids.filter(state=BidState.SUBMITTED).values_list("pk", flat=True))
            rfq.bids.filter(pk__in=losers).update(state=BidState.LOST)
            _event(actor, rfq, "rfq.awarded", rfq, before={"state": RFQState.OPENED},
                   after={"state": rfq.state, "lost": losers}, from_state=RFQState.OPENED, to_state=rfq.state,
                   data={"lost": losers})
            _move_demand(actor, rfq.demand, DemandState.AWARDED)
    return award


# --- contract ------------------------------------------------------------------------------------------------


def _write_milestones(contract: Contract, rows: Sequence[MilestoneInput]) -> None:
    contract.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(contract=contract, number=i, title=m.title, amount=m.amount, due_date=m.due_date,
                  deliverables=list(m.deliverables), acceptance_criteria=list(m.acceptance_criteria))
        for i, m in enumerate(rows, start=1))


def _milestones_snapshot(contract: Contract) -> list[dict[str, Any]]:
    return [{"number": m.number, "title": m.title, "amount": m.amount, "due_date": m.due_date}
            for m in contract.milestones.order_by("number")]


def update_contract(actor: Any, contract: Contract, *, milestones: Sequence[MilestoneInput] | None = None,
                    terms: str | None = None) -> Contract:
    """Either side edits a draft (milestones, terms); any earlier signature is void, both sign the new text."""
    with transaction.atomic():
        contract = kit.lock(contract)
        contract_rules.require(actor, "edit", contract)
        errors: dict[str, list[str]] = {}
        if milestones is not None:
            milestones = list(milestones)
            if not milestones:
                errors["milestones"] = ["至少需要一个履约节点 (at least one milestone)"]
            elif any(m.amount is None or m.amount <= 0 for m in milestones):
                errors["milestones"] = ["节点金额须大于 0 (each amount must be positive)"]
            elif sum(m.amount for m in milestones) != contract.value:
                errors["milestones"] = [f"节点金额合计须等于合同金额 {contract.value} (amounts must add up to the value)"]
            if any(not (m.title or "").strip() for m in milestones):
                errors.setdefault("milestones", []).append("节点名称不能为空 (a milestone needs a title)")
        kit.require_fields(errors)
        before = {"sha256": contract_sha256(contract), "milestones": _milestones_snapshot(contract)}
        if terms is not None:
            contract.terms = terms.strip()
            contract.save(update_fields=["terms", "updated_at"])
        if milestones is not None:
            _write_milestones(contract, milestones)
        voided = list(contract.signatures.values_list("side", flat=True))
        contract.signatures.all().delete()
        _event(actor, contract, "contract.updated", contract.rfq, before=before, after={
            "sha256": contract_sha256(contract), "milestones": _milestones_snapshot(contract),
            "signatures_voided": voided}, data={"contract": contract.pk, "provider": contract.provider_id})
    return contract


def sign_contract(actor: Any, contract: Contract, *, text_sha256: str) -> Contract:
    """点击签署: records identity, time and the hash of the text read; both sides signed → ``active``."""
    with transaction.atomic():
        contract = kit.lock(contract)
        contract_rules.require(actor, "sign", contract)
        current = contract_sha256(contract)
        if text_sha256 != current:
            raise ValidationError({"text_sha256": [
                "合同内容已变更，请重新阅读后签署 (the contract changed since you read it; read it again)"]})
        side = side_of(actor, contract)
        org = contract.buyer_id if side == "buyer" else contract.provider_id
        sig = Signature.objects.create(contract=contract, side=side, organization_id=org, user=actor,
                                       username=actor.get_username(), text_sha256=current)
        _event(actor, contract, "contract.signed", contract.rfq, after={
            "side": side, "user": actor.pk, "sha256": current, "at": sig.at}, data={"contract": contract.pk,
                                                                                    "side": side},
            organization_id=org)
        if contract.signatures.count() == 2:
            contract.state, contract.signed_at = ContractState.ACTIVE, timezone.now()
            contract.save(update_fields=["state", "signed_at", "updated_at"])
            _event(actor, contract, "contract.activated", contract.rfq, before={"state": ContractState.DRAFT},
                   after={"state": contract.state, "sha256": current}, from_state=ContractState.DRAFT,
                   to_state=contract.state, data={"contract": contract.pk, "provider": contract.provider_id})
            _move_demand(actor, contract.rfq.demand, DemandState.CONTRACTED)
    return contract


def attach_contract_documents(actor: Any, contract: Contract, *, documents: Sequence[DocumentInput]
                              ) -> list[DealDocument]:
    """Either side adds annexes (drawings, specifications) with a visibility; each file's SHA-256 is recorded."""
    with transaction.atomic():
        contract = kit.lock(contract)
        contract_rules.require(actor, "attach", contract)
        errors: dict[str, list[str]] = {}
        if not documents:
            errors["documents"] = ["请选择文件 (choose a file)"]
        checked = _check_documents(errors, documents, already=contract.documents.filter(
            role=DealDocument.Role.CONTRACT).count()) if documents else []
        kit.require_fields(errors)
        side = side_of(actor, contract)
        org = contract.buyer_id if side == "buyer" else contract.provider_id
        stored = _store_documents(actor, contract.rfq, DealDocument.Role.CONTRACT, org, checked, contract=contract)
        _event(actor, contract, "contract.documents_added", contract.rfq, after={"documents": _doc_records(stored)},
               data={"contract": contract.pk, "provider": contract.provider_id}, organization_id=org)
    return stored


def cancel_contract(actor: Any, contract: Contract, *, reason: str = "") -> Contract:
    """An unsigned contract is cancelled (the award stands on the chain); no live contract left → demand cancelled."""
    with transaction.atomic():
        contract = kit.lock(contract)
        contract_rules.require(actor, "cancel", contract)
        contract.state = ContractState.CANCELLED
        contract.save(update_fields=["state", "updated_at"])
        _event(actor, contract, "contract.cancelled", contract.rfq, before={"state": ContractState.DRAFT},
               after={"state": contract.state}, from_state=ContractState.DRAFT, to_state=contract.state,
               note=reason[:200], data={"contract": contract.pk, "provider": contract.provider_id})
        rfq = contract.rfq
        if rfq.state == RFQState.AWARDED and not rfq.contracts.exclude(state=ContractState.CANCELLED).exists():
            _move_demand(actor, rfq.demand, DemandState.CANCELLED)
    return contract


# --- milestones: delivery, acceptance, payment ---------------------------------------------------------------


def _lock_milestone(milestone: Milestone) -> Milestone:
    kit.lock(Contract, milestone.contract_id)
    return Milestone.objects.select_for_update().select_related("contract__rfq").get(pk=milestone.pk)


def _money_key(milestone: Milestone, kind: str) -> str:
    return f"{milestone.contract.rfq.ocid}-m{milestone.pk}-{kind}"


def _pay(actor: Any, milestone: Milestone, kind: str, target: str) -> Payment:
    """Call the provider once for this milestone and kind, and move its payment state (already locked)."""
    if not PAYMENT_STATES.allows(milestone.payment_state, target):
        raise PAYMENT_STATES.refuse(milestone.payment_state, target, "payment_state")
    provider = payment_provider()
    key = _money_key(milestone, kind)
    contract = milestone.contract
    call = {Payment.Kind.FUND: provider.fund, Payment.Kind.RELEASE: provider.release,
            Payment.Kind.REFUND: provider.refund}[kind]
    party = {"payee": str(contract.provider_id)} if kind == Payment.Kind.RELEASE else {"payer": str(contract.buyer_id)}
    try:
        result = call(key, amount=milestone.amount, currency="CNY", reference=key, **party)
    except PaymentError as exc:
        raise ValidationError({"payment": [f"支付失败 (payment failed): {exc}"]}) from exc
    payment = Payment.objects.create(milestone=milestone, kind=kind, amount=milestone.amount,
                                     provider=result.provider, idempotency_key=key, reference=result.reference,
                                     status=result.status)
    source = milestone.payment_state
    milestone.payment_state = target
    milestone.save(update_fields=["payment_state", "updated_at"])
    _event(actor, milestone, f"milestone.{target}", contract.rfq, before={"payment_state": source}, after={
        "payment_state": target, "payment": payment.pk, "amount": payment.amount, "provider": payment.provider,
        "reference": payment.reference}, from_state=source, to_state=target,
        data={"contract": contract.pk, "milestone": milestone.pk}, organization_id=contract.buyer_id)
    return payment


def fund_milestone(actor: Any, milestone: Milestone) -> Payment:
    """The buyer puts the milestone's amount in escrow (``unfunded → funded``)."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        milestone_rules.require(actor, "fund", milestone)
        return _pay(actor, milestone, Payment.Kind.FUND, PaymentState.FUNDED)


def release_payment(actor: Any, milestone: Milestone) -> Payment:
    """The buyer pays an accepted, funded milestone out to the provider (``funded → released``)."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        milestone_rules.require(actor, "release", milestone)
        payment = _pay(actor, milestone, Payment.Kind.RELEASE, PaymentState.RELEASED)
        _complete_if_done(actor, milestone.contract)
        return payment


def submit_milestone(actor: Any, milestone: Milestone, *, note: str = "",
                     documents: Sequence[DocumentInput] = ()) -> Milestone:
    """The provider delivers: files hashed with SHA-256 (shown to both sides), the milestone awaits acceptance."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        milestone_rules.require(actor, "submit", milestone)
        errors: dict[str, list[str]] = {}
        if not documents:
            errors["documents"] = ["请上传交付物 (upload the deliverables)"]
        checked = _check_documents(errors, documents) if documents else []
        kit.require_fields(errors)
        source = milestone.state
        contract = milestone.contract
        stored = _store_documents(actor, contract.rfq, DealDocument.Role.DELIVERABLE, contract.provider_id,
                                  checked, milestone=milestone, contract=contract)
        milestone.state, milestone.submitted_at = MilestoneState.SUBMITTED, timezone.now()
        milestone.save(update_fields=["state", "submitted_at", "updated_at"])
        _event(actor, milestone, "milestone.submitted", contract.rfq, before={"state": source}, after={
            "state": milestone.state, "documents": _doc_records(stored), "note": note[:500]},
            from_state=source, to_state=milestone.state, note=note[:200],
            data={"contract": contract.pk, "milestone": milestone.pk}, organization_id=contract.provider_id)
    return milestone


def _decide(actor: Any, milestone: Milestone, target: str, action: str, reason: str, *, auto: bool = False) -> None:
    if not MILESTONE_STATES.allows(milestone.state, target):
        raise MILESTONE_STATES.refuse(milestone.state, target)
    source = milestone.state
    milestone.state, milestone.decided_at = target, timezone.now()
    milestone.decision_reason, milestone.auto_accepted = reason.strip()[:2000], auto
    milestone.save(update_fields=["state", "decided_at", "decision_reason", "auto_accepted", "updated_at"])
    contract = milestone.contract
    _event(actor, milestone, action, contract.rfq, before={"state": source},
           after={"state": target, "reason": milestone.decision_reason, "auto": auto}, from_state=source,
           to_state=target, note=reason[:200], data={"contract": contract.pk, "milestone": milestone.pk},
           organization_id=contract.buyer_id)


def accept_milestone(actor: Any, milestone: Milestone, *, reason: str = "") -> Milestone:
    """The buyer accepts the delivery (then releases the payment, or the contract completes if nothing is owed)."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        milestone_rules.require(actor, "accept", milestone)
        _decide(actor, milestone, MilestoneState.ACCEPTED, "milestone.accepted", reason)
        _complete_if_done(actor, milestone.contract)
    return milestone


def reject_milestone(actor: Any, milestone: Milestone, *, reason: str) -> Milestone:
    """The buyer rejects with reasons; the provider may deliver again or raise a dispute."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        milestone_rules.require(actor, "reject", milestone)
        if not (reason or "").strip():
            raise ValidationError({"reason": ["请说明驳回理由 (give the reasons for rejecting)"]})
        _decide(actor, milestone, MilestoneState.REJECTED, "milestone.rejected", reason)
    return milestone


def auto_accept_due_milestones(actor: Any = "system:auto_accept_milestones", *, now: datetime | None = None) -> int:
    """A submitted milestone with no answer for N days (``RONGHE_DEALS_AUTO_ACCEPT_DAYS``) is accepted, and its
    escrow released; idempotent (each runs in its own transaction under the row lock)."""
    cutoff = (now or timezone.now()) - timedelta(days=auto_accept_days())
    due = list(Milestone.objects.filter(state=MilestoneState.SUBMITTED, submitted_at__lte=cutoff,
                                        contract__state=ContractState.ACTIVE).values_list("pk", flat=True))
    count = 0
    for pk in due:
        with transaction.atomic():
            milestone = _lock_milestone(Milestone(pk=pk, contract_id=Milestone.objects.get(pk=pk).contract_id))
            if milestone.state != MilestoneState.SUBMITTED or milestone.submitted_at > cutoff:
                continue
            _decide(actor, milestone, MilestoneState.ACCEPTED, "milestone.auto_accepted",
                    f"{auto_accept_days()} 天内未答复，自动验收 (no answer within {auto_accept_days()} days)", auto=True)
            if milestone.payment_state == PaymentState.FUNDED:
                _pay(actor, milestone, Payment.Kind.RELEASE, PaymentState.RELEASED)
            _complete_if_done(actor, milestone.contract)
            count += 1
    return count


def _settled(m: Milestone) -> bool:
    return ((m.state == MilestoneState.ACCEPTED and m.payment_state == PaymentState.RELEASED)
            or (m.state == MilestoneState.FAILED and m.payment_state != PaymentState.FUNDED))


def _complete_if_done(actor: Any, contract: Contract) -> None:
    """Every milestone final and its money settled → the contract completes; the last one closes the demand."""
    contract = Contract.objects.get(pk=contract.pk)  # locked by the caller
    if contract.state != ContractState.ACTIVE or not all(_settled(m) for m in contract.milestones.all()):
        return
    contract.state, contract.completed_at = ContractState.COMPLETED, timezone.now()
    contract.save(update_fields=["state", "completed_at", "updated_at"])
    _event(actor, contract, "contract.completed", contract.rfq, before={"state": ContractState.ACTIVE},
           after={"state": contract.state}, from_state=ContractState.ACTIVE, to_state=contract.state,
           data={"contract": contract.pk, "provider": contract.provider_id})
    rfq = contract.rfq
    live = rfq.contracts.exclude(state=ContractState.CANCELLED)
    if rfq.state == RFQState.AWARDED and not live.exclude(state=ContractState.COMPLETED).exists():
        _move_demand(actor, rfq.demand, DemandState.CLOSED)


# --- disputes ------------------------------------------------------------------------------------------------


def _arbitrator(contract: Contract) -> int | None:
    """An association whose published demand list the buyer joined for this service item (else the operator)."""
    item = contract.award.lot.item_id
    return (DemandListEntry.objects.filter(manufacturer=contract.buyer_id, item=item,
                                           demand_list__state="published")
            .order_by("demand_list_id").values_list("demand_list__organization_id", flat=True).first())


def raise_dispute(actor: Any, milestone: Milestone, *, reason: str,
                  evidence: Sequence[DocumentInput] = ()) -> Dispute:
    """Either side disputes a submitted or rejected milestone, with evidence; the milestone waits for the ruling."""
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        milestone_rules.require(actor, "dispute", milestone)
        errors: dict[str, list[str]] = {}
        if not (reason or "").strip():
            errors["reason"] = ["请说明争议理由 (state the reason)"]
        checked = _check_documents(errors, evidence)
        kit.require_fields(errors)
        contract = milestone.contract
        side = side_of(actor, contract)
        org = contract.buyer_id if side == "buyer" else contract.provider_id
        dispute = Dispute.objects.create(milestone=milestone, raised_by_id=org, arbitrator_id=_arbitrator(contract),
                                         reason=reason.strip())
        stored = _store_documents(actor, contract.rfq, DealDocument.Role.EVIDENCE, org, checked, dispute=dispute,
                                  contract=contract)
        source = milestone.state
        milestone.state = MilestoneState.DISPUTED
        milestone.save(update_fields=["state", "updated_at"])
        _event(actor, dispute, "dispute.raised", contract.rfq, before={"milestone_state": source}, after={
            "milestone": milestone.pk, "milestone_state": milestone.state, "side": side,
            "arbitrator": dispute.arbitrator_id, "evidence": _doc_records(stored)},
            from_state=source, to_state=milestone.state, note=reason[:200],
            data={"contract": contract.pk, "dispute": dispute.pk, "arbitrator": dispute.arbitrator_id},
            organization_id=org)
    return dispute


def resolve_dispute(actor: Any, dispute: Dispute, *, outcome: str, decision: str) -> Dispute:
    """The arbitrator rules: for the provider → accepted and released; for the buyer → failed and refunded.

    The outcome is on the chain and in the event for the evaluation of both parties.
    """
    with transaction.atomic():
        milestone = _lock_milestone(dispute.milestone)
        dispute = kit.lock(dispute)
        dispute_rules.require(actor, "resolve", dispute)
        errors: dict[str, list[str]] = {}
        if outcome not in Dispute.Outcome.values:
            errors["outcome"] = ["请选择裁决结果 (choose an outcome)"]
        if not (decision or "").strip():
            errors["decision"] = ["请写明裁决理由 (write down the decision)"]
        kit.require_fields(errors)
        dispute.state, dispute.outcome, dispute.decision = Dispute.State.RESOLVED, outcome, decision.strip()
        dispute.decided_by, dispute.decided_at = actor, timezone.now()
        dispute.save(update_fields=["state", "outcome", "decision", "decided_by", "decided_at", "updated_at"])
        contract = milestone.contract
        _event(actor, dispute, "dispute.resolved", contract.rfq, before={"state": Dispute.State.OPEN},
               after={"state": dispute.state, "outcome": outcome, "decision": dispute.decision},
               note=outcome, data={"contract": contract.pk, "dispute": dispute.pk, "outcome": outcome,
                                   "provider": contract.provider_id, "buyer": contract.buyer_id})
        if outcome == Dispute.Outcome.PROVIDER:
            _decide(actor, milestone, MilestoneState.ACCEPTED, "milestone.accepted", f"裁决 ruling: {decision}")
            if milestone.payment_state == PaymentState.FUNDED:
                _pay(actor, milestone, Payment.Kind.RELEASE, PaymentState.RELEASED)
        else:
            _decide(actor, milestone, MilestoneState.FAILED, "milestone.failed", f"裁决 ruling: {decision}")
            if milestone.payment_state == PaymentState.FUNDED:
                _pay(actor, milestone, Payment.Kind.REFUND, PaymentState.REFUNDED)
        _complete_if_done(actor, contract)
    return dispute


# --- ratings -------------------------------------------------------------------------------------------------


def rate_contract(actor: Any, contract: Contract, *, quality: int, timeliness: int, communication: int,
                  comment: str = "") -> Rating:
    """Each side rates the other once (1–5 for quality, timeliness, communication), only once it is completed."""
    with transaction.atomic():
        contract = kit.lock(contract)
        contract_rules.require(actor, "rate", contract)
        errors: dict[str, list[str]] = {}
        scores = {"quality": quality, "timeliness": timeliness, "communication": communication}
        for name, value in scores.items():
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                errors[name] = ["请打 1–5 分 (a score from 1 to 5)"]
        kit.require_fields(errors)
        side = side_of(actor, contract)
        rater, ratee = ((contract.buyer_id, contract.provider_id) if side == "buyer"
                        else (contract.provider_id, contract.buyer_id))
        rating = Rating.objects.create(contract=contract, side=side, rater_id=rater, ratee_id=ratee,
                                       comment=(comment or "").strip()[:2000], rated_by=actor, **scores)
        _event(actor, rating, "rating.given", contract.rfq, after={
            "contract": contract.pk, "side": side, "ratee": ratee, **scores}, data={
            "contract": contract.pk, "rating": rating.pk, "ratee": ratee}, organization_id=rater)
    return rating
