"""Run one step of a deal in a child process and kill it with SIGKILL in the middle of its transaction.

``python -m tests.platform.deals._crash award <lot> <bid> <user>`` dies after the award row and its first chain
entry are written, before the contract is; ``release <milestone> <user>`` dies after the payment provider booked
the release, before the payment row and the milestone are written. ``check`` prints the chain's verification
and the rows a crash could have left half-done, as JSON. ``DATABASE_URL`` names the database.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import django


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ronghe.platform.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from ronghe.platform.core.audit import verify
    from ronghe.platform.deals import payments, services
    from ronghe.platform.deals.models import (
        Award,
        Bid,
        Contract,
        Lot,
        Milestone,
        Payment,
        SimulatedLedgerEntry,
    )

    mode = argv[0]
    if mode == "award":
        lot, bid, user = Lot.objects.get(pk=argv[1]), Bid.objects.get(pk=argv[2]), get_user_model().objects.get(pk=argv[3])
        real = services._event

        def event_then_die(actor, obj, action, rfq, **kw):
            real(actor, obj, action, rfq, **kw)
            if action == "lot.awarded":
                _die()

        services._event = event_then_die
        services.award_lot(user, lot, bid=bid, reason="crash test")
    elif mode == "release":
        milestone, user = Milestone.objects.get(pk=argv[1]), get_user_model().objects.get(pk=argv[2])
        real_release = payments.SimulatedPaymentProvider.release

        def release_then_die(self, key, **kw):
            real_release(self, key, **kw)
            _die()

        payments.SimulatedPaymentProvider.release = release_then_die
        services.release_payment(user, milestone)
    elif mode == "check":
        result = verify()
        print(json.dumps({
            "ok": result.ok, "broken": str(result.broken), "entries": result.entries,
            "awards": Award.objects.count(), "contracts": Contract.objects.count(),
            "lots": sorted(Lot.objects.values_list("state", flat=True)),
            "releases": Payment.objects.filter(kind="release").count(),
            "ledger_releases": SimulatedLedgerEntry.objects.filter(operation="release").count(),
            "payment_states": sorted(Milestone.objects.values_list("payment_state", flat=True)),
        }))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print("finished without the crash")  # the step ran to the end: the test fails on this


if __name__ == "__main__":
    main(sys.argv[1:])
