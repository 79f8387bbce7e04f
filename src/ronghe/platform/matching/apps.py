from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "ronghe.platform.matching"
    label = "matching"
    verbose_name = "匹配 Matching"
