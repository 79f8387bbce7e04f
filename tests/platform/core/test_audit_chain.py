"""The audit chain: every service write lands on it, and any edit, deletion, insertion or reordering is found."""

from __future__ import annotations

import itertools
import threading

import pytest
from click.testing import CliRunner
from django.db import connection, connections, transaction

from ronghe.cli import main
from ronghe.platform.core import audit
from ronghe.platform.core.audit import append, compute_hash, entry_fields, log_confidential_access, verify
from ronghe.platform.core.models import AuditEntry, AuditHead, ConfidentialAccess


def _chain(orgs, n: int = 6) -> list[AuditEntry]:
    with transaction.atomic():
        return [append("system:test", orgs["manufacturer"], f"test.step{i}", before={"i": i}, after={"i": i + 1})
                for i in range(n)]


def _raw(sql: str, params: list) -> None:
    """Tamper as an operator with a SQL console would: straight to the table, no ORM save() hooks."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(sql.format(t=connection.ops.quote_name(table)), params)


@pytest.mark.django_db
def test_an_untouched_chain_verifies_and_links_each_entry_to_the_one_before(orgs):
    entries = _chain(orgs)
    result = verify()
    assert result.ok and result.entries == 6 and result.head_hash == entries[-1].hash
    assert entries[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash and after.seq == before.seq + 1
        assert compute_hash(entry_fields(AuditEntry.objects.get(pk=after.pk))) == after.hash
    assert audit.head() == (6, entries[-1].hash)


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused(orgs):
    with pytest.raises(RuntimeError):
        append("system:test", orgs["manufacturer"], "test.x")


@pytest.mark.django_db
def test_editing_an_entry_is_found_at_that_entry(orgs):
    entries = _chain(orgs)
    _raw("UPDATE {t} SET after = %s WHERE seq = %s", ['{"i": 99}', 3])
    result = verify()
    assert not result.ok and result.broken.seq == 3 and result.broken.kind == "edited"
    assert result.broken.entry_id == entries[2].pk


@pytest.mark.django_db
def test_editing_an_entry_and_recomputing_its_hash_breaks_the_next_link(orgs):
    _chain(orgs)
    row = AuditEntry.objects.get(seq=3)
    fields = {**entry_fields(row), "action": "test.forged"}
    _raw("UPDATE {t} SET action = %s, hash = %s WHERE seq = %s", ["test.forged", compute_hash(fields), 3])
    result = verify()
    assert not result.ok and result.broken.seq == 4


@pytest.mark.django_db
def test_deleting_an_entry_is_found_where_the_gap_is(orgs):
    _chain(orgs)
    _raw("DELETE FROM {t} WHERE seq = %s", [4])
    result = verify()
    assert not result.ok and result.broken.seq == 5 and result.broken.kind == "deleted"


@pytest.mark.django_db
def test_deleting_the_last_entries_is_found_by_the_head(orgs):
    _chain(orgs)
    _raw("DELETE FROM {t} WHERE seq >= %s", [5])
    result = verify()
    assert not result.ok and result.broken.kind == "truncated"


@pytest.mark.django_db
def test_inserting_a_forged_entry_is_found(orgs):
    entries = _chain(orgs)
    fields = {**entry_fields(entries[-1]), "seq": 7, "action": "test.forged", "prev_hash": "f" * 64}
    with transaction.atomic():
        AuditEntry.objects.create(**{**fields, "at": entries[-1].at, "hash": compute_hash(fields)})
        AuditHead.objects.filter(pk=1).update(seq=7, hash=compute_hash(fields))
    result = verify()
    assert not result.ok and result.broken.seq == 7 and result.broken.kind == "inserted"


@pytest.mark.django_db
def test_swapping_two_entries_is_found_as_a_reordering(orgs):
    _chain(orgs)
    _raw("UPDATE {t} SET seq = 1000 WHERE seq = %s", [2])
    _raw("UPDATE {t} SET seq = 2 WHERE seq = %s", [3])
    _raw("UPDATE {t} SET seq = 3 WHERE seq = %s", [1000])
    result = verify()
    assert not result.ok and result.broken.seq == 2 and result.broken.kind == "reordered"
    assert "#3" in result.broken.detail


@pytest.mark.django_db
def test_confidential_accesses_are_chained_and_a_deleted_record_is_noticed(orgs, users):
    row = log_confidential_access(users["provider"], orgs["manufacturer"], "details", "web")
    entry = AuditEntry.objects.get(seq=row.audit_seq)
    assert entry.action == "confidential.read" and entry.actor_id == users["provider"].pk
    assert entry.organization_id == orgs["provider"].pk and entry.after == {"what": "details", "channel": "web"}
    assert verify().ok
    ConfidentialAccess.objects.filter(pk=row.pk).delete()
    result = verify()
    assert not result.ok and result.broken.kind == "access-log" and result.broken.seq == row.audit_seq


@pytest.mark.django_db
def test_audit_cli_verifies_shows_and_fails_on_tampering(orgs):
    _chain(orgs, 3)
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "audit chain OK" in ok.output
    shown = runner.invoke(main, ["audit", "show", "--object", f"accounts.organization:{orgs['manufacturer'].pk}"])
    assert shown.exit_code == 0
    assert "test.step0" in shown.output and "test.step2" in shown.output
    bad = runner.invoke(main, ["audit", "show", "--object", "nope"])
    assert bad.exit_code != 0 and "TYPE:ID" in bad.output
    unknown = runner.invoke(main, ["audit", "show", "--object", "nope.nope:1"])
    assert unknown.exit_code != 0 and "unknown object type" in unknown.output
    _raw("UPDATE {t} SET actor = %s WHERE seq = %s", ["mallory", 1])
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1 and "#1" in broken.output and "edited" in broken.output


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_never_fork_the_chain(orgs):
    """Threads with their own connections append at once; the chain stays one line (PostgreSQL in CI)."""
    org = orgs["manufacturer"]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(10):
                with transaction.atomic():
                    append(f"system:writer{n}", org, "test.parallel", after={"n": n, "i": i})
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
    result = verify()
    assert result.ok, result.broken
    assert result.entries == 80
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 81))
