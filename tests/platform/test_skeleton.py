"""The skeleton every app builds on: credit codes, reference data, restricted querysets."""

import pytest
from django.core.exceptions import ValidationError

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.rules import organization_rules
from ronghe.platform.accounts.validators import validate_credit_code
from tests.platform.conftest import make_credit_code


def test_valid_credit_code_passes_and_a_changed_character_fails():
    code = make_credit_code()
    validate_credit_code(code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code(wrong)


@pytest.mark.parametrize("bad", ["", "123", "91320500MA1234567I", "91320500MA12345678X"])
def test_malformed_credit_codes_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_credit_code(bad)


@pytest.mark.django_db
def test_gbt4754_divisions_are_loaded():
    assert Industry.objects.filter(section="C").count() == 31
    assert Industry.objects.get(code="36").name_zh == "汽车制造业"


def test_only_an_org_admin_may_change_it(orgs, users):
    mfr = orgs["manufacturer"]
    assert organization_rules.can(users["manufacturer"], "change", mfr)
    assert not organization_rules.can(users["manufacturer_member"], "change", mfr)
    assert not organization_rules.can(users["manufacturer_b"], "change", mfr)
    assert organization_rules.can(users["operator_member"], "change", mfr)
    with pytest.raises(ValueError):  # restrict() decides visibility only; the rule decides changes
        Organization.objects.restrict(users["manufacturer"], "change")
    assert Organization.objects.restrict(None, "view").filter(pk=mfr.pk).exists()
