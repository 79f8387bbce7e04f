"""``load_catalog``: import the shipped taxonomy and standardized service items (idempotent)."""

from django.core.management.base import BaseCommand

from ronghe.platform.catalog.services import load_catalog


class Command(BaseCommand):
    help = "Load the NBS producer-services taxonomy and the standardized service items (safe to rerun)."

    def handle(self, *args, **options) -> None:
        result = load_catalog()
        self.stdout.write(
            f"catalog: {result.categories} categories, {result.items_created} items created, "
            f"{result.items_existing} already present"
        )
