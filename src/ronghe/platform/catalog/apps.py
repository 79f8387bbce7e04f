from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "ronghe.platform.catalog"
    label = "catalog"
    verbose_name = "服务目录 Catalog"
