"""Chinese tokenization with the catalog dictionary, and the qualification registry on the shipped catalog."""

from __future__ import annotations

from ronghe.match.catalog import dictionary_terms, shipped_items
from ronghe.match.constraints import item_requirements
from ronghe.match.qualifications import default_registry
from ronghe.match.text import default_tokenizer


def test_catalog_terms_stay_whole_and_latin_terms_are_lowercased():
    tokens = default_tokenizer().tokens("我们需要做注塑模具的模流分析和DFMEA，报告必须带CNAS标志")
    assert {"模流分析", "dfmea", "cnas", "模具"} <= set(tokens)
    assert "的" not in tokens and "需要" not in tokens
    assert "模流分析" in dictionary_terms()


def test_every_qualification_the_catalog_names_resolves_to_a_registry_code():
    registry = default_registry()
    unknown = {q for i in shipped_items().values() for q in i.qualifications if registry.code_of(q) is None}
    assert unknown == set()


def test_aliases_variants_and_optional_markers():
    r = default_registry()
    assert r.code_of("CNAS 实验室认可证书") == r.code_of("ISO/IEC 17025") == r.code_of("cnas") == "cnas"
    assert r.code_of("道路运输经营许可证（危险货物）") == "road_transport_dg"
    assert r.code_of("劳务派遣经营许可证（派遣方式）") == "labour_dispatch"
    assert not r.resolve("IATF 16949（推荐）").strict
    unknown = r.resolve("某某协会会员证")
    assert unknown.code == "某某协会会员证" and not unknown.known


def test_item_licences_are_hard_and_management_systems_are_preferences():
    hard, preferred = item_requirements(default_registry(), shipped_items()["SI-01-001"].qualifications)
    assert hard == ("high_tech",)
    assert set(preferred) == {"iso9001", "iatf16949"}
