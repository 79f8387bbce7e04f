"""The only write path of the catalog: load the shipped taxonomy and items, curate drafts, publish, revise, retire.

A published row is never edited: ``revise_item`` copies it into a new draft version that ``supersedes`` it, and
publishing that draft makes it current while the old row stays readable, unchanged, and referenced by whatever
pointed at it. Only associations (行业协会, for the drafts of their own organization) and the platform operator
curate; everyone browses.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from ronghe.platform.catalog.models import Qualification, ServiceCategory, ServiceItem, ServiceItemEvent
from ronghe.platform.catalog.rules import CURATORS_ONLY, can_create_item, curator_org_ids, item_rules
from ronghe.platform.catalog.states import ITEM_STATES
from ronghe.platform.core import kit
from ronghe.platform.core.permissions import is_operator, org_ids

log = logging.getLogger(__name__)

DATA = resources.files("ronghe.platform.catalog") / "data"
CODE_RE = re.compile(r"^SI-(\d{2})-(\d{3})$")

#: Fields a curator writes; everything else (code, version, status, lineage, timestamps) belongs to the services.
CONTENT_FIELDS = (
    "category", "name_zh", "name_en", "scope", "deliverables", "acceptance_criteria", "sla", "value_outputs",
    "kpis", "pricing_model", "duration_days_min", "duration_days_max", "required_qualifications", "keywords",
    "change_note",
)
_LIST_FIELDS = ("deliverables", "acceptance_criteria", "kpis", "required_qualifications")


# --- who may curate: ``catalog.rules`` ------------------------------------------------------------------------

def _operator_org():
    from ronghe.platform.accounts.models import Organization

    return Organization.objects.filter(kind=Organization.Kind.OPERATOR).order_by("pk").first()


def _curating_org(user: Any, organization: Any | None):
    """The organization a new draft belongs to: the one asked for if the user may curate for it."""
    allowed = curator_org_ids(user)
    if organization is not None:
        org_id = getattr(organization, "pk", organization)
        if org_id in allowed or (is_operator(user) and org_id in org_ids(user)):
            return org_id
        raise PermissionDenied("不能以该组织的名义维护服务目录 (you may not curate for that organization)")
    if allowed:
        return allowed[0]
    mine = org_ids(user, kinds={"operator"})
    return mine[0] if mine else getattr(_operator_org(), "pk", None)


# --- validation ----------------------------------------------------------------------------------------------

def _as_category(value: Any) -> ServiceCategory:
    if isinstance(value, ServiceCategory):
        return value
    try:
        return ServiceCategory.objects.select_related("parent").get(code=str(value).strip())
    except ServiceCategory.DoesNotExist:
        raise ValidationError({"category": f"未知的服务类别 {value!r} (unknown category)"}) from None


def _str_list(name: str, value: Any, errors: dict, *, required: bool) -> list[str]:
    if value in (None, ""):
        value = []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[name] = "须为文本列表 (must be a list of strings)"
        return []
    cleaned = [v.strip() for v in value if v.strip()]
    if required and not cleaned:
        errors[name] = "不能为空 (must not be empty)"
    return cleaned


def validate_item_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise curator input; raise one ValidationError naming every bad field."""
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError({name: "不可修改的字段 (field cannot be set)" for name in sorted(unknown)})
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    try:
        category = _as_category(fields.get("category"))
        if category.level < 2:
            errors["category"] = "请选择中类 (choose a sub-category, not a top-level category)"
        out["category"] = category
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if isinstance(fields.get("keywords"), list | tuple):
        fields = {**fields, "keywords": ", ".join(str(k).strip() for k in fields["keywords"] if str(k).strip())}
    for name, limit in (("name_zh", 200), ("name_en", 300), ("keywords", 500), ("change_note", 300)):
        value = str(fields.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"不能超过 {limit} 个字符 (at most {limit} characters)"
        out[name] = value
    if not out["name_zh"]:
        errors["name_zh"] = "名称不能为空 (name is required)"
    for name in ("scope", "value_outputs"):
        out[name] = str(fields.get(name) or "").strip()
    if len(out["scope"]) < 20:
        errors["scope"] = "服务内容与范围不能为空，且至少 20 个字 (scope is required, at least 20 characters)"
    for name in _LIST_FIELDS:
        out[name] = _str_list(name, fields.get(name), errors, required=name in ("deliverables",
                                                                             "acceptance_criteria"))
    out["sla"] = _sla(fields.get("sla"), errors)
    pricing = fields.get("pricing_model")
    if pricing not in ServiceItem.Pricing.values:
        errors["pricing_model"] = (
            f"无效的计价方式 {pricing!r}，可选 {', '.join(ServiceItem.Pricing.values)} (invalid pricing model)"
        )
    out["pricing_model"] = pricing
    lo, hi = fields.get("duration_days_min"), fields.get("duration_days_max")
    for name, value in (("duration_days_min", lo), ("duration_days_max", hi)):
        if value in (None, ""):
            out[name] = None
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors[name] = "须为正整数天数 (must be a positive whole number of days)"
        else:
            out[name] = value
    lo, hi = out.get("duration_days_min"), out.get("duration_days_max")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        errors["duration_days_max"] = "典型周期上限不能小于下限 (duration max must be ≥ min)"
    if errors:
        raise ValidationError(errors)
    return out


def _sla(value: Any, errors: dict) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors["sla"] = '须为 [{"metric": …, "target": …}] 列表 (must be a list of {metric, target})'
        return []
    out = []
    for row in value:
        if not isinstance(row, dict) or set(row) != {"metric", "target"} or not all(
            isinstance(row[k], str) and row[k].strip() for k in ("metric", "target")
        ):
            errors["sla"] = "每条服务水平须含非空的 metric 和 target (each SLA row needs a metric and a target)"
            return []
        out.append({"metric": row["metric"].strip(), "target": row["target"].strip()})
    return out


def _next_code(category: ServiceCategory) -> str:
    top = category.code[:2]
    used = [int(m.group(2)) for c in ServiceItem.objects.filter(code__startswith=f"SI-{top}-")
            .values_list("code", flat=True).distinct() if (m := CODE_RE.match(c))]
    return f"SI-{top}-{max(used, default=0) + 1:03d}"


# --- curation ------------------------------------------------------------------------------------------------

IMMUTABLE = "immutable"  # the code of "a published item is never edited in place" (the API answers 409)
#: what an item's audit entries carry: its content and its place in the lineage
AUDITED_FIELDS = ("code", "version", "status", "curated_by", "supersedes", *CONTENT_FIELDS)


def _content(item: ServiceItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in CONTENT_FIELDS} | {"category": item.category}


def _curate(actor: Any, locked: ServiceItem) -> None:
    """Who first (403), so the state errors that follow (400) are only ever shown to the item's curators."""
    item_rules.require(actor, "curate", locked)


def create_item_draft(actor: Any, organization: Any | None = None, /, **fields: Any) -> ServiceItem:
    """A new item (version 1, draft) curated by ``organization`` — by default the actor's association, or the
    operator's organization."""
    if not can_create_item(actor):
        raise PermissionDenied(CURATORS_ONLY)
    org_id = _curating_org(actor, organization)
    clean = validate_item_fields(fields)
    with transaction.atomic():
        # serialize code allocation per 大类 so two curators never draw the same code
        ServiceCategory.objects.select_for_update().get(code=clean["category"].code[:2])
        item = ServiceItem(code=_next_code(clean["category"]), version=1, status=ServiceItem.Status.DRAFT,
                           curated_by_id=org_id, created_by=actor, **clean)
        item.save()
        kit.record(actor, item, "catalog.item_drafted", after=kit.snapshot(item, AUDITED_FIELDS),
                   event=ServiceItemEvent, organization_id=org_id if org_id in org_ids(actor) else None,
                   to_state=item.status)
    log.info("catalog: %s drafted %s", actor, item)
    return item


def update_item_draft(actor: Any, item: ServiceItem, **fields: Any) -> ServiceItem:
    """Edit a draft in place; published and retired rows refuse (revise them instead)."""
    with transaction.atomic():
        locked = kit.lock(item)
        _curate(actor, locked)
        if locked.status != ServiceItem.Status.DRAFT:
            raise ValidationError("已发布的条目不能直接修改，请创建新版本 (a published item is never edited in place: "
                                  "revise it to create a new version)", code=IMMUTABLE)
        item_rules.require(actor, "edit", locked)
        clean = validate_item_fields({**_content(locked), **fields})
        before = kit.snapshot(locked, CONTENT_FIELDS)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.save()
        old, new = kit.changed(before, kit.snapshot(locked, CONTENT_FIELDS))
        kit.record(actor, locked, "catalog.item_edited", before=old, after=new, event=ServiceItemEvent,
                   data={"fields": sorted(new)})
    log.info("catalog: %s edited draft %s", actor, locked)
    return locked


def publish_item(actor: Any, item: ServiceItem) -> ServiceItem:
    """Make a draft the current version of its code; the version it supersedes stays as it was."""
    with transaction.atomic():
        _curate(actor, kit.lock(item))

        def check(locked: ServiceItem) -> None:
            validate_item_fields(_content(locked))
            if locked.supersedes_id:
                old = kit.lock(ServiceItem, locked.supersedes_id)
                if old.status != ServiceItem.Status.PUBLISHED:
                    raise ValidationError("被修订的版本已停用，不能发布新版本 (the revised version is no longer published)")
            item_rules.require(actor, "publish", locked)

        def stamp(locked: ServiceItem) -> list[str]:
            locked.published_at = timezone.now()
            return ["published_at"]

        published = kit.transition(actor, item, ServiceItem.Status.PUBLISHED, table=ITEM_STATES, state_field="status",
                                   action="catalog.item_published", check=check, apply=stamp, event=ServiceItemEvent,
                                   data={"supersedes": item.supersedes_id})
    log.info("catalog: %s published %s", actor, published)
    return published


def revise_item(actor: Any, item: ServiceItem, **fields: Any) -> ServiceItem:
    """A new draft version of a published item, with ``fields`` changed; the published row is not touched."""
    with transaction.atomic():
        locked = kit.lock(item)
        _curate(actor, locked)
        if locked.status != ServiceItem.Status.PUBLISHED or not locked.is_current:
            raise ValidationError("只能修订当前已发布的版本 (only the current published version can be revised)")
        if ServiceItem.objects.filter(supersedes=locked).exists():
            raise ValidationError("该条目已有待发布的修订草稿 (a draft revision of this item already exists)")
        item_rules.require(actor, "revise", locked)
        clean = validate_item_fields({**_content(locked), "change_note": "", **fields})
        version = (ServiceItem.objects.filter(code=locked.code).aggregate(v=Max("version"))["v"] or 0) + 1
        draft = ServiceItem(code=locked.code, version=version, status=ServiceItem.Status.DRAFT, supersedes=locked,
                            curated_by_id=locked.curated_by_id, created_by=actor, **clean)
        draft.save()
        kit.record(actor, draft, "catalog.item_revised", after=kit.snapshot(draft, AUDITED_FIELDS),
                   event=ServiceItemEvent, to_state=draft.status, data={"supersedes": locked.pk})
    log.info("catalog: %s revised %s into v%s", actor, locked, draft.version)
    return draft


def retire_item(actor: Any, item: ServiceItem) -> ServiceItem:
    """Withdraw the current version from the catalog; rows that reference it keep pointing at it."""
    with transaction.atomic():
        _curate(actor, kit.lock(item))

        def check(locked: ServiceItem) -> None:
            if not locked.is_current:
                raise ValidationError("只能停用当前已发布的版本 (only the current published version can be retired)")
            pending = ServiceItem.objects.filter(supersedes=locked, status=ServiceItem.Status.DRAFT).first()
            if pending is not None:
                raise ValidationError(f"请先处理待发布的修订草稿 v{pending.version} (a draft revision is pending)")
            item_rules.require(actor, "retire", locked)

        def stamp(locked: ServiceItem) -> list[str]:
            locked.retired_at = timezone.now()
            return ["retired_at"]

        retired = kit.transition(actor, item, ServiceItem.Status.RETIRED, table=ITEM_STATES, state_field="status",
                                 action="catalog.item_retired", check=check, apply=stamp, event=ServiceItemEvent)
    log.info("catalog: %s retired %s", actor, retired)
    return retired


# --- reading -------------------------------------------------------------------------------------------------

QUALIFICATION_FIELDS = ("code", "name_zh", "name_en", "authority", "aliases")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


def add_qualification(actor: Any, **fields: Any) -> Qualification:
    """The operator extends the qualification registry (资质登记); certificates and items may then name it.

    A code is lower-case ``[a-z][a-z0-9_]*``; a name or alias already taken by another entry is refused, so a
    name always resolves to one code.
    """
    from ronghe.match.qualifications import Registry

    if not (getattr(actor, "is_authenticated", False) and is_operator(actor)):
        raise PermissionDenied("只有平台运营方可以扩充资质登记 (only the operator extends the registry)")
    errors: dict[str, list[str]] = {}
    unknown = set(fields) - set(QUALIFICATION_FIELDS)
    if unknown:
        errors["__all__"] = [f"未知字段 (unknown fields): {', '.join(sorted(unknown))}"]
    code = str(fields.get("code", "")).strip()
    if not _CODE.match(code):
        errors["code"] = ["资质代码须为小写字母、数字与下划线 (lower-case letters, digits, _)"]
    name = str(fields.get("name_zh", "")).strip()
    if not name:
        errors["name_zh"] = ["必填 (required)"]
    aliases = fields.get("aliases") or []
    aliases = [a.strip() for a in (aliases.split("|") if isinstance(aliases, str) else aliases) if a.strip()]
    with transaction.atomic():
        existing = Registry.from_rows(Qualification.objects.values(*QUALIFICATION_FIELDS))
        if code in existing.qualifications:
            errors["code"] = ["该代码已存在 (code already in the registry)"]
        taken = [n for n in (name, *aliases) if n and existing.code_of(n) not in (None, code)]
        if taken:
            errors["aliases"] = [f"名称已属于其他资质 (names already taken): {'、'.join(taken)}"]
        kit.require_fields(errors)
        q = Qualification.objects.create(code=code, name_zh=name, name_en=str(fields.get("name_en", "")).strip(),
                                         authority=str(fields.get("authority") or "other"), aliases="|".join(aliases))
        kit.record(actor, q, "catalog.qualification_added", after=kit.snapshot(q, QUALIFICATION_FIELDS))
    return q


def search_items(query: str, user: Any, *, current_only: bool = True) -> QuerySet[ServiceItem]:
    """Items the user may see whose name, scope, keywords, qualifications or category synonyms hold every term.

    A plain database search (icontains works for CJK); the matching engine builds its own index on top.
    """
    qs = ServiceItem.objects.restrict(user, "view")
    if current_only:
        qs = qs.current()
    for term in (query or "").lower().split():
        qs = qs.filter(Q(search_text__contains=term) | Q(category__synonyms__icontains=term))
    return qs.select_related("category", "category__parent", "curated_by")


def category_tree() -> list[tuple[ServiceCategory, list[ServiceCategory]]]:
    """The 大类 with their 中类, in code order, for the browse page."""
    cats = list(ServiceCategory.objects.all())
    children: dict[int, list[ServiceCategory]] = {}
    for c in cats:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(c, children.get(c.pk, [])) for c in cats if c.level == 1]


# --- shipped data --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoadResult:
    categories: int
    items_created: int
    items_existing: int


def read_categories(path: Path | None = None) -> list[dict[str, str]]:
    text = (Path(path) if path else DATA / "categories.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    for n, row in enumerate(rows, start=2):
        if not row.get("code") or row.get("level") not in {"1", "2"} or not row.get("name_zh"):
            raise ValidationError(f"categories.csv row {n}: code, level (1|2) and name_zh are required")
    return rows


def read_items(path: Path | None = None) -> list[dict[str, Any]]:
    data = json.loads((Path(path) if path else DATA / "items.json").read_text(encoding="utf-8"))
    return data["items"]


def _load_categories(rows: Iterable[dict[str, str]]) -> tuple[int, list[str], list[str]]:
    """Upsert the taxonomy by code, writing only rows that differ from the file: (count, created, updated)."""
    existing = {c.code: c for c in ServiceCategory.objects.all()}
    created, updated = [], []
    for row in sorted(rows, key=lambda r: (r["level"], r["code"])):
        parent = existing.get(row["parent"]) if row.get("parent") else None
        if row.get("parent") and parent is None:
            raise ValidationError(f"category {row['code']}: unknown parent {row['parent']}")
        values = {"level": int(row["level"]), "parent": parent, "name_zh": row["name_zh"],
                  "name_en": row["name_en"], "divisions": row.get("divisions", ""),
                  "synonyms": row.get("synonyms", "")}
        cat = existing.get(row["code"])
        if cat is None:
            existing[row["code"]] = ServiceCategory.objects.create(code=row["code"], **values)
            created.append(row["code"])
        elif any(getattr(cat, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(cat, k, v)
            cat.save()
            updated.append(row["code"])
    return len(existing), created, updated


LOADER = "system:load_catalog"


def _load_shipped_qualifications(actor: Any) -> int:
    """The shipped qualification registry (migration 0003 loads it too): rows a flush or a fresh database lacks
    are added back, the operator's own additions and edits are left alone."""
    from ronghe.match.qualifications import default_rows

    have = set(Qualification.objects.values_list("code", flat=True))
    rows = [Qualification(code=r["code"], name_zh=r["name_zh"], name_en=r.get("name_en", ""),
                          authority=r.get("authority", "other"), aliases="|".join(r.get("aliases", ())))
            for r in default_rows() if r["code"] not in have]
    if rows:
        Qualification.objects.bulk_create(rows)
        kit.record(actor, ("catalog.qualification", "registry"), "catalog.qualifications_loaded",
                   after={"created": len(rows)})
    return len(rows)


def load_catalog(actor: Any = LOADER, *, categories_path: Path | None = None,
                 items_path: Path | None = None) -> LoadResult:
    """Import the shipped taxonomy and items as published version 1; running it again changes nothing.

    A system loader (``actor`` is ``"system:load_catalog"`` unless a caller names itself): it appends one audit
    entry for the taxonomy when it changed and one per item it created. Items are curated by the first
    platform-operator organization if one exists, else by nobody. An item code already in the database (any
    version) is left alone, so curators' revisions survive a reload.
    """
    with transaction.atomic():
        n_cats, cats_created, cats_updated = _load_categories(read_categories(categories_path))
        _load_shipped_qualifications(actor)
        operator = _operator_org()
        existing = set(ServiceItem.objects.values_list("code", flat=True).distinct())
        categories = {c.code: c for c in ServiceCategory.objects.select_related("parent")}
        new_items: list[ServiceItem] = []
        now = timezone.now()
        for raw in read_items(items_path):
            code = raw.get("code", "")
            if not CODE_RE.match(code):
                raise ValidationError(f"items.json: bad item code {code!r} (expected SI-NN-NNN)")
            if code in existing:
                continue
            try:
                fields = {k: v for k, v in raw.items() if k != "code"}
                fields["category"] = categories.get(fields.get("category"), fields.get("category"))
                clean = validate_item_fields(fields)
            except ValidationError as exc:
                raise ValidationError(f"items.json {code}: {exc.message_dict}") from None
            if clean["category"].code[:2] != code[3:5]:
                raise ValidationError(f"items.json {code}: category {clean['category'].code} is not in 大类 "
                                      f"{code[3:5]}")
            item = ServiceItem(code=code, version=1, status=ServiceItem.Status.PUBLISHED, published_at=now,
                               curated_by=operator, **clean)
            item.refresh_derived()
            new_items.append(item)
            existing.add(code)
        ServiceItem.objects.bulk_create(new_items)
        created = len(new_items)
        if cats_created or cats_updated:
            kit.record(actor, ("catalog.servicecategory", "taxonomy"), "catalog.taxonomy_loaded",
                       after={"created": cats_created, "updated": cats_updated})
        codes = [i.code for i in new_items]
        for item in ServiceItem.objects.filter(code__in=codes, version=1).order_by("code"):
            kit.record(actor, item, "catalog.item_loaded", after=kit.snapshot(item, AUDITED_FIELDS),
                       event=ServiceItemEvent, to_state=item.status)
    result = LoadResult(n_cats, created, len(existing) - created)
    log.info("catalog: loaded %s", result)
    return result


def load_demo_catalog(demo: Any = None) -> LoadResult:
    """The catalog's demo loader (``platform.py``): the shipped taxonomy and items, before any demand."""
    return load_catalog("system:demo")
