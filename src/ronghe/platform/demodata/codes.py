"""Unified social credit codes for synthetic organizations: valid, unique, and traceable to their seed.

Layout (GB 32100-2015): ``9`` ``1`` (enterprise) · 6-digit area (province + 4 digits) · 9-character
organization code · check character. The organization code is ``MA`` (the post-2015 prefix) + a 3-character
*series* derived from the seed (its first character is always a letter, so a series never looks like the
all-digit codes people type into tests) + a 4-character serial scrambled by an affine bijection.

Codes of one run are therefore unique by construction (the serial), and two runs collide only if their seeds
share a series (seeds ``s`` and ``s + 20181·k``); the generator refuses a series already loaded.
"""

from __future__ import annotations

from ronghe.platform.accounts.validators import CHARSET, credit_code_check_char

LETTERS = CHARSET[10:]  # A…Y without I, O, S, V, Z
SERIES_COUNT = len(LETTERS) * len(CHARSET) ** 2
SERIAL_SPACE = len(CHARSET) ** 4  # 923,521 organizations per run
_STEP = 370_261  # coprime with 31**4, so serial → slot is a bijection


def series(seed: int) -> str:
    """The 3-character code series of a seed."""
    n = seed % SERIES_COUNT
    n, c3 = divmod(n, len(CHARSET))
    n, c2 = divmod(n, len(CHARSET))
    return LETTERS[n] + CHARSET[c2] + CHARSET[c3]


def _base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, len(CHARSET))
        out.append(CHARSET[r])
    return "".join(reversed(out))


def credit_code(seed: int, serial: int, area: str) -> str:
    """The code of the ``serial``-th organization of the run with ``seed``, registered in ``area``."""
    if not 0 <= serial < SERIAL_SPACE:
        raise ValueError(f"serial {serial} outside 0..{SERIAL_SPACE - 1}")
    if len(area) != 6 or not area.isdigit():
        raise ValueError(f"area {area!r} is not six digits")
    slot = (serial * _STEP + seed * 7919) % SERIAL_SPACE
    body = f"91{area}MA{series(seed)}{_base31(slot, 4)}"
    return body + credit_code_check_char(body)


def series_of(code: str) -> str:
    """The series part of a code made here (characters 11–13)."""
    return code[10:13]
