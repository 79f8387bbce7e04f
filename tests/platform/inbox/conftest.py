"""The inbox tests drive the demand app's services; its fixtures (items, make_demand) are shared here."""

from __future__ import annotations

import pytest

from tests.platform.demand.conftest import items, make_demand  # noqa: F401  (fixtures)


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """``with delivered(): service(...)`` — run the write and, as after a real commit, its event sinks."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
