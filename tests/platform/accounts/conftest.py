"""The verification tests read demands as a provider would: the demand app's fixtures are shared here."""

from tests.platform.demand.conftest import items, make_demand  # noqa: F401  (fixtures)
