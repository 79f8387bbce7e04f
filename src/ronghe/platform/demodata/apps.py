from django.apps import AppConfig


class DemoDataConfig(AppConfig):
    """Not a domain: the synthetic data generator, an app only so it can register its demo loader."""

    name = "ronghe.platform.demodata"
    label = "demodata"
    verbose_name = "示例数据 Demo data"
