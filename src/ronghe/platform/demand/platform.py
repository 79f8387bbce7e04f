"""What the demand app adds to the platform (collected by ``core.registry``)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import JourneyStep, NavEntry, Periodic, PlatformApp

app = PlatformApp(
    label="demand",
    url_prefix="demand/",
    urls="ronghe.platform.demand.urls",
    api="ronghe.platform.demand.api:register",
    nav=(
        NavEntry(_("需求清单"), "demand:list_index", order=20),
        NavEntry(_("需求"), "demand:demand_index", order=30),
    ),
    journeys=(
        JourneyStep("manufacturer", _("加入需求清单"), "demand:list_index", 20),
        JourneyStep("manufacturer", _("发布需求"), "demand:demand_index", 30),
        JourneyStep("provider", _("查看公开需求"), "demand:demand_index", 30),
        JourneyStep("association", _("发布需求清单"), "demand:list_index", 20),
        JourneyStep("government", _("需求清单"), "demand:list_index", 10),
        JourneyStep("government", _("公开需求"), "demand:demand_index", 15),
    ),
    periodic=(
        Periodic("ronghe.platform.demand.tasks:expire_due_demands_task", timedelta(hours=1)),
        Periodic("ronghe.platform.demand.tasks:warn_expiring_demands_task", timedelta(hours=6)),
    ),
    recipients={
        "demand.invited": "ronghe.platform.demand.notify:invited_provider",
        "demand.nda_accepted": "ronghe.platform.demand.notify:demand_owner",
        "demand.expiring": "ronghe.platform.demand.notify:demand_owner",
        "demand.expired": "ronghe.platform.demand.notify:demand_owner",
        "demand.closed": "ronghe.platform.demand.notify:accepted_providers",
        "demand.cancelled": "ronghe.platform.demand.notify:accepted_providers",
        "demandlist.joined": "ronghe.platform.demand.notify:list_curator",
        "demandlist.left": "ronghe.platform.demand.notify:list_curator",
    },
    audit_types=("demand.demand", "demand.demandlist", "demand.demandlistentry", "demand.demandinvitation",
                 "demand.demandattachment"),
)
