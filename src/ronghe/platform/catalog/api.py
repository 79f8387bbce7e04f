"""REST API of the catalog app: serializers, viewsets, and `register(router)`."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the platform router."""
