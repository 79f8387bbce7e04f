from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "ronghe.platform.deals"
    label = "deals"
    verbose_name = "可信交易 Deals"
