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
