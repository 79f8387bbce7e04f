"""The shipped catalog, loaded once per test (the generator refers to its current published versions)."""

from __future__ import annotations

import pytest

from ronghe.platform.catalog.services import load_catalog


@pytest.fixture
def catalog(db):
    return load_catalog()
