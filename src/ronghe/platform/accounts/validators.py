"""统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters with a mod-31 check character."""

from __future__ import annotations

from django.core.exceptions import ValidationError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character for the first 17 (raises ValueError on a character outside the charset)."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位 (a unified social credit code has 18 characters)",
                              code="length")
    bad = [c for c in code if c not in CHARSET]
    if bad:
        raise ValidationError(f"统一社会信用代码含非法字符 {bad[0]!r} (invalid character)", code="charset")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位错误 (check character does not match)", code="checksum")
