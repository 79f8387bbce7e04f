from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "ronghe.platform.demand"
    label = "demand"
    verbose_name = "需求 Demand"
