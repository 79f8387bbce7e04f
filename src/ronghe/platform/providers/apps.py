from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "ronghe.platform.providers"
    label = "providers"
    verbose_name = "服务商 Providers"
