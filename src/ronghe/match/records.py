"""The records the engine works on, and the labelled-set JSON format they are read from (docs/matching.md).

Everything is plain data: the platform builds the same records from its tables, and ``evaluate`` builds them
from a file. ``parse_labelled_set`` checks every field it reads and raises :class:`~ronghe.errors.InputError`
naming the record and the field (``providers[3] (id "p4").offerings[0].price_min: …``), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ronghe.errors import InputError
from ronghe.match import catalog as C
from ronghe.match.regions import NATIONWIDE, province_code


@dataclass
class Certificate:
    type: str  # registry code, or the verbatim text when the registry does not know it
    number: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    verified: bool = True

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Offering:
    item: str | None
    category: str | None  # NBS category code (大类 "01" or 中类 "011"); derived from the item when absent
    title: str
    description: str = ""
    price_min: float = 0.0
    price_max: float = float("inf")
    monthly_capacity: int = 1
    committed: int = 0  # active commitments this month (deals), subtracted from the capacity
    lead_time_days: int = 0
    provinces: frozenset[str] | None = None  # None: the provider's provinces_served
    industries: frozenset[str] | None = None
    active: bool = True
    key: Any = None  # the platform's offering id

    @property
    def text(self) -> str:
        return f"{self.title}。{self.description}" if self.description else self.title


@dataclass
class Provider:
    id: str
    name: str = ""
    province: str = ""
    provinces_served: frozenset[str] = frozenset()
    industries_served: frozenset[str] = frozenset()
    offerings: list[Offering] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    members: frozenset[str] = frozenset()  # people (user ids) of the provider organization
    cases: int = 0
    completed: int = 0
    on_time: int = 0
    tier: float | None = None  # capability tier in [0, 1], from the evaluation app once it exists
    is_new: bool = False


@dataclass
class Demand:
    id: str
    title: str
    description: str = ""
    item: str | None = None
    category: str | None = None
    manufacturer_industry: str | None = None
    province: str | None = None
    city: str = ""
    budget_min: float | None = None
    budget_max: float | None = None
    days_to_deadline: int | None = None
    required_certificates: tuple[str, ...] = ()  # registry codes, or verbatim texts
    quantity: int = 1
    buyer: str | None = None  # the buyer's organization id (a provider id when the buyer is also a provider)
    buyer_members: frozenset[str] = frozenset()
    key: Any = None

    @property
    def text(self) -> str:
        return f"{self.title}。{self.description}" if self.description else self.title


@dataclass
class LabelledSet:
    reference_date: date
    providers: list[Provider]
    demands: list[Demand]
    qrels: dict[str, dict[str, int]]
    source: str = ""


# --- parsing ------------------------------------------------------------------------------------


class _Where:
    """Builds the 'providers[3] (id "p4").offerings[0].price_min' part of an error."""

    def __init__(self, path: str, file: str | None) -> None:
        self.path, self.file = path, file

    def sub(self, part: str) -> _Where:
        return _Where(f"{self.path}{part}" if part.startswith("[") else f"{self.path}.{part}", self.file)

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.path}: {message}", file=self.file)


def _get(obj: Mapping, name: str, where: _Where, kind: type | tuple, required: bool = False, default: Any = None):
    if name not in obj or obj[name] is None:
        if required:
            raise where.sub(name).fail("required field is missing")
        return default
    value = obj[name]
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, bool):
        raise where.sub(name).fail(f"expected an integer, got {value!r}")
    if not isinstance(value, kind):
        names = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "an object",
                 bool: "true or false"}
        expected = names.get(kind, " or ".join(names.get(k, k.__name__) for k in kind) if isinstance(kind, tuple)
                             else kind.__name__)
        raise where.sub(name).fail(f"expected {expected}, got {json.dumps(value, ensure_ascii=False)[:40]}")
    return value


def _date(obj: Mapping, name: str, where: _Where, required: bool = False) -> date | None:
    text = _get(obj, name, where, str, required)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise where.sub(name).fail(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _id(obj: Mapping, where: _Where) -> str:
    value = _get(obj, "id", where, (str, int), required=True)
    return str(value)


def _provinces(values: list, where: _Where) -> frozenset[str]:
    out = set()
    for n, v in enumerate(values):
        code = province_code(str(v))
        if code is None:
            raise where.sub(f"[{n}]").fail(f"unknown province {v!r} (GB/T 2260 code, official name or 全国)")
        out.add(code)
    return frozenset(out)


def _category(value: str | None, where: _Where) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not (value.isdigit() and 2 <= len(value) <= 4):
        raise where.fail(f"expected an NBS 2019 category code such as \"01\" or \"011\", got {value!r}")
    return value


def _offering(obj: Any, where: _Where, registry_items: Mapping[str, C.Item]) -> Offering:
    if not isinstance(obj, dict):
        raise where.fail("expected an object")
    item = _get(obj, "item", where, str)
    category = _category(_get(obj, "category", where, (str, int)), where.sub("category"))
    if item is None and category is None:
        raise where.fail("an offering needs `item` or `category`")
    if category is None and item is not None:
        category = C.category_of(item, registry_items)
    price_min = _get(obj, "price_min", where, float, default=0.0)
    price_max = _get(obj, "price_max", where, float, default=float("inf"))
    if price_min < 0:
        raise where.sub("price_min").fail("must not be negative")
    if price_max < price_min:
        raise where.sub("price_max").fail(f"{price_max:g} is below price_min {price_min:g}")
    capacity = _get(obj, "monthly_capacity", where, int, default=1)
    committed = _get(obj, "committed", where, int, default=0)
    lead = _get(obj, "lead_time_days", where, int, default=0)
    for name, value in (("monthly_capacity", capacity), ("committed", committed), ("lead_time_days", lead)):
        if value < 0:
            raise where.sub(name).fail("must not be negative")
    provinces = obj.get("provinces_served")
    industries = obj.get("industries_served")
    title = _get(obj, "title", where, str) or (registry_items[item].name_zh if item in registry_items else item or "")
    return Offering(
        item=item, category=category, title=title, description=_get(obj, "description", where, str, default=""),
        price_min=price_min, price_max=price_max, monthly_capacity=capacity, committed=committed,
        lead_time_days=lead,
        provinces=_provinces(_get(obj, "provinces_served", where, list), where.sub("provinces_served"))
        if provinces is not None else None,
        industries=frozenset(str(i) for i in _get(obj, "industries_served", where, list))
        if industries is not None else None,
        active=_get(obj, "active", where, bool, default=True),
    )


def _certificate(obj: Any, where: _Where, registry) -> Certificate:
    if not isinstance(obj, dict):
        raise where.fail("expected an object")
    text = _get(obj, "type", where, str, required=True)
    valid_from, valid_to = _date(obj, "valid_from", where), _date(obj, "valid_to", where)
    if valid_from and valid_to and valid_to < valid_from:
        raise where.sub("valid_to").fail(f"{valid_to} is before valid_from {valid_from}")
    return Certificate(
        type=registry.code_of(text) or text.strip(), number=str(_get(obj, "number", where, (str, int), default="")),
        valid_from=valid_from, valid_to=valid_to, verified=_get(obj, "verified", where, bool, default=True),
    )


def parse_provider(obj: Any, where: _Where, registry, items: Mapping[str, C.Item]) -> Provider:
    if not isinstance(obj, dict):
        raise where.fail("expected an object")
    pid = _id(obj, where)
    where = _Where(f"{where.path} (id {json.dumps(pid, ensure_ascii=False)})", where.file)
    province = _get(obj, "province", where, (str, int), default="")
    home = province_code(str(province)) if province != "" else ""
    if home is None:
        raise where.sub("province").fail(f"unknown province {province!r}")
    served = _get(obj, "provinces_served", where, list, default=None)
    served_codes = _provinces(served, where.sub("provinces_served")) if served is not None else (
        frozenset({home}) if home else frozenset())
    offerings = [_offering(o, where.sub(f"offerings[{n}]"), items)
                 for n, o in enumerate(_get(obj, "offerings", where, list, default=[]))]
    certs = [_certificate(c, where.sub(f"certificates[{n}]"), registry)
             for n, c in enumerate(_get(obj, "certificates", where, list, default=[]))]
    return Provider(
        id=pid, name=_get(obj, "name", where, str, default=""), province=home or "",
        provinces_served=served_codes,
        industries_served=frozenset(str(i) for i in _get(obj, "industries_served", where, list, default=[])),
        offerings=offerings, certificates=certs,
        members=frozenset(str(m) for m in _get(obj, "members", where, list, default=[])),
        cases=_get(obj, "cases", where, int, default=0),
        completed=_get(obj, "completed", where, int, default=0),
        on_time=_get(obj, "on_time", where, int, default=0),
        tier=_get(obj, "tier", where, float),
        is_new=_get(obj, "is_new", where, bool, default=False),
    )


def parse_demand(obj: Any, where: _Where, reference: date, registry, items: Mapping[str, C.Item]) -> Demand:
    if not isinstance(obj, dict):
        raise where.fail("expected an object")
    did = _id(obj, where)
    where = _Where(f"{where.path} (id {json.dumps(did, ensure_ascii=False)})", where.file)
    item = _get(obj, "item", where, str)
    category = _category(_get(obj, "category", where, (str, int)), where.sub("category"))
    if item is None and category is None:
        raise where.fail("a demand needs `item` or `category`")
    province = _get(obj, "province", where, (str, int))
    code = province_code(str(province)) if province is not None else None
    if province is not None and (code is None or code == NATIONWIDE):
        raise where.sub("province").fail(f"unknown province {province!r}")
    budget_min = _get(obj, "budget_min", where, float)
    budget_max = _get(obj, "budget_max", where, float)
    if budget_min is not None and budget_max is not None and budget_max < budget_min:
        raise where.sub("budget_max").fail(f"{budget_max:g} is below budget_min {budget_min:g}")
    days = _get(obj, "deadline_days", where, int)
    deadline = _date(obj, "deadline", where)
    if days is None and deadline is not None:
        days = (deadline - reference).days
    required = []
    for n, text in enumerate(_get(obj, "required_certificates", where, list, default=[])):
        if not isinstance(text, str) or not text.strip():
            raise where.sub(f"required_certificates[{n}]").fail("expected a qualification name or code")
        required.append(registry.code_of(text) or text.strip())
    quantity = _get(obj, "quantity", where, int, default=1)
    if quantity < 1:
        raise where.sub("quantity").fail("must be at least 1")
    buyer = obj.get("buyer")
    return Demand(
        id=did, title=_get(obj, "title", where, str, required=True),
        description=_get(obj, "description", where, str, default=""), item=item, category=category,
        manufacturer_industry=str(obj["manufacturer_industry"]) if obj.get("manufacturer_industry") else None,
        province=code, city=_get(obj, "city", where, str, default=""), budget_min=budget_min, budget_max=budget_max,
        days_to_deadline=days, required_certificates=tuple(required), quantity=quantity,
        buyer=str(buyer) if buyer is not None else None,
        buyer_members=frozenset(str(m) for m in _get(obj, "buyer_members", where, list, default=[])),
    )


def parse_labelled_set(data: Any, file: str | None = None, registry=None) -> LabelledSet:
    """Read a labelled set (already decoded JSON); every problem names its record and field."""
    from ronghe.match.qualifications import default_registry

    registry = registry or default_registry()
    items = C.shipped_items()
    top = _Where("(top level)", file)
    if not isinstance(data, dict):
        raise top.fail("expected a JSON object with reference_date, providers, demands and qrels")
    reference = _date(data, "reference_date", _Where("", file), required=True)
    providers = [parse_provider(p, _Where(f"providers[{n}]", file), registry, items)
                 for n, p in enumerate(_get(data, "providers", _Where("", file), list, required=True))]
    seen: set[str] = set()
    for n, p in enumerate(providers):
        if p.id in seen:
            raise _Where(f"providers[{n}].id", file).fail(f"duplicate provider id {p.id!r}")
        seen.add(p.id)
    demands = [parse_demand(d, _Where(f"demands[{n}]", file), reference, registry, items)
               for n, d in enumerate(_get(data, "demands", _Where("", file), list, required=True))]
    demand_ids = {d.id for d in demands}
    if len(demand_ids) != len(demands):
        raise _Where("demands", file).fail("duplicate demand ids")
    qrels_raw = _get(data, "qrels", _Where("", file), dict, default={})
    qrels: dict[str, dict[str, int]] = {}
    for did, row in qrels_raw.items():
        where = _Where(f"qrels[{json.dumps(did, ensure_ascii=False)}]", file)
        if did not in demand_ids:
            raise where.fail("names a demand that is not in `demands`")
        if not isinstance(row, dict):
            raise where.fail("expected an object {provider id: grade}")
        for pid, grade in row.items():
            if pid not in seen:
                raise where.sub(f"[{json.dumps(pid, ensure_ascii=False)}]").fail("names a provider that is not in `providers`")
            if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 3:
                raise where.sub(f"[{json.dumps(pid, ensure_ascii=False)}]").fail(f"grade must be an integer 0–3, got {grade!r}")
        qrels[did] = {str(p): int(g) for p, g in row.items() if g > 0}
    return LabelledSet(reference, providers, demands, qrels, source=str(data.get("source", "")))


def load_labelled_set(path: str | Path) -> LabelledSet:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=str(path)) from None
    return parse_labelled_set(data, file=str(path))


def deadline_days(reference: date, deadline: date | None) -> int | None:
    return None if deadline is None else (deadline - reference).days


__all__ = ["Certificate", "Demand", "LabelledSet", "Offering", "Provider", "deadline_days", "load_labelled_set",
           "parse_labelled_set", "timedelta"]
