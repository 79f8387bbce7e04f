"""What a user is shown of a deal, as plain dicts: the one shape pages, the API and the tests read.

Bids go through :mod:`deals.sealing` here and nowhere else: a sealed bid is presented with its existence (to its
bidder) and hashes, never with a price, plan, team or document link for anyone else.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ronghe.platform.core import audit
from ronghe.platform.deals import sealing
from ronghe.platform.deals.models import (
    RFQ,
    Bid,
    BidState,
    Contract,
    DealDocument,
    Dispute,
    Milestone,
    Rating,
)
from ronghe.platform.deals.payments import provider_label
from ronghe.platform.deals.rules import (
    bid_rules,
    contract_rules,
    dispute_rules,
    milestone_rules,
    rfq_rules,
)


def chain_head() -> dict[str, Any]:
    """The audit chain's head, published on every deal page and OCDS package (a rewrite then disagrees)."""
    length, digest = audit.head()
    return {"entries": length, "hash": digest}


def document(doc: DealDocument, user: Any) -> dict[str, Any]:
    entitled = sealing.may_read_document(user, doc)
    return {
        "id": doc.pk, "role": doc.role, "visibility": doc.visibility, "visibility_label": doc.get_visibility_display(),
        "visibility_reason": doc.visibility_reason if entitled else "", "sha256": doc.sha256, "size": doc.size,
        "entitled": entitled, "name": doc.original_name if entitled else "",
        "download_url": reverse("deals:document_download", args=[doc.pk]) if entitled else "",
        "uploaded_at": doc.uploaded_at,
    }


def award_notice(lot: Any) -> dict[str, Any] | None:
    award = getattr(lot, "award", None) if lot.state == "awarded" else None
    if award is None:
        return None
    return {"id": award.pk, "provider": award.bid.provider_id, "provider_name": award.bid.provider.name,
            "value": award.value, "reason": award.reason, "date": award.created_at}


def rfq(obj: RFQ, user: Any) -> dict[str, Any]:
    mine = Bid.objects.restrict(user).filter(rfq=obj, provider__in=sealing._orgs(user)).first()
    return {
        "id": obj.pk, "ocid": obj.ocid, "title": obj.title, "demand": obj.demand_id,
        "buyer": obj.organization_id, "buyer_name": obj.organization.name, "access": obj.access,
        "bid_deadline": obj.bid_deadline, "state": obj.state, "state_label": obj.get_state_display(),
        "opened_at": obj.opened_at, "show_bid_count": obj.show_bid_count, "bid_count": sealing.bid_count(user, obj),
        "lots": [{"id": lot.pk, "title": lot.title, "item": lot.item_id, "quantity": lot.quantity,
                  "state": lot.state, "state_label": lot.get_state_display(), "award": award_notice(lot)}
                 for lot in obj.lots.select_related("award__bid__provider").order_by("id")],
        "my_bid": mine.pk if mine else None, "actions": sorted(rfq_rules.allowed(user, obj)),
        "contracts": list(Contract.objects.restrict(user).filter(rfq=obj).values_list("pk", flat=True)),
        "audit_head": chain_head(),
    }


def bid(obj: Bid, user: Any) -> dict[str, Any]:
    readable = sealing.may_read_bid(user, obj)
    version = obj.current
    out: dict[str, Any] = {
        "id": obj.pk, "rfq": obj.rfq_id, "provider": obj.provider_id, "provider_name": obj.provider.name,
        "state": obj.state, "state_label": obj.get_state_display(), "sealed": not sealing.opened(obj.rfq),
        "readable": readable, "version": version.number if version else None,
        "submitted_at": version.submitted_at if version else None, "sha256": version.sha256 if version else "",
        "prices": None, "total": None, "plan": None, "team": None, "documents": [],
        "actions": sorted(bid_rules.allowed(user, obj)),
    }
    if version is not None:
        out["documents"] = [document(d, user) for d in version.documents.all()]
    if readable and version is not None:
        lines = list(version.lines.all())
        out.update(prices=[{"lot": line.lot_id, "price": line.price} for line in lines],
                   total=sum((line.price for line in lines), start=0), plan=version.plan, team=version.team)
    return out


def comparison(obj: RFQ, user: Any) -> list[dict[str, Any]]:
    """Side by side for the buyer after opening: price per lot, plan, team, certificates, track record."""
    from ronghe.platform.providers.models import Certificate

    rows = []
    for b in obj.bids.exclude(state=BidState.WITHDRAWN).select_related("provider", "current").order_by("id"):
        shown = bid(b, user)
        if not shown["readable"]:
            continue
        certs = list(Certificate.objects.filter(provider=b.provider_id, verified=True)
                     .values_list("cert_type", flat=True))
        shown["certificates"] = certs
        shown["completed_contracts"] = Contract.objects.filter(provider=b.provider_id, state="completed").count()
        ratings = Rating.objects.filter(ratee=b.provider_id)
        shown["rating_count"] = ratings.count()
        shown["rating_average"] = (round(sum(r.quality + r.timeliness + r.communication for r in ratings)
                                         / (3 * shown["rating_count"]), 2) if shown["rating_count"] else None)
        shown["prices_by_lot"] = {p["lot"]: p["price"] for p in shown["prices"] or []}
        rows.append(shown)
    return sorted(rows, key=lambda r: r["total"] or 0)


def milestone(obj: Milestone, user: Any) -> dict[str, Any]:
    return {
        "id": obj.pk, "contract": obj.contract_id, "number": obj.number, "title": obj.title,
        "deliverables": obj.deliverables, "acceptance_criteria": obj.acceptance_criteria, "due_date": obj.due_date,
        "amount": obj.amount, "state": obj.state, "state_label": obj.get_state_display(),
        "payment_state": obj.payment_state, "payment_state_label": obj.get_payment_state_display(),
        "submitted_at": obj.submitted_at, "decided_at": obj.decided_at, "auto_accepted": obj.auto_accepted,
        "decision_reason": obj.decision_reason,
        "documents": [document(d, user) for d in obj.documents.filter(role=DealDocument.Role.DELIVERABLE)],
        "payments": [{"id": p.pk, "kind": p.kind, "kind_label": p.get_kind_display(), "amount": p.amount, "provider": p.provider,
                      "provider_label": provider_label(p.provider), "reference": p.reference, "status": p.status,
                      "at": p.at} for p in obj.payments.all()],
        "disputes": [d.pk for d in obj.disputes.all()],
        "actions": sorted(milestone_rules.allowed(user, obj)),
    }


def contract(obj: Contract, user: Any) -> dict[str, Any]:
    from ronghe.platform.deals.services import contract_sha256, contract_text

    return {
        "id": obj.pk, "rfq": obj.rfq_id, "ocid": obj.rfq.ocid, "award": obj.award_id, "title": obj.title,
        "buyer": obj.buyer_id, "buyer_name": obj.buyer.name, "provider": obj.provider_id,
        "provider_name": obj.provider.name, "value": obj.value, "terms": obj.terms, "state": obj.state,
        "state_label": obj.get_state_display(), "signed_at": obj.signed_at, "completed_at": obj.completed_at,
        "text": contract_text(obj), "text_sha256": contract_sha256(obj),
        "signatures": [{"side": s.side, "organization": s.organization_id, "username": s.username,
                        "text_sha256": s.text_sha256, "at": s.at} for s in obj.signatures.all()],
        "milestones": [milestone(m, user) for m in obj.milestones.all()],
        "documents": [document(d, user) for d in obj.documents.filter(role=DealDocument.Role.CONTRACT)],
        "ratings": [rating(r) for r in obj.ratings.all()],
        "actions": sorted(contract_rules.allowed(user, obj)), "audit_head": chain_head(),
    }


def dispute(obj: Dispute, user: Any) -> dict[str, Any]:
    return {
        "id": obj.pk, "milestone": obj.milestone_id, "contract": obj.milestone.contract_id,
        "raised_by": obj.raised_by_id, "raised_by_name": obj.raised_by.name, "arbitrator": obj.arbitrator_id,
        "reason": obj.reason, "state": obj.state, "state_label": obj.get_state_display(), "outcome": obj.outcome,
        "decision": obj.decision, "decided_at": obj.decided_at, "created_at": obj.created_at,
        "evidence": [document(d, user) for d in obj.documents.all()],
        "actions": sorted(dispute_rules.allowed(user, obj)),
    }


def rating(obj: Rating) -> dict[str, Any]:
    return {"id": obj.pk, "contract": obj.contract_id, "side": obj.side, "rater": obj.rater_id,
            "ratee": obj.ratee_id, "quality": obj.quality, "timeliness": obj.timeliness,
            "communication": obj.communication, "comment": obj.comment, "created_at": obj.created_at}
