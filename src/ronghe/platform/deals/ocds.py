"""OCDS 1.1 releases and records of every deal (Open Contracting Data Standard), public data only.

Mapping (ProZorro's ``prepare_release`` is the model): the RFQ is the contracting process (``ocid`` =
``RONGHE_OCID_PREFIX`` + ``-rfq<id>``); its lots are ``tender.items`` (classified by the service catalogue code);
after the opening the bids extension's ``bids.statistics`` and ``bids.details`` (tenderers, status — the value
only of what was awarded, never a losing price); awards per lot; contracts with ``implementation.milestones`` and
the released payments as ``transactions``. Nothing sealed (no bid before the opening), nothing confidential
(no demand budget, no scope text, no document that is not public) is ever written. Each package carries the audit
chain's head (``x_auditChainHead``), so a later rewrite of the chain disagrees with what was published.

Each deal has a ``tender`` release (as it was opened) and, once anything else happened, one release of its
current state (tags from what it holds), identified by its last event; the record compiles the latest.
Validated against the shipped OCDS 1.1.5 schemas with the bids extension merged in (:func:`validate`).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ronghe.platform.core import audit
from ronghe.platform.deals import sealing
from ronghe.platform.deals.models import (
    RFQ,
    BidState,
    ContractState,
    DealDocument,
    MilestoneState,
    Payment,
    RFQState,
    Visibility,
    ocid_prefix,
)

SCHEMA_DIR = Path(__file__).with_name("schema")
BASE = "https://standard.open-contracting.org/schema/1__1__5/"
BIDS_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
CURRENCY = "CNY"
TENDER_STATUS = {RFQState.BIDDING: "active", RFQState.OPENED: "active", RFQState.AWARDED: "complete",
                 RFQState.UNSUCCESSFUL: "unsuccessful", RFQState.CANCELLED: "cancelled"}
CONTRACT_STATUS = {ContractState.DRAFT: "pending", ContractState.ACTIVE: "active",
                   ContractState.COMPLETED: "terminated", ContractState.CANCELLED: "cancelled"}
MILESTONE_STATUS = {MilestoneState.ACCEPTED: "met", MilestoneState.FAILED: "notMet"}


def stamp(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value:%Y-%m-%d}T00:00:00Z"


def parse_since(text: str | None) -> datetime | None:
    """``YYYY-MM-DD`` (or an ISO date-time) → an aware datetime; garbage is ignored (everything is returned)."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _money(amount: Any) -> dict[str, Any]:
    return {"amount": float(amount), "currency": CURRENCY}


def _org_id(org_id: int) -> str:
    return f"ronghe-org-{org_id}"


def _party(org: Any, roles: set[str]) -> dict[str, Any]:
    return {"id": _org_id(org.pk), "name": org.name, "roles": sorted(roles),
            "identifier": {"scheme": "CN-USCC", "id": org.credit_code, "legalName": org.name},
            "address": {"region": org.province, "locality": org.city, "countryName": "中国"}}


def _ref(org: Any) -> dict[str, str]:
    return {"id": _org_id(org.pk), "name": org.name}


def _document(doc: DealDocument) -> dict[str, Any]:
    return {"id": f"doc-{doc.pk}", "title": doc.original_name, "format": doc.content_type,
            "datePublished": stamp(doc.uploaded_at), "description": f"{doc.role} {doc.sha256}"}


def _public_documents(rfq: RFQ, **filters: Any) -> list[dict[str, Any]]:
    rows = rfq.documents.filter(visibility=Visibility.PUBLIC, **filters).order_by("id")
    return [_document(d) for d in rows if d.role != DealDocument.Role.BID or sealing.opened(rfq)]


def _tender(rfq: RFQ, *, status: str) -> dict[str, Any]:
    return {
        "id": f"rfq-{rfq.pk}", "title": rfq.title, "description": rfq.demand.summary or rfq.demand.title,
        "status": status, "procuringEntity": _ref(rfq.organization),
        "procurementMethod": "open" if rfq.access == RFQ.Access.OPEN else "selective",
        "mainProcurementCategory": "services", "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": stamp(rfq.created_at), "endDate": stamp(rfq.bid_deadline)},
        "items": [{"id": f"lot-{lot.pk}", "description": lot.title, "quantity": lot.quantity,
                   "classification": {"scheme": "RONGHE-SERVICE-ITEM", "id": lot.item.code,
                                      "description": lot.item.name_zh}}
                  for lot in rfq.lots.select_related("item").order_by("id")],
    }


def _releases(rfq: RFQ) -> list[dict[str, Any]]:
    """The deal's releases, oldest first."""
    buyer = rfq.organization
    base = {"ocid": rfq.ocid, "initiationType": "tender", "language": "zh", "buyer": _ref(buyer)}
    tender = {**base, "id": f"{rfq.ocid}-tender", "date": stamp(rfq.created_at), "tag": ["tender"],
              "parties": [_party(buyer, {"buyer", "procuringEntity"})], "tender": _tender(rfq, status="active")}
    last = rfq.events.order_by("-id").first()
    if last is None or last.kind == "created" or (last.at <= rfq.created_at):
        return [tender]
    current = {**base, "id": f"{rfq.ocid}-{last.pk}", "date": stamp(last.at)}
    roles: dict[int, set[str]] = {buyer.pk: {"buyer", "procuringEntity"}}
    orgs = {buyer.pk: buyer}
    body = _tender(rfq, status=TENDER_STATUS[rfq.state])
    count = sealing.bid_count(AnonymousUser(), rfq)
    tags = ["tenderUpdate"]
    if sealing.opened(rfq):
        bids = list(rfq.bids.exclude(state=BidState.WITHDRAWN).select_related("provider", "current")
                    .prefetch_related("awards").order_by("id"))
        details = []
        for b in bids:
            orgs[b.provider_id] = b.provider
            roles.setdefault(b.provider_id, set()).add("tenderer")
            row = {"id": f"bid-{b.pk}", "date": stamp(b.current.submitted_at if b.current else b.created_at),
                   "status": "valid", "tenderers": [_ref(b.provider)]}
            awarded = [a.value for a in b.awards.all()]
            if awarded:
                row["value"] = _money(sum(awarded))
            docs = [_document(d) for d in DealDocument.objects.filter(
                bid_version=b.current_id, visibility=Visibility.PUBLIC)] if b.current_id else []
            if docs:
                row["documents"] = docs
            details.append(row)
        body["tenderers"] = [_ref(b.provider) for b in bids]
        current["bids"] = {"statistics": [{"id": "bids", "measure": "validBids", "value": len(bids),
                                           "date": stamp(rfq.opened_at)}], "details": details}
    if count is not None:
        body["numberOfTenderers"] = count
    if docs := _public_documents(rfq, role=DealDocument.Role.CONTRACT):
        body["documents"] = docs
    current["tender"] = body
    awards = []
    for lot in rfq.lots.filter(state="awarded").select_related("award__bid__provider", "item").order_by("id"):
        award, supplier = lot.award, lot.award.bid.provider
        orgs[supplier.pk] = supplier
        roles.setdefault(supplier.pk, set()).add("supplier")
        awards.append({"id": f"award-{award.pk}", "title": lot.title, "description": award.reason,
                       "status": "active", "date": stamp(award.created_at), "value": _money(award.value),
                       "suppliers": [_ref(supplier)], "items": [{"id": f"lot-{lot.pk}", "description": lot.title,
                                                                 "quantity": lot.quantity}]})
    if awards:
        current["awards"] = awards
        tags.append("award")
    contracts = []
    for c in rfq.contracts.select_related("award").prefetch_related("milestones__payments").order_by("id"):
        roles.setdefault(c.provider_id, set()).add("payee")
        roles[buyer.pk].add("payer")
        milestones, transactions = [], []
        for m in c.milestones.all():
            row = {"id": f"milestone-{m.pk}", "title": m.title, "type": "delivery", "dueDate": stamp(m.due_date),
                   "status": MILESTONE_STATUS.get(m.state, "scheduled"), "dateModified": stamp(m.updated_at)}
            if m.state == MilestoneState.ACCEPTED and m.decided_at:
                row["dateMet"] = stamp(m.decided_at)
            milestones.append(row)
            transactions += [{"id": p.reference, "date": stamp(p.at), "value": _money(p.amount),
                              "payer": _ref(buyer), "payee": _ref(c.provider), "source": "ronghe:" + p.provider}
                             for p in m.payments.all() if p.kind == Payment.Kind.RELEASE]
        row = {"id": f"contract-{c.pk}", "awardID": f"award-{c.award_id}", "title": c.title,
               "status": CONTRACT_STATUS[c.state], "value": _money(c.value)}
        if c.signed_at:
            row["dateSigned"] = stamp(c.signed_at)
        implementation: dict[str, Any] = {"milestones": milestones}
        if transactions:
            implementation["transactions"] = transactions
        if docs := _public_documents(rfq, role=DealDocument.Role.DELIVERABLE, contract=c):
            implementation["documents"] = docs
        row["implementation"] = implementation
        contracts.append(row)
    if contracts:
        current["contracts"] = contracts
        tags.append("contract")
        if any(c["implementation"]["milestones"] and (c["status"] != "pending") for c in contracts):
            tags.append("implementation")
    current["tag"] = tags
    current["parties"] = [_party(orgs[pk], r) for pk, r in roles.items() if pk in orgs] + [
        _party(c.provider, {"payee"}) for c in rfq.contracts.select_related("provider") if c.provider_id not in orgs]
    return [tender, current]


def _publishable() -> Any:
    """Every deal whose demand summary is public (what an anonymous visitor may know exists)."""
    return RFQ.objects.restrict(AnonymousUser()).select_related("organization", "demand").order_by("id")


def _package_head(uri: str | None, kind: str) -> dict[str, Any]:
    length, digest = audit.head()
    return {
        "uri": uri or f"urn:ronghe:ocds:{kind}:{ocid_prefix()}",
        "version": "1.1", "extensions": [BIDS_EXTENSION],
        "publishedDate": stamp(timezone.now()),
        "publisher": {"name": getattr(settings, "RONGHE_OCDS_PUBLISHER", "ronghe 两业融合公共服务平台")},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "x_auditChainHead": {"entries": length, "hash": digest},
    }


def release_package(*, since: datetime | None = None, uri: str | None = None) -> dict[str, Any]:
    """Every public release (of deals changed since ``since``), as one release package."""
    releases = []
    for rfq in _publishable():
        for release in _releases(rfq):
            if since is None or release["date"] >= stamp(since):
                releases.append(release)
    package = _package_head(uri, "releases")
    package["releases"] = releases
    return package


def record_package(ocid: str, *, uri: str | None = None) -> dict[str, Any] | None:
    """The record (linked releases + compiled release) of one deal, or None if there is no public deal."""
    prefix = f"{ocid_prefix()}-rfq"
    if not ocid.startswith(prefix) or not ocid[len(prefix):].isdigit():
        return None
    rfq = _publishable().filter(pk=int(ocid[len(prefix):])).first()
    if rfq is None:
        return None
    releases = _releases(rfq)
    compiled = copy.deepcopy(releases[-1])
    compiled["id"], compiled["tag"] = f"{rfq.ocid}-compiled", ["compiled"]
    package = _package_head(uri, f"record:{ocid}")
    base = uri or package["uri"]
    package["packages"] = [base]
    package["records"] = [{"ocid": rfq.ocid, "compiledRelease": compiled,
                           "releases": [{"url": f"{base}#{r['id']}", "date": r["date"], "tag": r["tag"]}
                                        for r in releases]}]
    return package


# --- validation against the shipped schemas ------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386): how an OCDS extension's release-schema.json is applied to the core one."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validators() -> dict[str, Any]:
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release = merge_patch(_load("release-schema.json"), _load("bids-release-schema.json"))
    resources = {BASE + "release-schema.json": release}
    for name in ("release-package-schema.json", "record-package-schema.json",
                 "versioned-release-validation-schema.json"):
        resources[BASE + name] = _load(name)
    registry = Registry().with_resources(
        (url, Resource.from_contents(schema, default_specification=DRAFT4)) for url, schema in resources.items())
    return {kind: Draft4Validator(resources[BASE + f"{kind}-package-schema.json"], registry=registry)
            for kind in ("release", "record")}


def validate(package: dict[str, Any], kind: str = "release") -> list[str]:
    """Every schema error of a release (``kind="release"``) or record package, as ``path: message``; [] if valid."""
    validator = _validators()[kind]
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))]
