"""The curated demo: one organization and one login per role, then the catalog and other apps' demo data.

Everything here is synthetic and says so (``is_synthetic=True``, “（演示）” in the name). The demo logins use
the fixed, documented password :data:`DEMO_PASSWORD`; never load this into a production database.

Every app adds its own demo data by naming a loader in its ``platform.py`` (``demo_loader``, ordered by
``demo_order``): a ``"module:function"`` path called as ``loader(demo)`` with the :class:`DemoData` built here.
A path whose module does not exist yet is skipped with a message; any error raised inside a loader propagates.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from ronghe.platform.accounts import services as accounts
from ronghe.platform.accounts.models import Organization
from ronghe.platform.accounts.validators import credit_code_check_char

DEMO_PASSWORD = "ronghe-demo"


@dataclass(frozen=True)
class DemoOrg:
    kind: str
    username: str
    name: str
    name_en: str
    province: str
    city: str
    industries: tuple[str, ...]
    description: str

    @property
    def credit_code(self) -> str:
        """A valid, recognisably synthetic code: ``91`` + province + ``0000MA0DEM`` + serial + check."""
        serial = [o.username for o in DEMO_ORGS].index(self.username) + 1
        body = f"91{self.province}0000MA0DEM{serial:03d}"
        return body + credit_code_check_char(body)


DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("manufacturer", "manufacturer", "苏州恒锐汽车零部件有限公司（演示）", "Suzhou Hengrui Auto Parts (demo)",
            "32", "苏州", ("36", "34"),
            "汽车转向与制动系统零部件制造商，正推进产线数字化改造与质量追溯。（虚构的演示企业）"),
    DemoOrg("provider", "provider", "上海智联工业互联网科技有限公司（演示）", "Shanghai Zhilian IIoT Technology (demo)",
            "31", "上海", ("65",),
            "提供MES实施、设备联网与数据治理服务，具有ISO 9001与高新技术企业资质。（虚构的演示企业）"),
    DemoOrg("association", "association", "江苏省汽车零部件行业协会（演示）", "Jiangsu Auto Parts Association (demo)",
            "32", "南京", ("36",),
            "组织会员企业编制行业服务需求清单，推广标准化服务条目。（虚构的演示机构）"),
    DemoOrg("certifier", "certifier", "华东质量检测认证中心（演示）", "East China Testing & Certification Centre (demo)",
            "31", "上海", ("74",),
            "CNAS认可的检测与认证机构，核验服务商资质证书。（虚构的演示机构）"),
    DemoOrg("operator", "operator", "两业融合公共服务平台运营中心（演示）", "ronghe Platform Operations (demo)",
            "11", "北京", ("72",),
            "平台运营方：管理组织、目录与审核。（虚构的演示机构）"),
    DemoOrg("government", "government", "江苏省工业和信息化厅（演示，只读）", "Jiangsu Dept. of Industry & IT (demo, read-only)",
            "32", "南京", (),
            "政府只读账户：查看供需全貌与统计。（虚构的演示机构）"),
)


def loaders() -> list[str | Callable[[DemoData], Any]]:
    """The registered apps' demo loaders, in their declared order (``core.registry``)."""
    from ronghe.platform.core.registry import demo_loaders

    return list(demo_loaders())


@dataclass
class DemoData:
    """What the curated demo created, for the loaders that build on it (keys are the role/kind)."""

    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def is_loaded() -> bool:
    """The demo is loaded once: its operator organization exists only after a complete, committed load."""
    operator = next(o for o in DEMO_ORGS if o.kind == "operator")
    return Organization.objects.filter(credit_code=operator.credit_code).exists()


def logins() -> list[tuple[str, str, str]]:
    """(role label, username, password) for every demo role, as printed by ``ronghe demo``."""
    return [(str(Organization.Kind(o.kind).label), o.username, DEMO_PASSWORD) for o in DEMO_ORGS]


def load_demo(echo: Callable[[str], None] = print) -> DemoData:
    """Create the demo organizations and users, the catalog, and every loader's data, all or nothing."""
    demo = DemoData()
    if is_loaded():  # loaders such as the synthetic generator refuse to run twice; the demo loads once
        echo("demo: already loaded (use `ronghe demo --reset` to start again)")
        return demo
    with transaction.atomic():
        for spec in DEMO_ORGS:
            demo.orgs[spec.kind], demo.users[spec.kind] = _org_with_admin(spec)
        echo(f"demo: {len(DEMO_ORGS)} organizations with one admin login each")
        for loader in loaders():
            fn = _resolve(loader, echo)
            if fn is not None:
                result = fn(demo)
                echo(f"demo: {_name(loader)}: {result if result is not None else 'done'}")
    for message in demo.messages:
        echo(message)
    return demo


def _org_with_admin(spec: DemoOrg) -> tuple[Organization, Any]:
    """The role's login and organization, through the accounts services as system code (actor ``None``)."""
    user = get_user_model().objects.filter(username=spec.username).first()
    if user is None:
        user = accounts.create_login(None, username=spec.username, password=DEMO_PASSWORD)
    org = accounts.create_organization(
        None, kind=spec.kind, admin=user, industries=spec.industries, name=spec.name, name_en=spec.name_en,
        credit_code=spec.credit_code, province=spec.province, city=spec.city, description=spec.description,
        is_synthetic=True,
    )
    if spec.kind == "operator":  # the operator uses the Django admin
        user = accounts.grant_admin_site(None, user, superuser=True)
    return org, user


def _resolve(loader: str | Callable, echo: Callable[[str], None]) -> Callable | None:
    """The loader's function, or None (with a message) when its module or function is not written yet."""
    if callable(loader):
        return loader
    module_name, _, attr = loader.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if not (exc.name and (module_name + ".").startswith(exc.name + ".")):
            raise  # the module exists but something it imports is missing: a real error
        echo(f"demo: skipped {loader} (module not present)")
        return None
    fn = getattr(module, attr, None)
    if fn is None:
        echo(f"demo: skipped {loader} (no function {attr})")
    return fn


def _name(loader: str | Callable) -> str:
    return loader if isinstance(loader, str) else getattr(loader, "__qualname__", repr(loader))
