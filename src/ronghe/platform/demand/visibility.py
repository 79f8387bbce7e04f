"""Who sees what of a demand — the ONE place pages, API, search and exports ask.

Manufacturers fear leaks of technical and financial information, so a demand is split in two:

* **Summary** (公开摘要) — shown in lists, search results and exports to anyone who may know the demand exists:
  title, public summary text, manufacturing industry, province/city, service items and their categories,
  budget *band* (not the amounts), deadline, state, confidentiality level, publication date, number of
  attachments.
* **Details** (保密内容) — only for the entitled: the buyer organization and contacts, each line's scope text and
  quantity, the exact budget (min/max), attachment names and files, invitations.

Rows: a draft is seen only by its owner organization; a ``private`` demand only by its owner; every other
demand's summary is public (anonymous visitors included). Details, by confidentiality level:

========== =====================================================================================
public     everyone (nothing in it is confidential)
registered members of any registered service-provider organization (服务商)
nda        members of provider organizations invited by the owner whose NDA has been accepted
private    nobody but the owner
========== =====================================================================================

The owner organization's members always see everything. Platform operators see everything for moderation;
government viewers are read-only and see summaries. Every view of details or an attachment by anyone but the
owner is written to :class:`core.models.ConfidentialAccess` (channel web, api or export).

:func:`summary_q` / :func:`detail_q` are the queryset forms (lists and text search), :func:`can_view_details`
the per-object form; ``test_visibility`` checks that they agree for every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_noop  # the labels stay plain str; pages translate them

from ronghe.platform.accounts.reference import provinces
from ronghe.platform.core.audit import log_confidential_access
from ronghe.platform.core.permissions import is_operator, org_ids
from ronghe.platform.demand.models import (
    Confidentiality,
    Demand,
    DemandAttachment,
    DemandInvitation,
    DemandLine,
    DemandState,
)

SUMMARY_FIELDS: tuple[str, ...] = (
    "id", "title", "summary", "industry", "province", "city", "items", "budget_band", "deadline", "state",
    "confidentiality", "published_at", "attachment_count",
)
CONFIDENTIAL_FIELDS: tuple[str, ...] = (
    "organization", "contact_name", "contact_phone", "contact_email", "lines.scope", "lines.quantity",
    "budget_min", "budget_max", "attachments", "invitations",
)

BUDGET_BANDS: tuple[tuple[str, int | None, str], ...] = (
    # (code, upper bound in CNY exclusive, label)
    ("lt10w", 100_000, gettext_noop("10万元以下")),
    ("10w-50w", 500_000, gettext_noop("10万–50万元")),
    ("50w-200w", 2_000_000, gettext_noop("50万–200万元")),
    ("200w-1kw", 10_000_000, gettext_noop("200万–1000万元")),
    ("ge1kw", None, gettext_noop("1000万元以上")),
)
BUDGET_BAND_LABELS = {code: label for code, _, label in BUDGET_BANDS}


def budget_band(budget_max: Any) -> str:
    """The coarse band of the upper budget: enough to match providers, too coarse to reveal the figure."""
    for code, upper, _ in BUDGET_BANDS:
        if upper is None or budget_max < upper:
            return code
    raise AssertionError("unreachable")


def _owner_orgs(user: Any) -> list[int]:
    return org_ids(user) if getattr(user, "is_authenticated", False) else []


def _provider_orgs(user: Any) -> list[int]:
    return org_ids(user, kinds={"provider"}) if getattr(user, "is_authenticated", False) else []


def summary_q(user: Any) -> Q:
    """Demands whose summary ``user`` may see (the rows of every list)."""
    if is_operator(user):
        return Q()
    shared = ~Q(state=DemandState.DRAFT) & ~Q(confidentiality=Confidentiality.PRIVATE)
    mine = _owner_orgs(user)
    return (shared | Q(organization__in=mine)) if mine else shared


def detail_q(user: Any) -> Q:
    """Demands whose details ``user`` may see: used to widen text search to confidential text."""
    if is_operator(user):
        return Q()
    shared = ~Q(state=DemandState.DRAFT)
    entitled = Q(confidentiality=Confidentiality.PUBLIC)
    providers = _provider_orgs(user)
    if providers:
        accepted = DemandInvitation.objects.filter(
            demand=OuterRef("pk"), provider__in=providers, accepted_at__isnull=False
        )
        entitled |= Q(confidentiality=Confidentiality.REGISTERED) | (
            Q(confidentiality=Confidentiality.NDA) & Exists(accepted)
        )
    mine = _owner_orgs(user)
    result = shared & entitled
    return (result | Q(organization__in=mine)) if mine else result


def is_owner(user: Any, demand: Demand) -> bool:
    return demand.organization_id in _owner_orgs(user)


def can_view_summary(user: Any, demand: Demand) -> bool:
    if is_operator(user) or is_owner(user, demand):
        return True
    return demand.state != DemandState.DRAFT and demand.confidentiality != Confidentiality.PRIVATE


def can_view_details(user: Any, demand: Demand) -> bool:
    """Per-object twin of :func:`detail_q`."""
    if is_operator(user) or is_owner(user, demand):
        return True
    if demand.state == DemandState.DRAFT:
        return False
    level = demand.confidentiality
    if level == Confidentiality.PUBLIC:
        return True
    providers = _provider_orgs(user)
    if not providers:
        return False
    if level == Confidentiality.REGISTERED:
        return True
    if level == Confidentiality.NDA:
        return DemandInvitation.objects.filter(
            demand=demand, provider__in=providers, accepted_at__isnull=False
        ).exists()
    return False


def search_q(user: Any, text: str) -> Q:
    """Text search: summary fields for everyone, confidential text only inside demands the user may read.

    Sub-queries (``Exists``) rather than joins, so a match never duplicates rows on large tables.
    """
    item_match = (Q(item__name_zh__icontains=text) | Q(item__code__icontains=text)
                  | Q(item__category__name_zh__icontains=text))
    summary = (Q(title__icontains=text) | Q(summary__icontains=text)
               | Exists(DemandLine.objects.filter(item_match, demand=OuterRef("pk"))))
    confidential = (
        Q(contact_name__icontains=text)
        | Exists(DemandLine.objects.filter(demand=OuterRef("pk"), scope__icontains=text))
        | Exists(DemandAttachment.objects.filter(demand=OuterRef("pk"), original_name__icontains=text))
    )
    return summary | (confidential & detail_q(user))


def log_details_access(user: Any, demand: Demand, what: str, channel: str) -> None:
    """Log a read of confidential material unless the reader belongs to the owner (their own data)."""
    if demand.confidentiality == Confidentiality.PUBLIC or is_owner(user, demand):
        return
    log_confidential_access(user, demand, what, channel)


@dataclass(frozen=True)
class DemandPresentation:
    """What a page, endpoint or export may show of one demand: ``details`` is None when not entitled."""

    summary: dict[str, Any]
    details: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary, "entitled": self.details is not None, "details": self.details}


def summarize(demand: Demand) -> dict[str, Any]:
    """Summary fields only; expects ``lines__item__category`` prefetched on lists."""
    province = provinces().get(demand.province)
    items = []
    seen: set[int] = set()
    for line in demand.lines.all():
        if line.item_id in seen:
            continue
        seen.add(line.item_id)
        item = line.item
        items.append({
            "id": item.id, "code": item.code, "version": item.version, "name_zh": item.name_zh,
            "category_code": item.category.code, "category_name": item.category.name_zh,
        })
    attachment_count = getattr(demand, "attachment_count", None)
    if attachment_count is None:
        attachment_count = demand.attachments.count()
    return {
        "id": demand.id,
        "title": demand.title,
        "summary": demand.summary,
        "industry": demand.industry_id,
        "industry_name": demand.industry.name_zh,
        "province": demand.province,
        "province_name": province.name_zh if province else demand.province,
        "city": demand.city,
        "items": items,
        "budget_band": demand.budget_band,
        "budget_band_label": BUDGET_BAND_LABELS.get(demand.budget_band, ""),
        "deadline": demand.deadline,
        "state": demand.state,
        "state_label": str(DemandState(demand.state).label),
        "confidentiality": demand.confidentiality,
        "confidentiality_label": str(Confidentiality(demand.confidentiality).label),
        "published_at": demand.published_at,
        "attachment_count": attachment_count,
    }


def _details(demand: Demand, channel: str) -> dict[str, Any]:
    if channel == "api":
        def download(a):
            return reverse("demands-attachment-download", kwargs={"pk": demand.pk, "attachment_id": a.pk})
    else:
        def download(a):
            return reverse("demand:attachment_download", kwargs={"pk": demand.pk, "attachment_id": a.pk})
    return {
        "organization": demand.organization_id,
        "organization_name": demand.organization.name,
        "contact_name": demand.contact_name,
        "contact_phone": demand.contact_phone,
        "contact_email": demand.contact_email,
        "budget_min": demand.budget_min,
        "budget_max": demand.budget_max,
        "lines": [
            {"item": line.item_id, "item_code": line.item.code, "item_version": line.item.version,
             "item_name": line.item.name_zh, "scope": line.scope, "quantity": line.quantity}
            for line in demand.lines.all()
        ],
        "attachments": [
            {"id": a.id, "name": a.original_name, "size": a.size, "content_type": a.content_type,
             "sha256": a.sha256, "download_url": download(a)}
            for a in demand.attachments.all()
        ],
    }


def present(demand: Demand, user: Any, channel: str, *, with_details: bool = True) -> DemandPresentation:
    """The summary always; details only if entitled (and then the access is logged).

    Lists pass ``with_details=False``: listings never carry confidential fields, for anyone.
    """
    summary = summarize(demand)
    if not with_details or not can_view_details(user, demand):
        return DemandPresentation(summary, None)
    log_details_access(user, demand, "details", channel)
    return DemandPresentation(summary, _details(demand, channel))
