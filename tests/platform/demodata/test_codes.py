"""Credit codes of synthetic organizations: valid, unique per run, and a series per seed."""

from __future__ import annotations

import pytest

from ronghe.platform.accounts.validators import validate_credit_code
from ronghe.platform.demodata import codes


def test_codes_are_valid_and_unique_within_a_run():
    made = [codes.credit_code(7, serial, "320501") for serial in range(20_000)]
    assert len(set(made)) == len(made)
    for code in made[:2000]:
        validate_credit_code(code)
    assert {codes.series_of(c) for c in made} == {codes.series(7)}


def test_serial_scrambling_is_a_bijection():
    slots = {codes.credit_code(3, s, "110101")[13:17] for s in range(0, codes.SERIAL_SPACE, 97)}
    assert len(slots) == len(range(0, codes.SERIAL_SPACE, 97))


def test_seeds_get_distinct_series_that_never_look_like_typed_codes():
    series = [codes.series(seed) for seed in range(codes.SERIES_COUNT)]
    assert len(set(series)) == codes.SERIES_COUNT
    assert all(s[0] in codes.LETTERS for s in series)
    assert codes.series(5) == codes.series(5 + codes.SERIES_COUNT)


@pytest.mark.parametrize(
    "serial, area", [(-1, "320501"), (codes.SERIAL_SPACE, "320501"), (0, "3205"), (0, "32050X")]
)
def test_bad_arguments(serial, area):
    with pytest.raises(ValueError):
        codes.credit_code(1, serial, area)
