"""Screenshots of the demo's journeys for docs/journeys.md, taken in headless Chromium.

    ronghe demo --reset --port 8765 &          # fonts-noto-cjk installed, or Chinese renders as boxes
    .venv/bin/python scripts/screenshots.py [name-filter]

Each shot is the first 900 px of the page (1280 px wide, or 390 px for a phone)
PNGs over 240 KB are reduced to
256 colours so that each stays under 250 KB. Demo logins and password as in docs/journeys.md.
"""
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

BASE = "http://127.0.0.1:8765"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
only = sys.argv[1] if len(sys.argv) > 1 else ""
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"

def login(page, user):
    page.goto(BASE + "/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "ronghe-demo")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()

NAMES = {
    "home": "home.png", "home-phone": "home-phone-390px.png", "home-gov": "home-government.png",
    "catalog": "journey1-catalog.png", "catalog-item-en": "journey1-item-english.png",
    "list-form": "journey2-list-form-item-search.png", "list-detail": "journey2-list-totals.png",
    "demand-form": "journey3-demand-form.png", "demand-detail-owner": "journey3-cancel-confirmation.png",
    "demand-index-en": "journey3-demands-english.png", "demand-index-phone": "journey3-demands-390px.png",
    "offering-form": "journey4-offering-form.png", "provider-detail": "journey4-provider-page-certifier.png",
    "error-404": "error-404.png",
    "match-demand": "match-demand-ranked.png", "match-demand-en": "match-demand-english.png",
    "match-feed": "match-provider-feed.png", "match-assign": "match-list-assignment.png",
    "match-feed-en": "match-provider-feed-english.png", "match-assign-en": "match-list-assignment-english.png",
}

SHOTS = [
    ("offering-form", "provider", "/providers/mine/offerings/new/", "zh-hans", 1280, "industries"),
    # (name, user, path, lang, width, action)
    ("home", None, "/", "zh-hans", 1280, None),
    ("catalog", None, "/catalog/?category=01", "zh-hans", 1280, None),
    ("catalog-item", None, "ITEM", "zh-hans", 1280, None),
    ("catalog-item-en", None, "ITEM", "en", 1280, None),
    ("demand-index", None, "/demand/", "zh-hans", 1280, None),
    ("demand-index-en", None, "/demand/", "en", 1280, None),
    ("list-form", "association", "/demand/lists/new/", "zh-hans", 1280, "picker"),
    ("list-detail", "association", "LIST", "zh-hans", 1280, None),
    ("demand-form", "manufacturer", "/demand/new/", "zh-hans", 1280, None),
    ("demand-detail-owner", "manufacturer", "MYDEMAND", "zh-hans", 1280, "cancel"),
    ("provider-index", None, "/providers/", "zh-hans", 1280, None),
    ("my-provider", "provider", "/providers/mine/", "zh-hans", 1280, None),
    ("provider-detail", "certifier", "PROVIDER", "zh-hans", 1280, None),
    ("orgs", None, "/orgs/", "zh-hans", 1280, None),
    ("register", None, "/orgs/register/", "zh-hans", 1280, None),
    ("error-404", None, "/no-such-page/", "zh-hans", 1280, None),
    ("home-phone", "manufacturer", "/", "zh-hans", 390, "menu"),
    ("demand-index-phone", None, "/demand/", "zh-hans", 390, None),
    ("home-gov", "government", "/", "zh-hans", 1280, None),
    ("match-demand", "manufacturer", "MATCHES", "zh-hans", 1280, None),
    ("match-demand-en", "manufacturer", "MATCHES", "en", 1280, None),
    ("match-feed", "provider", "/matching/feed/", "zh-hans", 1280, None),
    ("match-assign", "association", "ASSIGN", "zh-hans", 1280, "preview"),
    ("match-feed-en", "provider", "/matching/feed/", "en", 1280, None),
    ("match-assign-en", "association", "ASSIGN", "en", 1280, "preview"),
]

with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
    for name, user, path, lang, width, action in SHOTS:
        if only and only not in name:
            continue
        ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        page = ctx.new_page()
        if lang == "en":
            ctx.add_cookies([{"name": "django_language", "value": "en", "url": BASE}])
        if user:
            login(page, user)
        if path == "ITEM":
            page.goto(BASE + "/catalog/?search=检测")
            page.locator("article.item-row h3 a").first.click()
        elif path == "LIST":
            page.goto(BASE + "/demand/lists/")
            page.locator("table tbody a").first.click()
        elif path == "MYDEMAND":
            page.goto(BASE + "/demand/new/")
            page.get_by_label("标题").fill("冲压车间设备联网与 MES 实施")
            page.get_by_label("公开摘要").fill("冲压车间 12 台压力机联网，上线 MES 并与现有 ERP 对接。")
            page.get_by_label("所属制造业行业").select_option("36")
            page.get_by_label("省份").select_option("32")
            page.locator("#id_city").fill("苏州")
            page.get_by_label("预算下限（元）").fill("300000")
            page.get_by_label("预算上限（元）").fill("800000")
            page.get_by_label("截止日期").fill("2027-03-31")
            page.get_by_label("仅签署保密协议的受邀服务商可见详情").check()
            page.get_by_label("联系人").fill("王工")
            line = page.locator("fieldset", has_text="第 1 条")
            line.get_by_label("服务条目").select_option(index=5)
            line.get_by_label("具体范围").fill("12 台压力机数据采集；MES 工单、质量追溯模块；ERP 接口。")
            page.get_by_role("button", name="保存并发布").click()
            page.wait_for_load_state()
        elif path == "MATCHES":
            page.goto(BASE + "/matching/demands/")
            page.locator("table a.btn").first.click()
        elif path == "ASSIGN":
            page.goto(BASE + "/matching/lists/")
            page.locator("main li a.btn").first.click()
        elif path == "PROVIDER":
            page.goto(BASE + "/providers/")
            page.locator(".provider h2 a").first.click()
        else:
            page.goto(BASE + path)
        page.wait_for_load_state("networkidle")
        if action == "picker":
            page.get_by_role("combobox", name="服务条目").click()
            page.keyboard.type("检测")
            page.wait_for_timeout(300)
        elif action == "cancel":
            page.get_by_role("button", name="取消需求").click()
            page.wait_for_timeout(600)
        elif action == "industries":
            page.locator("input[name=provinces][value='31']").check()
            page.locator("input[name=provinces][value='32']").check()
            for term, opt in (("汽车", "36 汽车制造业"), ("通用设备", "34 通用设备制造业")):
                box = page.get_by_role("combobox", name="服务行业（GB/T 4754）")
                box.click()
                box.fill(term)
                page.locator(".ts-dropdown .option", has_text=opt).click()
            page.evaluate("document.activeElement.blur()")
            page.wait_for_timeout(300)
            page.mouse.wheel(0, 380)
            page.wait_for_timeout(300)
        elif action == "preview":
            page.locator("button[name=confirm][value='0']").click()
            page.wait_for_load_state("networkidle")
        elif action == "menu":
            page.locator(".navbar-toggler").click()
            page.wait_for_timeout(600)
        if name in NAMES:
            out = OUT / NAMES[name]
            page.screenshot(path=str(out))
            if out.stat().st_size > 240_000:
                Image.open(out).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
            print(out.name, page.url, out.stat().st_size)
        ctx.close()
    browser.close()
