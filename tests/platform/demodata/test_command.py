"""``ronghe demo-data`` through click: counts and digest printed; bad input one clear error, no rows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ronghe.errors import InputError
from ronghe.platform.accounts.models import Organization
from ronghe.platform.demand.models import Demand
from ronghe.platform.demodata import demo_data_command, load_demo
from ronghe.platform.providers.models import Offering


def invoke(*args: str):
    return CliRunner().invoke(demo_data_command(), list(args))


def test_command_generates_the_requested_rows(catalog):
    result = invoke(
        "--manufacturers",
        "6",
        "--providers",
        "5",
        "--demands",
        "7",
        "--offerings-per-provider",
        "3",
        "--demand-lists",
        "1",
        "--seed",
        "42",
    )
    assert result.exit_code == 0, result.output
    assert "digest " in result.output and "seed 42" in result.output
    assert Organization.objects.filter(kind="manufacturer").count() == 6
    assert Offering.objects.count() == 15
    assert Demand.objects.count() == 7


def test_command_reports_the_same_digest_for_the_same_seed(catalog):
    from django.db import transaction

    outputs = []
    for _ in range(2):
        with transaction.atomic():
            result = invoke("--manufacturers", "3", "--providers", "3", "--demands", "2", "--seed", "9")
            transaction.set_rollback(True)
        outputs.append(next(line for line in result.output.splitlines() if line.startswith("digest ")))
    assert outputs[0] == outputs[1]


def test_command_refuses_a_loaded_seed(catalog):
    assert invoke("--providers", "2", "--seed", "8").exit_code == 0
    result = invoke("--providers", "2", "--seed", "8")
    assert isinstance(result.exception, InputError) and "seed 8" in str(result.exception)
    assert Organization.objects.filter(kind="provider").count() == 2


@pytest.mark.parametrize("args", [["--providers", "-1"], ["--batch-size", "0"], ["--seed", "x"]])
def test_command_rejects_bad_options(catalog, args):
    result = invoke(*args)
    assert result.exit_code == 2 and "Invalid value" in result.output
    assert not Organization.objects.exists()


def test_demands_without_manufacturers_is_one_clear_error(catalog):
    result = invoke("--demands", "5")
    assert isinstance(result.exception, InputError) and "--manufacturers" in str(result.exception)


def test_demo_loader_entry(catalog):
    assert "80 demands" in load_demo(None)


def test_ronghe_demo_can_load_the_small_set(db, monkeypatch):
    """Wired as a demo loader (``demo.loaders``), it runs after the curated organizations and the catalog."""
    from ronghe.platform import demo

    monkeypatch.setattr(demo, "loaders", lambda: ["ronghe.platform.catalog.services:load_demo_catalog",
                                                 "ronghe.platform.demodata:load_demo"])
    messages: list[str] = []
    demo.load_demo(echo=messages.append)
    assert any("ronghe.platform.demodata:load_demo: seed 2026" in m for m in messages)
    providers = Organization.objects.filter(kind="provider", is_synthetic=True)
    assert providers.count() == 61  # 60 and the curated demo provider
