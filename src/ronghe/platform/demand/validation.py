"""Checking what a demand or demand-list writer sends: every error collected, field by field.

Pure validation — no permission, no writes — so the services (and a future bulk importer) share one set of
rules and a form shows every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.accounts.reference import provinces
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.documents import validate_document
from ronghe.platform.demand.models import Confidentiality

MAX_LINES = 50
MAX_ATTACHMENTS = 10
MAX_QUANTITY = 1_000_000


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


def validate_demand_fields(fields: dict[str, Any], lines: Sequence[LineInput] | None,
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
                if not isinstance(line.quantity, int) or line.quantity < 1 or line.quantity > MAX_QUANTITY:
                    errors.setdefault("lines", []).append(
                        f"第 {n} 条：数量须为 1–1000000 (line {n}: quantity must be 1–1000000)"
                    )
                item = items.get(int(ref)) if str(ref).isdigit() else None
                if item is not None:
                    clean_lines.append((item, scope, line.quantity))
    return clean, clean_lines


def check_attachments(errors: dict[str, list[str]], uploads: Sequence[Any], already: int = 0) -> list:
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


def validate_list_fields(fields: dict[str, Any], items: Sequence[ServiceItem | int] | None,
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




def validate_entries(entries: Sequence[EntryInput], listed: set[int], errors: dict[str, list[str]], *,
                     allow_empty: bool = False) -> list[tuple[int, int, str]]:
    """A manufacturer's declared (item, quantity, notes) on a list; items must be on the list."""
    if not entries and not allow_empty:
        errors.setdefault("entries", []).append("至少选择一个服务条目 (choose at least one item)")
    clean: list[tuple[int, int, str]] = []
    for n, entry in enumerate(entries, start=1):
        ref = entry.item.pk if isinstance(entry.item, ServiceItem) else entry.item
        try:
            ref = int(ref)
        except (TypeError, ValueError):
            ref = None
        if ref not in listed:
            errors.setdefault("entries", []).append(f"第 {n} 项不在本清单中 (item {n} is not on this list)")
        if not isinstance(entry.quantity, int) or not 1 <= entry.quantity <= MAX_QUANTITY:
            errors.setdefault("entries", []).append(f"第 {n} 项数量须为 1–1000000 (item {n}: bad quantity)")
        if len(entry.notes or "") > 500:
            errors.setdefault("entries", []).append(f"第 {n} 项备注过长 (item {n}: notes too long)")
        clean.append((ref, entry.quantity, (entry.notes or "").strip()))
    return clean
