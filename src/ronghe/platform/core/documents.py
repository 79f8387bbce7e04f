"""Validation of uploaded attachments, shared by every app that stores files.

A file is accepted only when its extension is allowed AND its first bytes agree with that extension, so a
renamed executable never passes as a PDF. Each accepted file gets a ProZorro-style content hash
(``sha256:<hex>``) that is stored beside it and proves later which exact bytes were shared.
"""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

_ZIP = (b"PK\x03\x04",)


@dataclass(frozen=True)
class DocumentKind:
    """An allowed type: its extensions, the magic numbers its content starts with, its MIME type."""

    label: str
    extensions: tuple[str, ...]
    content_type: str
    magics: tuple[bytes, ...] = ()  # empty: text, checked by decoding instead
    zip_member_prefix: str = ""  # Office Open XML: a zip that must hold this part (word/, xl/)


KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("PDF", (".pdf",), "application/pdf", (b"%PDF-",)),
    DocumentKind("PNG", (".png",), "image/png", (b"\x89PNG\r\n\x1a\n",)),
    DocumentKind("JPEG", (".jpg", ".jpeg"), "image/jpeg", (b"\xff\xd8\xff",)),
    DocumentKind("Word", (".docx",),
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP, "word/"),
    DocumentKind("Excel", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP,
                 "xl/"),
    DocumentKind("文本 text", (".txt",), "text/plain"),
    DocumentKind("CSV", (".csv",), "text/csv"),
)
_BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(_BY_EXTENSION)
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedDocument:
    """What validation learned about an accepted file."""

    name: str
    size: int
    content_type: str
    sha256: str  # "sha256:<hex>"


def max_upload_bytes() -> int:
    return int(settings.RONGHE_MAX_UPLOAD_BYTES)


def validate_document(upload: IO[bytes], name: str | None = None) -> CheckedDocument:
    """Check size, extension and content of an upload; return its hash, or raise a ValidationError that says why.

    ``upload`` is a Django ``UploadedFile``/``File`` or any binary file object; it is rewound afterwards so the
    caller can save it.
    """
    name = name or getattr(upload, "name", None) or ""
    display = PurePath(name).name or "?"
    ext = PurePath(name).suffix.lower()
    kind = _BY_EXTENSION.get(ext)
    if kind is None:
        allowed = ", ".join(ALLOWED_EXTENSIONS)
        raise ValidationError(
            f"不支持的文件类型“{display}”，允许：{allowed} (file type not allowed; allowed: {allowed})",
            code="file_type",
        )
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(display, size, limit)
    digest = hashlib.sha256()
    head = b""
    size = 0
    _rewind(upload)
    for chunk in _chunks(upload):
        if len(head) < _SNIFF_BYTES:
            head += chunk[: _SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > limit:
            _rewind(upload)
            raise _too_large(display, size, limit)
        digest.update(chunk)
    _rewind(upload)
    if size == 0:
        raise ValidationError(f"文件“{display}”为空 (the file is empty)", code="empty")
    if not _content_matches(kind, head) or not _office_parts_present(kind, upload):
        raise ValidationError(
            f"文件“{display}”的内容不是{kind.label}格式 (content does not match the {ext} extension)",
            code="file_content",
        )
    return CheckedDocument(display, size, kind.content_type, f"sha256:{digest.hexdigest()}")


class DocumentValidator:
    """Field validator form (``validators=[DocumentValidator()]``) for FileFields and forms.FileField."""

    def __call__(self, value) -> None:
        validate_document(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentValidator)

    def deconstruct(self) -> tuple[str, tuple, dict]:
        return ("ronghe.platform.core.documents.DocumentValidator", (), {})


def _too_large(display: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        f"文件“{display}”过大：超过 {filesizeformat(limit)} 上限 (file larger than the {limit} byte limit)",
        code="file_size",
    )


def _content_matches(kind: DocumentKind, head: bytes) -> bool:
    if kind.magics:
        return any(head.startswith(magic) for magic in kind.magics)
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a multi-byte character cut by the sniff window
                return True
    return False


def _office_parts_present(kind: DocumentKind, upload: IO[bytes]) -> bool:
    """A .docx/.xlsx is a zip holding word/ or xl/ parts; any other zip renamed to it is refused."""
    if not kind.zip_member_prefix:
        return True
    try:
        with zipfile.ZipFile(upload) as archive:
            return any(name.startswith(kind.zip_member_prefix) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        _rewind(upload)


def _chunks(upload: IO[bytes]):
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
        return
    while chunk := upload.read(64 * 1024):
        yield chunk


def _rewind(upload: IO[bytes]) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
