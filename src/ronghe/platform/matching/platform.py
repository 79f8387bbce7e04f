"""What the matching app adds to the platform (collected by ``core.registry``)."""

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import JourneyStep, NavEntry, PlatformApp

app = PlatformApp(
    label="matching",
    url_prefix="matching/",
    urls="ronghe.platform.matching.urls",
    api="ronghe.platform.matching.api:register",
    nav=(NavEntry(_("订单推荐"), "matching:my_feed", order=35, kinds=frozenset({"provider"}), signed_in=True),),
    journeys=(
        JourneyStep("manufacturer", _("为需求匹配服务商"), "matching:my_demands", 35),
        JourneyStep("provider", _("对单接活：推荐订单"), "matching:my_feed", 25),
        JourneyStep("association", _("批量分派需求清单"), "matching:my_lists", 30),
    ),
    object_links={"demand.demand": "ronghe.platform.matching.links:demand_links"},
    event_sink="ronghe.platform.matching.sinks:on_event",
    recipients={"matching.assignment_applied": "ronghe.platform.matching.notify:assignment_recipients"},
    audit_types=("matching.assignment",),
    demo_loader="ronghe.platform.matching.demo:load_demo",
    demo_order=70,
)
