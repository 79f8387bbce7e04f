"""One mapping from a service's ``ValidationError`` to a form's errors (the API's is ``core.api``).

Services name fields as the domain does; a form may call them differently (``mapping``). An error on a field
the form lacks, or on ``__all__``, becomes a non-field error, so nothing a service says is ever dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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



def ask_for_files_again(form: forms.BaseForm, files: Any) -> None:
    """A page that comes back with errors keeps no upload: say so beside each file field where files were chosen.

    Call it when a POST is answered with the form again (an error on this form or on another one of the page)."""
    if not hasattr(files, "getlist"):
        return
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField) and any(getattr(f, "name", "") for f in files.getlist(form.add_prefix(name))):
            form.add_error(name, _("表单未保存，已选择的文件没有保留，请重新选择。"))
