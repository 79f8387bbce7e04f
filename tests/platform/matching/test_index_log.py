"""The index's change log under parallel writers: every bump gets its own generation and its own log row, so a
serving process never skips a change when it refreshes (PostgreSQL in CI; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from ronghe.platform.matching import index as match_index
from ronghe.platform.matching.models import IndexChange


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_bumps_each_get_one_generation_and_one_log_row():
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(10):
                match_index.bump(f"writer {n}", provider_id=n * 100 + i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert match_index.generation() == 80
    assert sorted(IndexChange.objects.values_list("generation", flat=True)) == list(range(1, 81))
    providers, demands = match_index.changes_since(0, 80)
    assert providers == {n * 100 + i for n in range(8) for i in range(10)} and demands == set()


@pytest.mark.django_db
def test_a_change_of_unknown_scope_or_a_gap_means_a_full_read():
    match_index.bump("one provider", provider_id=7)
    assert match_index.changes_since(0, 1) == ({7}, set())
    match_index.bump("anything")  # names neither: a full read
    assert match_index.changes_since(0, 2) is None
    IndexChange.objects.filter(generation=1).delete()  # a gap in the log
    assert match_index.changes_since(0, 1) is None
