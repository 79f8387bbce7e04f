"""Under concurrency (PostgreSQL): 50 parallel awards of one lot → one award; parallel accept and reject of one
milestone → one outcome; parallel retries of a payment with one Idempotency-Key → one payment, one answer.

Each thread has its own database connection, as separate web processes would. The in-memory SQLite test database
is one shared connection, so these run on PostgreSQL (CI, and ``DATABASE_URL=postgres://…`` locally).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ronghe.platform.core.audit import verify
from ronghe.platform.deals import services
from ronghe.platform.deals.models import Award, DealEvent, Milestone, Payment, SimulatedLedgerEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _parallel(n: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            out = work(i)
            with lock:
                results.append(out)
        except BaseException as exc:  # collected for the assertions
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_fifty_parallel_awards_of_one_lot_make_exactly_one(make_deal, users):
    rfq, bids = make_deal("opened")
    lot = rfq.lots.order_by("id").first()
    results, errors = _parallel(50, lambda i: services.award_lot(users["manufacturer"], lot, bid=bids[i % 2],
                                                                  reason=f"attempt {i}"))
    assert len(results) == 1, errors[:3]
    assert all(isinstance(e, ValidationError) for e in errors), [e for e in errors if not isinstance(e, ValidationError)]
    assert Award.objects.filter(lot=lot).count() == 1
    assert DealEvent.objects.filter(rfq=rfq, kind="awarded").count() == 1
    assert rfq.contracts.count() == 1
    assert verify().ok


def test_parallel_accept_and_reject_of_one_milestone_have_one_outcome(make_deal, users):
    rfq, _ = make_deal("submitted")
    milestone = Milestone.objects.filter(contract__rfq=rfq).order_by("id").first()

    def decide(i: int) -> str:
        if i % 2:
            services.accept_milestone(users["manufacturer"], milestone)
            return "accepted"
        services.reject_milestone(users["manufacturer"], milestone, reason=f"缺少数据 {i}")
        return "rejected"

    results, errors = _parallel(20, decide)
    assert len(results) == 1 and all(isinstance(e, ValidationError | PermissionDenied) for e in errors), errors[:3]
    milestone.refresh_from_db()
    assert milestone.state == results[0]
    decided = DealEvent.objects.filter(rfq=rfq, kind__in=["accepted", "rejected"], data__milestone=milestone.pk)
    assert decided.count() == 1
    assert verify().ok


def test_parallel_retries_with_one_idempotency_key_make_one_payment(make_deal, users):
    rfq, _ = make_deal("signed")
    milestone = Milestone.objects.filter(contract__rfq=rfq).order_by("id").first()
    token = Token.objects.get_or_create(user=users["manufacturer"])[0].key

    def call(i: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_IDEMPOTENCY_KEY="fund-once-7")
        response = client.post(f"/api/milestones/{milestone.pk}/fund/", format="json")
        return response.status_code, response.json()

    results, errors = _parallel(10, call)
    assert not errors, errors[:3]
    assert {code for code, _ in results} == {200}
    first = results[0][1]
    assert all(body == first for _, body in results)  # every retry got the first answer
    assert Payment.objects.filter(milestone=milestone, kind="fund").count() == 1
    assert SimulatedLedgerEntry.objects.filter(key__endswith=f"-m{milestone.pk}-fund").count() == 1
    assert verify().ok
