import pytest
from tests.browser import test_journey_confidential_demand as j
pytestmark = [pytest.mark.django_db(transaction=True)]
parties = j.parties

@pytest.fixture(autouse=True)
def leak(monkeypatch):
    from ronghe.platform.demand import visibility
    monkeypatch.setattr(visibility, "can_view_details", lambda user, demand: True)

def test_leak(page, parties, login, logout, screenshot):
    j.test_nda_demand_is_hidden_until_the_invited_provider_accepts(page, parties, login, logout, screenshot)
