"""The one private file storage: files outside MEDIA_ROOT with no URL, served only by ``core.downloads``.

The folder is ``RONGHE_PRIVATE_ROOT`` (default ``<data dir>/private``), read when the storage is first used,
so tests and deployments that move it are obeyed by every app.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible
class PrivateStorage(FileSystemStorage):
    """No public URL whatever a template asks for; the permission-checked download view streams the files."""

    @cached_property
    def base_location(self) -> str:
        root = getattr(settings, "RONGHE_PRIVATE_ROOT", None) or Path(settings.DATA_DIR) / "private"
        return str(root)

    @cached_property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("private file: served only through the permission-checked download view")


def private_storage() -> PrivateStorage:
    """The callable FileFields name as ``storage=`` (a fresh instance reads the settings late)."""
    return PrivateStorage()
