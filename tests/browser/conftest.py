"""Browser journeys: Playwright drives Debian's headless Chromium against Django's live server.

``playwright install`` cannot download browsers here, so the system Chromium is used through
``executable_path``; the flags keep it from reaching for the network.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make for set-up are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: Screenshots of each journey's last page land here (outside the repository) for a human look.
SCREENSHOT_DIR = Path(os.environ.get("RONGHE_SCREENSHOTS", "/tmp/ronghe-browser-shots"))


def _chromium_path() -> str:
    path = os.environ.get("RONGHE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's 'chromium' package (scripts/system-packages.sh)")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default; on a loaded 2-core machine a page with a file upload can take longer
    expect.set_options(timeout=10_000)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Each journey signs in several people; PBKDF2 on a loaded machine would cost seconds per login."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _static_root():
    """WhiteNoise warns about a missing STATIC_ROOT when the live server starts; the test run has none built."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def page(browser, _static_root, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    """``login(username, password)`` signs in through the real login form and waits for the name in the header."""
    from playwright.sync_api import expect

    def do(username: str, password: str) -> None:
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form.form button[type=submit]")
        expect(page.locator("header .account")).to_contain_text(username)

    return do


@pytest.fixture
def logout(page):
    """``logout()`` presses the header's 退出 button, as a person handing the computer over would."""
    from playwright.sync_api import expect

    def do() -> None:
        page.locator("header").get_by_role("button", name="退出").click()
        expect(page.locator("header .account")).to_contain_text("登录")

    return do


def pick(page, label: str, search: str, option: str) -> None:
    """Choose ``option`` in the searchable multi-select (Tom Select) labelled ``label``: type, then click it.

    Tom Select hides the original ``<select>`` and points the label at its own combobox, as a person sees it.
    """
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(search)
    choice = page.locator(".ts-dropdown.multi .option", has_text=option)
    expect(choice).to_have_count(1)
    choice.click()
    expect(page.locator(".ts-dropdown.multi")).to_be_hidden()  # closes after each choice


@pytest.fixture
def reference_data(transactional_db) -> None:
    """GB/T 4754 divisions and the shipped catalog.

    A transactional test database is flushed after every test, which also empties the rows the accounts data
    migration loaded, so they are put back here the way that migration does.
    """
    from ronghe.platform.accounts.models import Industry
    from ronghe.platform.accounts.reference import industries
    from ronghe.platform.catalog.services import load_catalog

    Industry.objects.bulk_create(
        [Industry(code=r["code"], section=r["section"], name_zh=r["name_zh"], name_en=r["name_en"])
         for r in industries()],
        ignore_conflicts=True,
    )
    load_catalog()


@pytest.fixture
def screenshot(page) -> Callable[[str], Path]:
    """``screenshot(name)`` saves the whole current page as ``<SCREENSHOT_DIR>/<name>.png``."""

    def shoot(name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
