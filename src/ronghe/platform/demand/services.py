"""The only write path of the demand app: validate, write inside one transaction, record the event, log.

Views, forms, the API and the demo generator call these functions. Validation errors are Django
``ValidationError`` with a field → messages dict (forms show them, the API answers 400); acting on something
the user may not touch is ``PermissionDenied``. Nothing is written unless everything validated.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import provinces
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.documents import validate_document
from ronghe.platform.core.permissions import is_operator, is_read_only, org_ids
from ronghe.platform.demand.models import (
    Confidentiality,
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandInvitation,
    DemandLine,
    DemandList,
    DemandListEntry,
    DemandState,
)
from ronghe.platform.demand.nda import NDA_VERSION
from ronghe.platform.demand.states import (
    DEMAND_LIST_TRANSITIONS,
    DEMAND_TRANSITIONS,
    EDITABLE_DEMAND_STATES,
    can_move,
)
from ronghe.platform.demand.visibility import budget_band, is_owner

log = logging.getLogger("ronghe.platform.demand")

MAX_LINES = 50
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class LineInput:
    item: ServiceItem | int
    scope: str
    quantity: int = 1


@dataclass(frozen=True)
class EntryInput:
    item: ServiceItem | int
    quantity: int = 1
    notes: str = ""


# --- guards -------------------------------------------------------------------------------------------------


def _require_member(user: Any, organization: Organization, *kinds: str) -> None:
    if is_read_only(user) or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("无权操作 (not allowed)")
    if organization.kind not in kinds:
        raise PermissionDenied("该组织类型不能执行此操作 (this kind of organization cannot do this)")
    if organization.id not in org_ids(user) and not is_operator(user):
        raise PermissionDenied("您不是该组织成员 (you are not a member of this organization)")


def _require_owner(user: Any, demand: Demand, *, operator_ok: bool = False) -> None:
    if is_read_only(user) or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("无权操作 (not allowed)")
    if is_owner(user, demand) or (operator_ok and is_operator(user)):
        return
    raise PermissionDenied("无权操作此需求 (not allowed on this demand)")


def _require_list_curator(user: Any, demand_list: DemandList) -> None:
    if is_read_only(user) or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("无权操作 (not allowed)")
    if demand_list.organization_id not in org_ids(user) and not is_operator(user):
        raise PermissionDenied("无权操作此清单 (not allowed on this list)")


# --- field validation (collects every error, so a form shows them all at once) ------------------------------


def _check_region(errors: dict[str, list[str]], province: str, city: str) -> None:
    if province not in provinces():
        errors.setdefault("province", []).append("未知的省份代码 (unknown province code)")
    if city and len(city) > 64:
        errors.setdefault("city", []).append("城市名称过长 (city name too long)")


def _industry(errors: dict[str, list[str]], industry: Industry | str | None) -> Industry | None:
    if industry is None or industry == "":
        errors.setdefault("industry", []).append("请选择行业 (industry is required)")
        return None
    if not isinstance(industry, Industry):
        industry = Industry.objects.filter(pk=str(industry)).first()
        if industry is None:
            errors.setdefault("industry", []).append("未知的行业代码 (unknown GB/T 4754 division)")
            return None
    if not industry.is_manufacturing:
        errors.setdefault("industry", []).append(
            "必须是制造业行业（GB/T 4754 门类 C，13–43 大类）(must be a manufacturing division 13–43)"
        )
    return industry


def _decimal(errors: dict[str, list[str]], field: str, value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(field, []).append("请输入金额 (enter an amount in CNY)")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        errors.setdefault(field, []).append("金额必须在 0 到 1 万亿元之间 (amount out of range)")
        return None
    return amount.quantize(Decimal("0.01"))


def _published_items(errors: dict[str, list[str]], field: str, refs: Iterable[ServiceItem | int]) -> dict[int, ServiceItem]:
    ids = [ref.pk if isinstance(ref, ServiceItem) else ref for ref in refs]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("服务条目编号无效 (invalid service item id)")
        return {}
    found = ServiceItem.objects.filter(pk__in=ids, status=ServiceItem.Status.PUBLISHED).select_related("category")
    by_id = {item.pk: item for item in found}
    if missing := sorted(set(ids) - set(by_id)):
        errors.setdefault(field, []).append(
            f"服务条目不存在或未发布：{missing} (service items not found or not published)"
        )
    return by_id


def _validate_demand_fields(fields: dict[str, Any], lines: Sequence[LineInput] | None,
                            errors: dict[str, list[str]]) -> tuple[dict[str, Any], list[tuple[ServiceItem, str, int]]]:
    clean: dict[str, Any] = {}
    title = (fields.get("title") or "").strip()
    if not title:
        errors.setdefault("title", []).append("请填写标题 (title is required)")
    elif len(title) > 200:
        errors.setdefault("title", []).append("标题不超过 200 字 (title too long)")
    clean["title"] = title
    clean["summary"] = (fields.get("summary") or "").strip()
    clean["industry"] = _industry(errors, fields.get("industry"))
    clean["province"] = fields.get("province") or ""
    clean["city"] = (fields.get("city") or "").strip()
    _check_region(errors, clean["province"], clean["city"])
    low = _decimal(errors, "budget_min", fields.get("budget_min"))
    high = _decimal(errors, "budget_max", fields.get("budget_max"))
    if low is not None and high is not None and low > high:
        errors.setdefault("budget_max", []).append("预算上限不能低于下限 (budget max must not be below budget min)")
    clean["budget_min"], clean["budget_max"] = low, high
    deadline = fields.get("deadline")
    if not isinstance(deadline, date):
        errors.setdefault("deadline", []).append("请填写截止日期 (deadline is required)")
    elif deadline <= timezone.localdate():
        errors.setdefault("deadline", []).append("截止日期必须晚于今天 (deadline must be in the future)")
    clean["deadline"] = deadline
    level = fields.get("confidentiality") or Confidentiality.REGISTERED
    if level not in Confidentiality.values:
        errors.setdefault("confidentiality", []).append("未知的保密级别 (unknown confidentiality level)")
    clean["confidentiality"] = level
    for key in ("contact_name", "contact_phone", "contact_email"):
        clean[key] = (fields.get(key) or "").strip()
    clean_lines: list[tuple[ServiceItem, str, int]] = []
    if lines is not None:
        if not lines:
            errors.setdefault("lines", []).append("至少需要一条需求明细 (at least one line is required)")
        elif len(lines) > MAX_LINES:
            errors.setdefault("lines", []).append(f"需求明细不超过 {MAX_LINES} 条 (too many lines)")
        else:
            items = _published_items(errors, "lines", [line.item for line in lines])
            for n, line in enumerate(lines, start=1):
                ref = line.item.pk if isinstance(line.item, ServiceItem) else line.item
                scope = (line.scope or "").strip()
                if not scope:
                    errors.setdefault("lines", []).append(f"第 {n} 条：请填写范围 (line {n}: scope is required)")
                if not isinstance(line.quantity, int) or line.quantity < 1 or line.quantity > 1_000_000:
                    errors.setdefault("lines", []).append(
                        f"第 {n} 条：数量须为 1–1000000 (line {n}: quantity must be 1–1000000)"
                    )
                item = items.get(int(ref)) if str(ref).isdigit() else None
                if item is not None:
                    clean_lines.append((item, scope, line.quantity))
    return clean, clean_lines


def _check_attachments(errors: dict[str, list[str]], uploads: Sequence[Any], already: int = 0) -> list:
    checked = []
    if len(uploads) + already > MAX_ATTACHMENTS:
        errors.setdefault("attachments", []).append(f"附件不超过 {MAX_ATTACHMENTS} 个 (too many attachments)")
        return []
    for upload in uploads:
        try:
            checked.append((upload, validate_document(upload)))
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    return checked


def _store_attachments(user: Any, demand: Demand, checked: list) -> list[DemandAttachment]:
    stored = []
    for upload, doc in checked:
        attachment = DemandAttachment(
            demand=demand, token=secrets.token_hex(16), original_name=PurePath(doc.name).name[:200],
            content_type=doc.content_type, size=doc.size, sha256=doc.sha256, uploaded_by=user,
        )
        attachment.file.save(attachment.token, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _event(demand: Demand, kind: str, user: Any, from_state: str = "", to_state: str = "", note: str = "") -> None:
    DemandEvent.objects.create(
        demand=demand, kind=kind, user=user if getattr(user, "is_authenticated", False) else None,
        from_state=from_state, to_state=to_state, note=note[:200],
    )


# --- demands ------------------------------------------------------------------------------------------------


def create_demand(user: Any, organization: Organization, *, lines: Sequence[LineInput],
                  attachments: Sequence[Any] = (), **fields: Any) -> Demand:
    """A manufacturer's new demand, in draft: the summary becomes visible only when it is published."""
    _require_member(user, organization, Organization.Kind.MANUFACTURER)
    errors: dict[str, list[str]] = {}
    clean, clean_lines = _validate_demand_fields(fields, lines, errors)
    checked = _check_attachments(errors, attachments)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        demand = Demand.objects.create(
            organization=organization, created_by=user, budget_band=budget_band(clean["budget_max"]), **clean
        )
        DemandLine.objects.bulk_create(
            DemandLine(demand=demand, item=item, scope=scope, quantity=qty) for item, scope, qty in clean_lines
        )
        _store_attachments(user, demand, checked)
        _event(demand, "created", user, to_state=DemandState.DRAFT)
    log.info("demand %s created by user %s for org %s", demand.pk, user.pk, organization.pk)
    return demand


#: The fields of a demand its owner writes (besides lines and attachments); drafts only after creation.
DEMAND_FIELDS = ("title", "summary", "industry", "province", "city", "budget_min", "budget_max", "deadline",
                 "confidentiality", "contact_name", "contact_phone", "contact_email")


def update_demand(user: Any, demand: Demand, *, lines: Sequence[LineInput] | None = None, **fields: Any) -> Demand:
    """Edit a draft; a published demand is never changed in place (providers may have read it)."""
    _require_owner(user, demand)
    with transaction.atomic():
        demand = Demand.objects.select_for_update().get(pk=demand.pk)
        if demand.state not in EDITABLE_DEMAND_STATES:
            raise ValidationError({"state": ["只能修改草稿状态的需求 (only drafts can be edited)"]})
        current = {f: getattr(demand, f) for f in DEMAND_FIELDS}
        current.update(fields)
        errors: dict[str, list[str]] = {}
        clean, clean_lines = _validate_demand_fields(current, lines, errors)
        if errors:
            raise ValidationError(errors)
        for key, value in clean.items():
            setattr(demand, key, value)
        demand.budget_band = budget_band(demand.budget_max)
        demand.save()
        if lines is not None:
            demand.lines.all().delete()
            DemandLine.objects.bulk_create(
                DemandLine(demand=demand, item=item, scope=scope, quantity=qty) for item, scope, qty in clean_lines
            )
        _event(demand, "updated", user)
    return demand


def add_attachments(user: Any, demand: Demand, uploads: Sequence[Any]) -> list[DemandAttachment]:
    """Attach validated files (size, type sniffed, sha256) to a draft or published demand of one's own."""
    _require_owner(user, demand)
    errors: dict[str, list[str]] = {}
    if demand.state not in (DemandState.DRAFT, DemandState.PUBLISHED):
        errors["state"] = ["该状态下不能上传附件 (attachments cannot be added in this state)"]
    if not uploads:
        errors["attachments"] = ["请选择文件 (choose a file)"]
    checked = [] if errors else _check_attachments(errors, uploads, already=demand.attachments.count())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = _store_attachments(user, demand, checked)
        _event(demand, "attachments_added", user, note=f"{len(stored)}")
    return stored


def _transition(user: Any, demand: Demand, target: str, kind: str) -> Demand:
    with transaction.atomic():
        locked = Demand.objects.select_for_update().get(pk=demand.pk)
        if not can_move(DEMAND_TRANSITIONS, locked.state, target):
            raise ValidationError({"state": [
                f"不能从“{locked.get_state_display()}”变为“{DemandState(target).label}” "
                f"(cannot go from {locked.state} to {target})"
            ]})
        source = locked.state
        locked.state = target
        now = timezone.now()
        if target == DemandState.PUBLISHED:
            locked.published_at = now
        elif target in (DemandState.CLOSED, DemandState.CANCELLED, DemandState.EXPIRED):
            locked.closed_at = now
        locked.save(update_fields=["state", "published_at", "closed_at", "updated_at"])
        _event(locked, kind, user, source, target)
    log.info("demand %s: %s → %s by user %s", demand.pk, source, target, getattr(user, "pk", None))
    return locked


def publish_demand(user: Any, demand: Demand) -> Demand:
    """draft → published; its summary becomes visible, details per confidentiality level."""
    _require_owner(user, demand)
    errors = {}
    if not demand.lines.exists():
        errors["lines"] = ["至少需要一条需求明细 (at least one line is required)"]
    if demand.deadline <= timezone.localdate():
        errors["deadline"] = ["截止日期已过，请先修改 (deadline has passed; edit it first)"]
    if errors and demand.state == DemandState.DRAFT:
        raise ValidationError(errors)
    return _transition(user, demand, DemandState.PUBLISHED, "published")


def close_demand(user: Any, demand: Demand) -> Demand:
    """published → closed (the owner has what it needs; operators may close for moderation)."""
    _require_owner(user, demand, operator_ok=True)
    return _transition(user, demand, DemandState.CLOSED, "closed")


def cancel_demand(user: Any, demand: Demand) -> Demand:
    """draft or published → cancelled."""
    _require_owner(user, demand, operator_ok=True)
    return _transition(user, demand, DemandState.CANCELLED, "cancelled")


def expire_due_demands(today: date | None = None) -> int:
    """published demands whose deadline has passed → expired; returns how many. Run by the task worker."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        due = list(Demand.objects.select_for_update().filter(state=DemandState.PUBLISHED, deadline__lt=today))
        now = timezone.now()
        for demand in due:
            demand.state, demand.closed_at = DemandState.EXPIRED, now
        Demand.objects.bulk_update(due, ["state", "closed_at", "updated_at"])
        DemandEvent.objects.bulk_create(
            DemandEvent(demand=d, kind="expired", from_state=DemandState.PUBLISHED, to_state=DemandState.EXPIRED)
            for d in due
        )
        count = len(due)
    if count:
        log.info("expired %d demands due before %s", count, today)
    return count


def invite_provider(user: Any, demand: Demand, provider: Organization) -> DemandInvitation:
    """Invite a provider organization to read an NDA-level demand once it accepts the NDA."""
    _require_owner(user, demand)
    errors: dict[str, list[str]] = {}
    if provider.kind != Organization.Kind.PROVIDER:
        errors["provider"] = ["只能邀请服务商 (only service providers can be invited)"]
    if demand.confidentiality != Confidentiality.NDA:
        errors["confidentiality"] = ["只有“保密协议”级别的需求需要邀请 (invitations are for NDA-level demands)"]
    if demand.state not in (DemandState.DRAFT, DemandState.PUBLISHED):
        errors["state"] = ["该状态下不能邀请 (cannot invite in this state)"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        invitation, created = DemandInvitation.objects.get_or_create(
            demand=demand, provider=provider, defaults={"invited_by": user}
        )
        if created:
            _event(demand, "invited", user, note=f"provider {provider.pk}")
    return invitation


def pending_invitation(user: Any, demand: Demand) -> DemandInvitation | None:
    """The invitation of one of the user's provider organizations to this demand, if any."""
    providers = org_ids(user, kinds={"provider"}) if getattr(user, "is_authenticated", False) else []
    return DemandInvitation.objects.filter(demand=demand, provider__in=providers).order_by("id").first()


def accept_nda(user: Any, demand: Demand, *, nda_version: str = NDA_VERSION) -> DemandInvitation:
    """The invited provider accepts the NDA: who, when and which text version are recorded."""
    if is_read_only(user) or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("无权操作 (not allowed)")
    invitation = pending_invitation(user, demand)
    if invitation is None:
        raise PermissionDenied("您的组织未受邀 (your organization was not invited)")
    if nda_version != NDA_VERSION:
        raise ValidationError({"nda_version": [f"保密协议版本已更新为 {NDA_VERSION} (the NDA text has changed)"]})
    if demand.state != DemandState.PUBLISHED:
        raise ValidationError({"state": ["需求未在发布状态 (the demand is not published)"]})
    with transaction.atomic():
        invitation = DemandInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is None:
            invitation.accepted_by, invitation.accepted_at = user, timezone.now()
            invitation.nda_version = nda_version
            invitation.save(update_fields=["accepted_by", "accepted_at", "nda_version"])
            _event(demand, "nda_accepted", user, note=f"provider {invitation.provider_id} NDA {nda_version}")
    return invitation


# --- demand lists -------------------------------------------------------------------------------------------


def _validate_list_fields(fields: dict[str, Any], items: Sequence[ServiceItem | int] | None,
                          errors: dict[str, list[str]]) -> tuple[dict[str, Any], list[ServiceItem]]:
    clean: dict[str, Any] = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append("请填写清单名称 (name is required)")
    elif len(name) > 200:
        errors.setdefault("name", []).append("名称不超过 200 字 (name too long)")
    clean["name"] = name
    clean["industry"] = _industry(errors, fields.get("industry"))
    clean["province"] = fields.get("province") or ""
    clean["city"] = (fields.get("city") or "").strip()
    _check_region(errors, clean["province"], clean["city"])
    clean["pain_points"] = (fields.get("pain_points") or "").strip()
    if not clean["pain_points"]:
        errors.setdefault("pain_points", []).append("请描述共性痛点 (describe the common pain points)")
    chosen: list[ServiceItem] = []
    if items is not None:
        if not items:
            errors.setdefault("items", []).append("至少选择一个服务条目 (choose at least one service item)")
        else:
            chosen = list(_published_items(errors, "items", items).values())
    return clean, chosen


def create_demand_list(user: Any, organization: Organization, *, items: Sequence[ServiceItem | int],
                       **fields: Any) -> DemandList:
    """An association (or the operator) drafts an industry demand list."""
    _require_member(user, organization, Organization.Kind.ASSOCIATION, Organization.Kind.OPERATOR)
    errors: dict[str, list[str]] = {}
    clean, chosen = _validate_list_fields(fields, items, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        demand_list = DemandList.objects.create(organization=organization, created_by=user, **clean)
        demand_list.items.set(chosen)
    log.info("demand list %s created by user %s", demand_list.pk, user.pk)
    return demand_list


def update_demand_list(user: Any, demand_list: DemandList, *, items: Sequence[ServiceItem | int] | None = None,
                       **fields: Any) -> DemandList:
    _require_list_curator(user, demand_list)
    with transaction.atomic():
        demand_list = DemandList.objects.select_for_update().get(pk=demand_list.pk)
        if demand_list.state != DemandList.State.DRAFT:
            raise ValidationError({"state": ["只能修改草稿清单 (only draft lists can be edited)"]})
        current = {f: getattr(demand_list, f) for f in ("name", "industry", "province", "city", "pain_points")}
        current.update(fields)
        errors: dict[str, list[str]] = {}
        clean, chosen = _validate_list_fields(current, items, errors)
        if errors:
            raise ValidationError(errors)
        for key, value in clean.items():
            setattr(demand_list, key, value)
        demand_list.save()
        if items is not None:
            demand_list.items.set(chosen)
    return demand_list


def _move_list(user: Any, demand_list: DemandList, target: str) -> DemandList:
    _require_list_curator(user, demand_list)
    with transaction.atomic():
        locked = DemandList.objects.select_for_update().get(pk=demand_list.pk)
        if not can_move(DEMAND_LIST_TRANSITIONS, locked.state, target):
            raise ValidationError({"state": [f"不能从 {locked.state} 变为 {target} (illegal transition)"]})
        if target == DemandList.State.PUBLISHED and not locked.items.exists():
            raise ValidationError({"items": ["清单没有服务条目 (the list has no service items)"]})
        locked.state = target
        setattr(locked, "published_at" if target == DemandList.State.PUBLISHED else "closed_at", timezone.now())
        locked.save()
    return locked


def publish_demand_list(user: Any, demand_list: DemandList) -> DemandList:
    return _move_list(user, demand_list, DemandList.State.PUBLISHED)


def close_demand_list(user: Any, demand_list: DemandList) -> DemandList:
    return _move_list(user, demand_list, DemandList.State.CLOSED)


def join_demand_list(user: Any, demand_list: DemandList, manufacturer: Organization,
                     entries: Sequence[EntryInput]) -> list[DemandListEntry]:
    """A manufacturer declares which items of a published list it needs (joining again updates its entries)."""
    _require_member(user, manufacturer, Organization.Kind.MANUFACTURER)
    errors: dict[str, list[str]] = {}
    if demand_list.state != DemandList.State.PUBLISHED:
        errors["state"] = ["清单未在发布状态 (the list is not open for joining)"]
    if not entries:
        errors["entries"] = ["至少选择一个服务条目 (choose at least one item)"]
    listed = set(demand_list.items.values_list("pk", flat=True))
    clean: list[tuple[int, int, str]] = []
    for n, entry in enumerate(entries, start=1):
        ref = entry.item.pk if isinstance(entry.item, ServiceItem) else entry.item
        try:
            ref = int(ref)
        except (TypeError, ValueError):
            ref = None
        if ref not in listed:
            errors.setdefault("entries", []).append(f"第 {n} 项不在本清单中 (item {n} is not on this list)")
        if not isinstance(entry.quantity, int) or not 1 <= entry.quantity <= 1_000_000:
            errors.setdefault("entries", []).append(f"第 {n} 项数量须为 1–1000000 (item {n}: bad quantity)")
        if len(entry.notes or "") > 500:
            errors.setdefault("entries", []).append(f"第 {n} 项备注过长 (item {n}: notes too long)")
        clean.append((ref, entry.quantity, (entry.notes or "").strip()))
    if errors:
        raise ValidationError(errors)
    out = []
    with transaction.atomic():
        for item_id, quantity, notes in clean:
            row, _ = DemandListEntry.objects.update_or_create(
                demand_list=demand_list, item_id=item_id, manufacturer=manufacturer,
                defaults={"quantity": quantity, "notes": notes, "joined_by": user},
            )
            out.append(row)
    log.info("org %s joined demand list %s with %d items", manufacturer.pk, demand_list.pk, len(out))
    return out
