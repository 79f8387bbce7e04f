"""Attachments leave the server only here: entitlement checked, access logged, never a public URL."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from ronghe.platform.demand.models import Demand
from ronghe.platform.demand.visibility import can_view_details, log_details_access


def serve_attachment(request: HttpRequest, demand: Demand, attachment_id: int, *, channel: str) -> FileResponse:
    """Stream one attachment to an entitled user; anyone else gets the same 404 as for a missing file."""
    user = request.user
    if not can_view_details(user, demand):
        raise Http404
    attachment = demand.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_details_access(user, demand, f"attachment:{attachment.pk}", channel)
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
