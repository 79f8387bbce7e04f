"""Shared API glue: service-layer errors become DRF errors, so every endpoint answers bad input with a 400."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A Django ValidationError (from a service's full_clean) with the same field → messages detail."""
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {("non_field_errors" if field == "__all__" else field): msgs for field, msgs in exc.message_dict.items()}
        )
    return serializers.ValidationError({"non_field_errors": list(exc.messages)})


@contextmanager
def service_errors() -> Iterator[None]:
    """``with service_errors(): services.do_it(...)`` turns the service's ValidationError into a 400."""
    try:
        yield
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def exception_handler(exc, context):
    """DRF exception handler that also maps Django's ValidationError (for REST_FRAMEWORK settings)."""
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_error(exc)
    return drf_exception_handler(exc, context)
