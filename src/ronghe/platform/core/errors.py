"""One mapping from a service's ``ValidationError`` to a form's errors (the API's is ``core.api``).

Services name fields as the domain does; a form may call them differently (``mapping``). An error on a field
the form lacks, or on ``__all__``, becomes a non-field error, so nothing a service says is ever dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, exc: ValidationError,
                         mapping: Mapping[str, str] | None = None) -> None:
    """Show every message of ``exc`` on ``form`` (on the matching field where there is one)."""
    mapping = mapping or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, messages in exc.message_dict.items():
        target = mapping.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None,
                           message if target in form.fields or name == "__all__" else f"{name}: {message}")
