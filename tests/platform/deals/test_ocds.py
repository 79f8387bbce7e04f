"""OCDS 1.1 export: valid against the shipped 1.1.5 schemas with the bids extension, public data only."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ronghe.cli import main
from ronghe.platform.core.audit import head
from ronghe.platform.deals import ocds
from tests.platform.deals.conftest import PRICE_A2, STAGES, assert_sealed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_exports_valid_release_and_record_packages(stage, make_deal):
    rfq, _ = make_deal(stage)
    package = ocds.release_package()
    assert ocds.validate(package, "release") == []
    assert package["x_auditChainHead"] == {"entries": head()[0], "hash": head()[1]}
    record = ocds.record_package(rfq.ocid)
    assert ocds.validate(record, "record") == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["ocid"] == rfq.ocid
    text = json.dumps(package, ensure_ascii=False)
    if stage == "bidding":
        assert "bids" not in compiled and "numberOfTenderers" not in compiled["tender"]
        assert_sealed(text, "in the OCDS export before the opening")
    else:
        assert compiled["bids"]["statistics"][0]["value"] == 2
        # the loser's price and every plan stay private after the opening too; the awarded values are public
        assert "QJ8" not in text and "7654321" not in text
    if stage not in ("bidding", "opened"):
        assert {a["value"]["amount"] for a in compiled["awards"]} >= {float(PRICE_A2)}


def test_an_invalid_package_is_reported():
    assert ocds.validate({"releases": []}, "release")  # no uri, publisher, …


def test_since_and_the_cli_write_a_validated_file(make_deal, tmp_path):
    make_deal("signed")
    assert ocds.release_package(since=ocds.parse_since("2999-01-01"))["releases"] == []
    out = tmp_path / "ocds.json"
    result = CliRunner().invoke(main, ["export", "ocds", "--since", "2000-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    package = json.loads(out.read_text())
    assert ocds.validate(package) == [] and len(package["releases"]) == 2


def test_api_serves_the_packages_and_records_404_for_unknown(make_deal, client):
    rfq, _ = make_deal("awarded")
    assert ocds.validate(client.get("/api/ocds/releases/").json()) == []
    record = client.get(f"/api/ocds/records/{rfq.ocid}/")
    assert record.status_code == 200 and ocds.validate(record.json(), "record") == []
    assert client.get("/api/ocds/records/ocds-nope-rfq1/").status_code == 404
