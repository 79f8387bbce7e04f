"""The inbox page (站内消息): one's own notifications, opening one marks it read, and the e-mail opt-in."""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ronghe.platform.inbox import services
from ronghe.platform.inbox.forms import PreferenceForm
from ronghe.platform.inbox.models import Notification

PAGE_SIZE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.restrict(request.user, "view")
    unread_only = request.GET.get("unread") == "1"
    shown = mine.unread() if unread_only else mine
    page = Paginator(shown.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    preference = services.preference_of(request.user)
    return render(request, "inbox/inbox.html", {
        "page": page, "query": "unread=1" if unread_only else "", "unread_only": unread_only,
        "unread_count": mine.unread().count(),
        "preference_form": PreferenceForm(initial={"email": preference.email}),
        "has_email": bool(request.user.email),
    })


def _safe_next(request: HttpRequest, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if url and ok else ""


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read (if still unread) and go where the notification points — the next step of the journey."""
    notification = get_object_or_404(Notification.objects.restrict(request.user, "view"), pk=pk)
    if notification.is_unread:
        with suppress(ValidationError):  # read meanwhile in another tab: nothing to do
            services.mark_notification_read(request.user, notification)
    return redirect(_safe_next(request, notification.url) or "inbox:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_notifications_read(request.user, request.user)
    messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return redirect("inbox:inbox")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.set_notification_preference(request.user, request.user, email=form.cleaned_data["email"])
        if form.cleaned_data["email"] and not request.user.email:
            messages.warning(request, _("已开启邮件通知，但您的账户没有邮箱地址，暂时无法发送。"))
        else:
            messages.success(request, _("消息偏好已保存。"))
    return redirect("inbox:inbox")
