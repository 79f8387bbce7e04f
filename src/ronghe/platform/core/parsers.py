"""JSON request bodies that cannot turn into a 500: size, nesting depth and Unicode checked before use.

Python's JSON decoder recurses once per nesting level (1,000 levels raise RecursionError), and a lone surrogate
such as ``"\\ud800"`` decodes into a string that cannot be encoded again, so echoing it in a 400 message raised
UnicodeEncodeError. :func:`load_guarded` refuses both with a :class:`HostileJSON` before anything else sees the
data; :class:`GuardedJSONParser` is DRF's default JSON parser built on it, and
:class:`~ronghe.platform.core.middleware.JSONGuardMiddleware` applies the same check to every other view.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

# One JSON string literal; possessive, and a missing closing quote ends it at the end of the text, so the scan
# stays linear even on hostile input (no backtracking, no retry at every later quote).
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]++")


class HostileJSON(ValueError):
    """A JSON body refused before parsing; ``status`` is the HTTP answer (400, or 413 when too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "request body too large"
    default_code = "payload_too_large"


def nesting_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays/objects in ``text`` nest deeper than ``limit`` (brackets inside strings do not count)."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= limit:  # the usual body: no walk needed
        return False
    depth = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > limit:
            return True
    return False


def check_text(text: str) -> None:
    """Refuse JSON text nested deeper than ``RONGHE_MAX_JSON_DEPTH`` before it is decoded."""
    limit = settings.RONGHE_MAX_JSON_DEPTH
    if nesting_depth_exceeds(text, limit):
        raise HostileJSON(f"JSON 嵌套层数过多 (JSON nested deeper than {limit} levels)")


def check_unicode(data: Any) -> None:
    """Refuse decoded JSON holding a lone surrogate (``"\\ud800"``), in a key or a value: it is not text."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise HostileJSON("JSON 含无效的 Unicode 字符 (invalid Unicode in JSON: a lone surrogate such as \\ud800)") from None


def decode_body(raw: bytes, encoding: str | None) -> str:
    """The body as text, refusing one over ``RONGHE_MAX_JSON_BYTES`` or not in its declared charset."""
    limit = settings.RONGHE_MAX_JSON_BYTES
    if len(raw) > limit:
        raise HostileJSON(f"请求内容过大 (JSON body larger than {limit} bytes)", status=413)
    try:
        return raw.decode(encoding or settings.DEFAULT_CHARSET)
    except (UnicodeDecodeError, LookupError):
        raise HostileJSON(f"JSON 编码无效 (JSON body is not valid {encoding or settings.DEFAULT_CHARSET})") from None


def load_guarded(raw: bytes, encoding: str | None = None) -> Any:
    """Decode a JSON body with every guard above; malformed JSON raises ``json.JSONDecodeError`` as usual."""
    text = decode_body(raw, encoding)
    check_text(text)
    data = json.loads(text)
    check_unicode(data)
    return data


class GuardedJSONParser(JSONParser):
    """DRF's JSON parser behind the size, depth and Unicode guards (``DEFAULT_PARSER_CLASSES``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read(settings.RONGHE_MAX_JSON_BYTES + 1)
        try:
            text = decode_body(raw, encoding)
            check_text(text)
            data = drf_json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
            check_unicode(data)
        except HostileJSON as exc:
            raise (PayloadTooLarge(str(exc)) if exc.status == 413 else ParseError(str(exc))) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return data
