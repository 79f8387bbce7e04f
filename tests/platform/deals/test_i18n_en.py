"""The deal pages in English: the shipped catalog is complete and compiled, and the pages use it."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.test import Client

from ronghe.platform.deals.models import Contract
from tests.platform.test_i18n import read_po

CATALOG = Path(__file__).resolve().parents[3] / "src/ronghe/platform/deals/locale/en/LC_MESSAGES"


def test_catalog_is_complete_compiled_and_not_fuzzy():
    entries = [e for e in read_po(CATALOG / "django.po") if e["msgid"]]
    assert len(entries) > 150
    assert not [e["msgid"] for e in entries if not all(e["msgstr"]) or "fuzzy" in e["flags"]]
    compiled = gettext.GNUTranslations((CATALOG / "django.mo").open("rb"))
    assert not [e["msgid"] for e in entries if compiled.gettext(e["msgid"]) != e["msgstr"][0]], "recompile the .mo"


@pytest.mark.django_db
def test_deal_pages_speak_english(make_deal, users, orgs):
    rfq, _ = make_deal("submitted")
    contract = Contract.objects.get(rfq=rfq, provider=orgs["provider"])
    web = Client()
    web.force_login(users["manufacturer"])
    web.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url, words in ((f"/deals/rfq/{rfq.pk}/", ["Award notice", "Audit chain head hash"]),
                       (f"/deals/contracts/{contract.pk}/", ["Milestones", "Simulated payment", "Accept"]),
                       ("/deals/", ["My deals"])):
        body = web.get(url).content.decode()
        for word in words:
            assert word in body, (url, word)
        assert "履约节点" not in body and "审计链头哈希" not in body, url
