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
    ),
    periodic=(Periodic("ronghe.platform.demand.tasks:expire_due_demands_task", timedelta(hours=1)),),
    audit_types=("demand.demand", "demand.demandlist", "demand.demandlistentry", "demand.demandinvitation",
                 "demand.demandattachment"),
)
