"""Shared fixtures: where the real published tables live (never copied into the repository)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Keep the tests' store, secret key and media out of the user's data folder.
os.environ.setdefault("RONGHE_DATA_DIR", tempfile.mkdtemp(prefix="ronghe-test-"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``$RONGHE_SHARED_DATA`` or ``<repo root>/../shared/data``; the tests that need it fail loudly if absent."""
    path = Path(os.environ.get("RONGHE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (path / "io").is_dir():
        pytest.fail(f"shared data not found at {path}; set RONGHE_SHARED_DATA")
    return path


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` need parallel connections to one database, which the in-memory SQLite test
    database cannot give; they run in the PostgreSQL pass of scripts/test.sh and are left out (not skipped) on
    SQLite, where test_concurrency.py covers parallel writers against a real SQLite file."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    dropped = [item for item in items if item.get_closest_marker("postgres_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
