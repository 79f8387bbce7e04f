"""Permission-checked download of a stored file: the only way confidential attachments leave the server."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

from ronghe.platform.core.audit import log_confidential_access


def serve_protected_file(
    request: HttpRequest,
    obj: models.Model,
    file: FieldFile,
    allowed: Callable[[Any, models.Model], bool],
    *,
    channel: str = "web",
    confidential: bool = True,
    filename: str | None = None,
    content_type: str | None = None,
    what: str | None = None,
) -> FileResponse:
    """Stream ``file`` of ``obj`` if ``allowed(user, obj)``; else 404 so the file's existence does not leak.

    Each served confidential file is written to the access log (and so the audit chain) before a byte leaves.
    ``filename`` is what the browser saves it as (the stored name is a token when the real one is secret).
    """
    user = request.user
    if not file or not allowed(user, obj):
        raise Http404
    name = filename or PurePath(file.name).name
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    if confidential:
        log_confidential_access(user, obj, what or f"attachment:{name}", channel)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
