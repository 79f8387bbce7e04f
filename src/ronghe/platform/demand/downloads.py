"""Attachments leave the server only here: entitlement checked, access logged, never a public URL."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from ronghe.platform.core.downloads import serve_protected_file
from ronghe.platform.demand.models import Confidentiality, Demand
from ronghe.platform.demand.visibility import can_view_details, is_owner


def serve_attachment(request: HttpRequest, demand: Demand, attachment_id: int, *, channel: str) -> FileResponse:
    """Stream one attachment to an entitled user; anyone else gets the same 404 as for a missing file."""
    attachment = demand.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    logged = demand.confidentiality != Confidentiality.PUBLIC and not is_owner(request.user, demand)
    return serve_protected_file(request, demand, attachment.file, lambda user, _obj: can_view_details(user, demand),
                                channel=channel, confidential=logged, filename=attachment.original_name,
                                content_type=attachment.content_type, what=f"attachment:{attachment.pk}")
