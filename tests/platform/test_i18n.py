"""English mode of the demand and providers pages: the shipped catalogs are complete, compiled and used.

The .mo files are committed so CI needs no gettext; these tests fail when a .po gains an untranslated or fuzzy
entry, when the .mo was not recompiled after the .po changed, or when a page shows one of the catalogs'
Chinese UI strings while English is active.
"""

from __future__ import annotations

import gettext
import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.demand import services as demand_services
from ronghe.platform.providers import services as provider_services

PLATFORM = Path(__file__).resolve().parents[2] / "src" / "ronghe" / "platform"
CATALOGS = {app: PLATFORM / app / "locale" / "en" / "LC_MESSAGES" for app in ("demand", "providers")}
HAN = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------------------------------------ the .po files
def _unquote(lines: list[str]) -> str:
    text = "".join(line.strip()[1:-1] for line in lines)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgstr (list; one per plural form), flags."""
    entries: list[dict] = []
    current: dict = {"flags": set(), "msgid": [], "msgstr": {}}
    key: tuple[str, int] | str | None = None

    def flush() -> None:
        if current["msgid"]:
            entries.append({"msgid": _unquote(current["msgid"]), "flags": current["flags"],
                            "msgstr": [_unquote(v) for _, v in sorted(current["msgstr"].items())]})

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
            current, key = {"flags": set(), "msgid": [], "msgstr": {}}, None
        elif line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            key = "plural"
        elif line.startswith("msgid "):
            key = "msgid"
            current["msgid"].append(line[len("msgid "):])
        elif line.startswith("msgstr"):
            index = int(line[7]) if line.startswith("msgstr[") else 0
            key = ("msgstr", index)
            current["msgstr"][index] = [line.split(" ", 1)[1]]
        elif line.startswith('"') and key == "msgid":
            current["msgid"].append(line)
        elif line.startswith('"') and isinstance(key, tuple):
            current["msgstr"][key[1]].append(line)
    return entries


def messages(app: str) -> list[dict]:
    """The translatable entries (the header, msgid "", excluded)."""
    return [e for e in read_po(CATALOGS[app] / "django.po") if e["msgid"]]


@pytest.mark.parametrize("app", sorted(CATALOGS))
def test_catalog_is_complete_and_not_fuzzy(app):
    entries = messages(app)
    assert len(entries) > 50
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"]) or "fuzzy" in e["flags"]]
    assert untranslated == []
    # only the proper name 专精特新 keeps its Chinese, after the English
    still_chinese = [e["msgid"] for e in entries if any(HAN.search(s) for s in e["msgstr"])]
    assert [msgid for msgid in still_chinese if msgid != "专精特新"] == []


@pytest.mark.parametrize("app", sorted(CATALOGS))
def test_compiled_catalog_matches_the_po(app):
    """The committed .mo must be compiled from the current .po (git does not preserve mtimes, so compare)."""
    with (CATALOGS[app] / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("language") == "en"
    for entry in messages(app):
        if len(entry["msgstr"]) == 1:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
        else:
            assert compiled.ngettext(entry["msgid"], entry["msgid"], 1) == entry["msgstr"][0], entry["msgid"]
            assert compiled.ngettext(entry["msgid"], entry["msgid"], 5) == entry["msgstr"][1], entry["msgid"]


@pytest.mark.parametrize("app", sorted(CATALOGS))
def test_django_uses_the_catalog_translations(app):
    """Django merges all apps' catalogs into one (earlier apps win): a msgid another app already translates
    differently would silently show that app's English, so each entry must agree with the merged result."""
    with translation.override("en"):
        for entry in messages(app):
            if len(entry["msgstr"]) == 1:
                assert translation.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
            else:
                assert translation.ngettext(entry["msgid"], entry["msgid"], 5) == entry["msgstr"][1]
    with translation.override("zh-hans"):
        assert all(translation.gettext(e["msgid"]) == e["msgid"] for e in messages(app) if len(e["msgstr"]) == 1)


# ------------------------------------------------------------------------------------------------ the pages
class _Text(HTMLParser):
    """Visible text of a page (<main id="main"> only when present), plus placeholder/title attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.chunks.extend(v for k, v in attrs if k in ("placeholder", "title", "aria-label") and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data)


def text_pieces(html: str) -> set[str]:
    """Text nodes split at the separators the templates put between a label and its value."""
    parser = _Text()
    parser.feed(html)
    pieces: set[str] = set()
    for chunk in parser.chunks:
        for piece in re.split(r"[：·\n]|:\s", chunk):
            piece = piece.strip().rstrip(":：*").strip()
            if piece:
                pieces.add(piece)
    return pieces


def catalog_strings() -> dict[str, list[str]]:
    return {e["msgid"]: e["msgstr"] for app in CATALOGS for e in messages(app)}


def client_for(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def pages(db, orgs, users) -> dict[str, tuple[object, str]]:
    """(user, url) of each page under test, with data behind it: a published list and demand, a full profile."""
    top = ServiceCategory.objects.create(code="I18N", level=1, name_zh="信息服务", name_en="Information services")
    sub = ServiceCategory.objects.create(code="I18N1", level=2, parent=top, name_zh="软件和信息技术服务",
                                         name_en="Software and IT services")
    item = ServiceItem.objects.create(code="I18N-MES-01", version=1, status="published", category=sub,
                                      name_zh="制造执行系统实施", scope="MES 实施", pricing_model="fixed")
    demand_list = demand_services.publish_demand_list(users["association"], demand_services.create_demand_list(
        users["association"], orgs["association"], name="汽车零部件数字化转型清单", industry="36", province="32",
        pain_points="设备联网率低", items=[item.pk]))
    demand = demand_services.publish_demand(users["manufacturer"], demand_services.create_demand(
        users["manufacturer"], orgs["manufacturer"], lines=[demand_services.LineInput(item, "冲压线设备联网", 2)],
        title="冲压车间数字化改造", summary="冲压车间 MES", industry="36", province="32", city="苏州",
        budget_min=100000, budget_max=200000, deadline=timezone.localdate() + timedelta(days=30),
        confidentiality="nda", contact_name="张工", contact_phone="0512-00000000",
        contact_email="zhang@example.com"))
    org, admin = orgs["provider"], users["provider"]
    profile = provider_services.save_profile(
        admin, org, headline="苏州智造数字化服务商", team_size=45, founded_year=2012,
        service_provinces=["32", "31"], contact_name="李经理", contact_phone="0512-66668888")
    provider_services.add_offering(
        admin, org, service_item=item, price_min="50000", price_max="300000", price_unit="project",
        monthly_capacity=3, provinces=["32"], industries=["36"], lead_time_days=10)
    today = timezone.localdate()
    provider_services.add_certificate(
        admin, org, cert_type="iso9001", number="00121Q34567R0M", issuer="中国质量认证中心", scope="工业软件实施",
        valid_from=today - timedelta(days=365), valid_to=today + timedelta(days=700))
    provider_services.add_case(
        admin, org, title="某变速箱厂 MES 上线", client_name="秘密齿轮有限公司", client_industry="36", year=2023,
        summary="三个月完成上线", outcome="OEE 提升 12%", is_public=False)
    return {
        "demand_index": (None, reverse("demand:demand_index")),
        "list_index": (None, reverse("demand:list_index")),
        "list_detail": (users["manufacturer"], reverse("demand:list_detail", args=[demand_list.pk])),
        "demand_create": (users["manufacturer"], reverse("demand:demand_create")),
        "demand_detail": (users["manufacturer"], reverse("demand:demand_detail", args=[demand.pk])),
        "provider_index": (None, reverse("providers:provider_index")),
        "provider_detail": (users["manufacturer"], reverse("providers:provider_detail", args=[profile.pk])),
        "my_provider": (admin, reverse("providers:my_provider")),
    }


def render(pages: dict, name: str, language: str) -> str:
    user, url = pages[name]
    response = client_for(user, language).get(url)
    assert response.status_code == 200, (name, language, response.status_code)
    assert response["Content-Language"] == language
    return response.content.decode()


EXPECTED = {
    "demand_index": {"zh-hans": ["筛选", "导出 CSV"], "en": ["Filter", "Export CSV", "Deadline", "Region"]},
    "list_index": {"zh-hans": ["行业需求清单"], "en": ["Industry demand lists", "Publishing association"]},
    "list_detail": {"zh-hans": ["汇总需求", "报名企业数"],
                    "en": ["Aggregated demand", "Manufacturers joined", "Total quantity"]},
    "demand_create": {"zh-hans": ["发布需求", "保存草稿"],
                      "en": ["Post a demand", "Save draft", "Save and publish", "Demand lines (at least one)"]},
    "demand_detail": {"zh-hans": ["范围与技术要求"],
                      "en": ["Scope and technical requirements", "Budget", "Invite"]},
    "provider_index": {"zh-hans": ["服务商名录"], "en": ["Provider directory", "Filter"]},
    "provider_detail": {"zh-hans": ["服务供给", "资质证书", "统一社会信用代码"],
                        "en": ["Offerings", "Certificates", "Cases", "Unified social credit code",
                               "Organization details", "Service provinces"]},
    "my_provider": {"zh-hans": ["我的服务商档案"], "en": ["My provider profile", "Edit profile"]},
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_is_english_in_english_mode_and_chinese_by_default(pages, name):
    zh, en = render(pages, name, "zh-hans"), render(pages, name, "en")
    for text in EXPECTED[name]["zh-hans"]:
        assert text in zh
        assert text not in en
    for text in EXPECTED[name]["en"]:
        assert text in en
        assert text not in zh


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_catalog_string_stays_chinese_in_english_mode(pages, name):
    """Every UI string of the two catalogs shown on the zh page shows as its English on the en page."""
    strings = catalog_strings()
    zh_pieces, en_pieces = text_pieces(render(pages, name, "zh-hans")), text_pieces(render(pages, name, "en"))
    shown = [msgid for msgid in strings if msgid in zh_pieces]
    assert len(shown) >= 3, f"{name}: the zh page shows too few catalog strings to check: {shown}"
    assert [msgid for msgid in shown if msgid in en_pieces] == []
    en_text = html.unescape(render(pages, name, "en"))
    missing = [msgid for msgid in shown
               if not any(s in en_text for s in strings[msgid] if "%(" not in s) and "%(" not in msgid]
    assert missing == []


@pytest.mark.django_db
def test_provider_detail_links_the_organization_and_lists_service_provinces(pages, orgs):
    """Manufacturers need the credit code to invite a provider to an NDA demand; the saved provinces show."""
    from ronghe.platform.accounts.reference import provinces

    page = render(pages, "provider_detail", "zh-hans")
    assert orgs["provider"].credit_code in page
    assert f'href="{reverse("accounts:org_detail", args=[orgs["provider"].pk])}"' in page
    shown = re.search(r'<p class="service-provinces">(.*?)</p>', page, re.S)
    assert shown is not None
    for code in ("32", "31"):  # the names once the view passes them, else the GB/T 2260 codes
        assert provinces()[code].name_zh in shown.group(1) or code in shown.group(1)
