"""The only write path of the demand app, built from the write kit (``core.kit``).

Every function is ``verb_noun(actor, obj_or_parent, **fields)``: it takes the row lock, asks the rule
(``demand.rules``) and the state table (``demand.states``), writes in one transaction, records the business
event and the audit-chain entry, and schedules side effects on commit. Validation errors are Django
``ValidationError`` with a field → messages dict (forms show them, the API answers 400); acting on something
the user may not touch is ``PermissionDenied``. Nothing is written unless everything validated.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ronghe.platform.accounts.models import Organization
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core import kit
from ronghe.platform.core.permissions import is_operator, may_write, org_ids
from ronghe.platform.demand.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandInvitation,
    DemandLine,
    DemandList,
    DemandListEntry,
    DemandListEvent,
    DemandState,
)
from ronghe.platform.demand.nda import NDA_VERSION
from ronghe.platform.demand.rules import demand_list_rules, demand_rules
from ronghe.platform.demand.states import DEMAND_LIST_STATES, DEMAND_STATES
from ronghe.platform.demand.validation import (
    MAX_ATTACHMENTS,
    MAX_LINES,
    EntryInput,
    LineInput,
    check_attachments,
    validate_demand_fields,
    validate_entries,
    validate_list_fields,
)
from ronghe.platform.demand.visibility import budget_band

log = logging.getLogger("ronghe.platform.demand")

__all__ = ["MAX_ATTACHMENTS", "MAX_LINES", "EntryInput", "LineInput"]

#: The fields of a demand its owner writes (besides lines and attachments); drafts only after creation.
DEMAND_FIELDS = ("title", "summary", "industry", "province", "city", "budget_min", "budget_max", "deadline",
                 "confidentiality", "contact_name", "contact_phone", "contact_email")
LIST_FIELDS = ("name", "industry", "province", "city", "pain_points")


def _require_member(actor: Any, organization: Organization, *kinds: str) -> None:
    """Creating: the actor acts for ``organization`` (a member, or the operator), which is of the right kind."""
    if not may_write(actor):
        raise PermissionDenied("无权操作 (not allowed)")
    if organization.kind not in kinds:
        raise PermissionDenied("该组织类型不能执行此操作 (this kind of organization cannot do this)")
    if organization.id not in org_ids(actor) and not is_operator(actor):
        raise PermissionDenied("您不是该组织成员 (you are not a member of this organization)")


def _lines_snapshot(demand: Demand) -> list[dict[str, Any]]:
    return [{"item": line.item_id, "scope": line.scope, "quantity": line.quantity}
            for line in demand.lines.order_by("id")]


def _store_attachments(actor: Any, demand: Demand, checked: list) -> list[DemandAttachment]:
    stored = []
    for upload, doc in checked:
        attachment = DemandAttachment(
            demand=demand, token=secrets.token_hex(16), original_name=PurePath(doc.name).name[:200],
            content_type=doc.content_type, size=doc.size, sha256=doc.sha256, uploaded_by=actor,
        )
        attachment.file.save(attachment.token, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _attachment_records(stored: list[DemandAttachment]) -> list[dict[str, Any]]:
    # names may be confidential: the chain keeps the content hash and size, which prove what was shared
    return [{"id": a.pk, "sha256": a.sha256, "size": a.size} for a in stored]


# --- demands ------------------------------------------------------------------------------------------------


def create_demand(actor: Any, organization: Organization, *, lines: Sequence[LineInput],
                  attachments: Sequence[Any] = (), **fields: Any) -> Demand:
    """A manufacturer's new demand, in draft: the summary becomes visible only when it is published."""
    _require_member(actor, organization, Organization.Kind.MANUFACTURER)
    errors: dict[str, list[str]] = {}
    clean, clean_lines = validate_demand_fields(fields, lines, errors)
    checked = check_attachments(errors, attachments)
    kit.require_fields(errors)
    with transaction.atomic():
        demand = Demand.objects.create(
            organization=organization, created_by=actor, budget_band=budget_band(clean["budget_max"]), **clean
        )
        DemandLine.objects.bulk_create(
            DemandLine(demand=demand, item=item, scope=scope, quantity=qty) for item, scope, qty in clean_lines
        )
        stored = _store_attachments(actor, demand, checked)
        kit.record(actor, demand, "demand.created", after={
            **kit.snapshot(demand, DEMAND_FIELDS), "state": demand.state, "lines": _lines_snapshot(demand),
            "attachments": _attachment_records(stored)}, event=DemandEvent, to_state=DemandState.DRAFT)
    log.info("demand %s created by user %s for org %s", demand.pk, actor.pk, organization.pk)
    return demand


def update_demand(actor: Any, demand: Demand, *, lines: Sequence[LineInput] | None = None,
                  **fields: Any) -> Demand:
    """Edit a draft; a published demand is never changed in place (providers may have read it)."""
    with transaction.atomic():
        demand = kit.lock(demand)
        demand_rules.require(actor, "change", demand)
        before = {**kit.snapshot(demand, DEMAND_FIELDS), "lines": _lines_snapshot(demand)}
        current = {f: getattr(demand, f) for f in DEMAND_FIELDS}
        current.update(fields)
        errors: dict[str, list[str]] = {}
        clean, clean_lines = validate_demand_fields(current, lines, errors)
        kit.require_fields(errors)
        for key, value in clean.items():
            setattr(demand, key, value)
        demand.budget_band = budget_band(demand.budget_max)
        demand.save()
        if lines is not None:
            demand.lines.all().delete()
            DemandLine.objects.bulk_create(
                DemandLine(demand=demand, item=item, scope=scope, quantity=qty) for item, scope, qty in clean_lines
            )
        old, new = kit.changed(before, {**kit.snapshot(demand, DEMAND_FIELDS), "lines": _lines_snapshot(demand)})
        kit.record(actor, demand, "demand.updated", before=old, after=new, event=DemandEvent,
                   note=",".join(sorted(new)))
    return demand


def add_attachments(actor: Any, demand: Demand, *, uploads: Sequence[Any]) -> list[DemandAttachment]:
    """Attach validated files (size, type sniffed, sha256) to a draft or published demand of one's own."""
    with transaction.atomic():
        demand = kit.lock(demand)
        demand_rules.require(actor, "attach", demand)
        errors: dict[str, list[str]] = {}
        if not uploads:
            errors["attachments"] = ["请选择文件 (choose a file)"]
        checked = [] if errors else check_attachments(errors, uploads, already=demand.attachments.count())
        kit.require_fields(errors)
        stored = _store_attachments(actor, demand, checked)
        kit.record(actor, demand, "demand.attachments_added", after={"attachments": _attachment_records(stored)},
                   event=DemandEvent, note=f"{len(stored)}")
    return stored


def _published_at(demand: Demand) -> list[str]:
    demand.published_at = timezone.now()
    return ["published_at"]


def _closed_at(demand: Demand) -> list[str]:
    demand.closed_at = timezone.now()
    return ["closed_at"]


def publish_demand(actor: Any, demand: Demand) -> Demand:
    """draft → published; its summary becomes visible, details per confidentiality level."""

    def ready(locked: Demand) -> None:
        demand_rules.require(actor, "publish", locked)
        errors: dict[str, list[str]] = {}
        if not locked.lines.exists():
            errors["lines"] = ["至少需要一条需求明细 (at least one line is required)"]
        if locked.deadline <= timezone.localdate():
            errors["deadline"] = ["截止日期已过，请先修改 (deadline has passed; edit it first)"]
        if not (locked.summary or "").strip():
            errors["summary"] = ["请先填写公开摘要：发布后所有人都能看到它，未获授权的服务商只凭摘要决定是否响应；"
                                 "请勿写入保密信息 (write the public summary first: everyone sees it, and providers "
                                 "without access to the details decide from it alone)"]
        kit.require_fields(errors)

    return kit.transition(actor, demand, DemandState.PUBLISHED, table=DEMAND_STATES, action="demand.published",
                          check=ready, apply=_published_at, event=DemandEvent)


def close_demand(actor: Any, demand: Demand) -> Demand:
    """published → closed (the owner has what it needs; operators may close for moderation)."""
    return _state_change(actor, demand, DemandState.CLOSED, "close", "demand.closed")


def cancel_demand(actor: Any, demand: Demand) -> Demand:
    """draft or published → cancelled."""
    return _state_change(actor, demand, DemandState.CANCELLED, "cancel", "demand.cancelled")


def _state_change(actor: Any, demand: Demand, target: str, rule: str, action: str) -> Demand:
    def check(locked: Demand) -> None:
        demand_rules.require(actor, rule, locked)

    moved = kit.transition(actor, demand, target, table=DEMAND_STATES, action=action, check=check,
                           apply=_closed_at, event=DemandEvent)
    log.info("demand %s → %s by user %s", demand.pk, target, getattr(actor, "pk", None))
    return moved


def expire_due_demands(actor: Any = "system:expire_due_demands", *, today: date | None = None) -> int:
    """published demands whose deadline has passed → expired; returns how many. Run by the task worker."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        due = list(Demand.objects.select_for_update().filter(state=DemandState.PUBLISHED, deadline__lt=today)
                   .order_by("pk"))
        now = timezone.now()
        for demand in due:
            demand.state, demand.closed_at, demand.updated_at = DemandState.EXPIRED, now, now
        Demand.objects.bulk_update(due, ["state", "closed_at", "updated_at"])
        for demand in due:
            kit.record(actor, demand, "demand.expired", before={"state": DemandState.PUBLISHED},
                       after={"state": DemandState.EXPIRED}, event=DemandEvent,
                       from_state=DemandState.PUBLISHED, to_state=DemandState.EXPIRED)
        count = len(due)
    if count:
        log.info("expired %d demands due before %s", count, today)
    return count


#: how many days before its deadline an owner is told that a demand will expire
EXPIRY_WARNING_DAYS = 3


def warn_expiring_demands(actor: Any = "system:warn_expiring_demands", *, today: date | None = None,
                          within_days: int = EXPIRY_WARNING_DAYS) -> int:
    """Record once per demand that it expires within ``within_days`` (the inbox tells the owner); idempotent."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        due = (Demand.objects.select_for_update()
               .filter(state=DemandState.PUBLISHED, deadline__gte=today,
                       deadline__lte=today + timedelta(days=within_days))
               .exclude(events__kind="expiring").order_by("pk"))
        for demand in due:
            kit.record(actor, demand, "demand.expiring", after={"deadline": demand.deadline}, event=DemandEvent,
                       note=f"deadline {demand.deadline:%Y-%m-%d}")
            count += 1
    return count


def invite_provider(actor: Any, demand: Demand, *, provider: Organization) -> DemandInvitation:
    """Invite a provider organization to read an NDA-level demand once it accepts the NDA."""
    with transaction.atomic():
        demand = kit.lock(demand)
        demand_rules.require(actor, "invite", demand)
        if provider.kind != Organization.Kind.PROVIDER:
            raise ValidationError({"provider": ["只能邀请服务商 (only service providers can be invited)"]})
        invitation, created = DemandInvitation.objects.get_or_create(
            demand=demand, provider=provider, defaults={"invited_by": actor}
        )
        if created:
            kit.record(actor, demand, "demand.invited", after={"provider": provider.pk}, event=DemandEvent,
                       note=f"provider {provider.pk}", data={"provider": provider.pk, "invitation": invitation.pk})
    return invitation


def pending_invitation(user: Any, demand: Demand) -> DemandInvitation | None:
    """The invitation of one of the user's provider organizations to this demand, if any."""
    providers = org_ids(user, kinds={"provider"})
    return DemandInvitation.objects.filter(demand=demand, provider__in=providers).order_by("id").first()


def accept_nda(actor: Any, demand: Demand, *, nda_version: str = NDA_VERSION) -> DemandInvitation:
    """The invited provider accepts the NDA: who, when and which text version are recorded."""
    with transaction.atomic():
        demand = kit.lock(demand)
        demand_rules.require(actor, "accept_nda", demand)
        if nda_version != NDA_VERSION:
            raise ValidationError({"nda_version": [f"保密协议版本已更新为 {NDA_VERSION} (the NDA text has changed)"]})
        invitation = kit.lock(pending_invitation(actor, demand))
        if invitation.accepted_at is None:
            invitation.accepted_by, invitation.accepted_at = actor, timezone.now()
            invitation.nda_version = nda_version
            invitation.save(update_fields=["accepted_by", "accepted_at", "nda_version"])
            kit.record(actor, demand, "demand.nda_accepted",
                       after={"provider": invitation.provider_id, "nda_version": nda_version}, event=DemandEvent,
                       note=f"provider {invitation.provider_id} NDA {nda_version}",
                       data={"provider": invitation.provider_id, "invitation": invitation.pk})
    return invitation


# --- demand lists -------------------------------------------------------------------------------------------


def create_demand_list(actor: Any, organization: Organization, *, items: Sequence[ServiceItem | int],
                       **fields: Any) -> DemandList:
    """A verified association (or the operator) drafts an industry demand list."""
    _require_member(actor, organization, Organization.Kind.ASSOCIATION, Organization.Kind.OPERATOR)
    if not organization.is_verified and not is_operator(actor):
        raise PermissionDenied("协会通过平台审核后才能发布需求清单 (an association is verified before it curates lists)")
    errors: dict[str, list[str]] = {}
    clean, chosen = validate_list_fields(fields, items, errors)
    kit.require_fields(errors)
    with transaction.atomic():
        demand_list = DemandList.objects.create(organization=organization, created_by=actor, **clean)
        demand_list.items.set(chosen)
        kit.record(actor, demand_list, "demandlist.created",
                   after={**kit.snapshot(demand_list, (*LIST_FIELDS, "items")), "state": demand_list.state},
                   event=DemandListEvent, to_state=demand_list.state)
    log.info("demand list %s created by user %s", demand_list.pk, actor.pk)
    return demand_list


def update_demand_list(actor: Any, demand_list: DemandList, *, items: Sequence[ServiceItem | int] | None = None,
                       **fields: Any) -> DemandList:
    """Edit a draft list (name, region, pain points, items)."""
    with transaction.atomic():
        demand_list = kit.lock(demand_list)
        demand_list_rules.require(actor, "change", demand_list)
        before = kit.snapshot(demand_list, (*LIST_FIELDS, "items"))
        current = {f: getattr(demand_list, f) for f in LIST_FIELDS}
        current.update(fields)
        errors: dict[str, list[str]] = {}
        clean, chosen = validate_list_fields(current, items, errors)
        kit.require_fields(errors)
        for key, value in clean.items():
            setattr(demand_list, key, value)
        demand_list.save()
        if items is not None:
            demand_list.items.set(chosen)
        old, new = kit.changed(before, kit.snapshot(demand_list, (*LIST_FIELDS, "items")))
        kit.record(actor, demand_list, "demandlist.updated", before=old, after=new, event=DemandListEvent)
    return demand_list


def _move_list(actor: Any, demand_list: DemandList, target: str, rule: str, action: str) -> DemandList:
    def check(locked: DemandList) -> None:
        demand_list_rules.require(actor, rule, locked)
        if target == DemandList.State.PUBLISHED and not locked.items.exists():
            raise ValidationError({"items": ["清单没有服务条目 (the list has no service items)"]})

    def stamp(locked: DemandList) -> list[str]:
        name = "published_at" if target == DemandList.State.PUBLISHED else "closed_at"
        setattr(locked, name, timezone.now())
        return [name]

    return kit.transition(actor, demand_list, target, table=DEMAND_LIST_STATES, action=action, check=check,
                          apply=stamp, event=DemandListEvent)


def publish_demand_list(actor: Any, demand_list: DemandList) -> DemandList:
    return _move_list(actor, demand_list, DemandList.State.PUBLISHED, "publish", "demandlist.published")


def close_demand_list(actor: Any, demand_list: DemandList) -> DemandList:
    return _move_list(actor, demand_list, DemandList.State.CLOSED, "close", "demandlist.closed")


def _entries_snapshot(demand_list: DemandList, manufacturer: Organization) -> dict[str, Any]:
    rows = DemandListEntry.objects.filter(demand_list=demand_list, manufacturer=manufacturer).order_by("item_id")
    return {str(e.item_id): {"quantity": e.quantity, "notes": e.notes} for e in rows}


def join_demand_list(actor: Any, demand_list: DemandList, *, manufacturer: Organization,
                     entries: Sequence[EntryInput]) -> list[DemandListEntry]:
    """A manufacturer declares which items of a published list it needs (joining again updates those items).

    An empty declaration is refused; withdrawing everything is :func:`leave_demand_list`.
    """
    _require_member(actor, manufacturer, Organization.Kind.MANUFACTURER)
    with transaction.atomic():
        demand_list = kit.lock(demand_list)
        demand_list_rules.require(actor, "join", demand_list)
        errors: dict[str, list[str]] = {}
        listed = set(demand_list.items.values_list("pk", flat=True))
        clean = validate_entries(entries, listed, errors)
        kit.require_fields(errors)
        before = _entries_snapshot(demand_list, manufacturer)
        out = []
        for item_id, quantity, notes in clean:
            row, _ = DemandListEntry.objects.update_or_create(
                demand_list=demand_list, item_id=item_id, manufacturer=manufacturer,
                defaults={"quantity": quantity, "notes": notes, "joined_by": actor},
            )
            out.append(row)
        old, new = kit.changed(before, _entries_snapshot(demand_list, manufacturer))
        kit.record(actor, demand_list, "demandlist.joined", before={"entries": old}, after={"entries": new},
                   event=DemandListEvent, organization_id=manufacturer.pk, data={"manufacturer": manufacturer.pk})
    log.info("org %s joined demand list %s with %d items", manufacturer.pk, demand_list.pk, len(out))
    return out


def leave_demand_list(actor: Any, demand_list: DemandList, *, manufacturer: Organization) -> int:
    """A manufacturer withdraws every declaration from a published list; returns how many were removed."""
    _require_member(actor, manufacturer, Organization.Kind.MANUFACTURER)
    with transaction.atomic():
        demand_list = kit.lock(demand_list)
        demand_list_rules.require(actor, "join", demand_list)
        before = _entries_snapshot(demand_list, manufacturer)
        if not before:
            raise ValidationError({"entries": ["本企业未报名该清单 (your organization has not joined this list)"]})
        removed, _ = DemandListEntry.objects.filter(demand_list=demand_list, manufacturer=manufacturer).delete()
        kit.record(actor, demand_list, "demandlist.left", before={"entries": before}, after={"entries": {}},
                   event=DemandListEvent, organization_id=manufacturer.pk, data={"manufacturer": manufacturer.pk})
    return removed
