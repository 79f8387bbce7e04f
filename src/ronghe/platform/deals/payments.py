"""The payment provider interface (托管支付接口) and the only implementation shipped: 「模拟支付」.

A milestone's money moves ``unfunded → funded → released | refunded``. The deal services call a
:class:`PaymentProvider` for each move with an idempotency key derived from the milestone and the operation
(``<ocid>-m<id>-<op>``), so the same move can never be made twice: a retry — after a timeout, a crash, a
duplicate request — gets the provider's first answer back. What a real escrow or bank integration must do is
written in docs/deals.md ("A real payment integration").

The simulated provider moves no money. It keeps its own ledger (``SimulatedLedgerEntry``) as a bank would, and is
labelled 「模拟支付」 wherever a payment is shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

SIMULATED_LABEL = "模拟支付"


@dataclass(frozen=True)
class PaymentResult:
    """The provider's answer to one call."""

    reference: str  # the provider's transaction id
    status: str  # succeeded | pending | failed
    provider: str


class PaymentError(Exception):
    """The provider refused or failed the call; nothing was moved (the service writes nothing either)."""


class PaymentProvider(Protocol):
    """What an escrow, bank or payment-institution integration implements. Every call is idempotent by ``key``."""

    name: str
    label: str

    def fund(self, key: str, *, amount: Decimal, currency: str, payer: str, reference: str) -> PaymentResult:
        """Take ``amount`` from the buyer into escrow for one milestone."""

    def release(self, key: str, *, amount: Decimal, currency: str, payee: str, reference: str) -> PaymentResult:
        """Pay the escrowed ``amount`` out to the provider."""

    def refund(self, key: str, *, amount: Decimal, currency: str, payer: str, reference: str) -> PaymentResult:
        """Return the escrowed ``amount`` to the buyer."""

    def status(self, key: str) -> PaymentResult | None:
        """The state of the call made with ``key`` (None if the provider never saw it): reconciliation."""


class SimulatedPaymentProvider:
    """「模拟支付」: for the demo and the tests; records each call once in its own ledger, moves nothing."""

    name = "simulated"
    label = SIMULATED_LABEL

    def _book(self, key: str, operation: str, amount: Decimal) -> PaymentResult:
        from ronghe.platform.deals.models import SimulatedLedgerEntry

        reference = "SIM-" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()
        entry, _created = SimulatedLedgerEntry.objects.get_or_create(
            key=key, defaults={"operation": operation, "amount": amount, "reference": reference})
        if entry.operation != operation or entry.amount != amount:
            raise PaymentError(f"idempotency key {key} was used for another call")
        return PaymentResult(entry.reference, "succeeded", self.name)

    def fund(self, key: str, *, amount: Decimal, currency: str = "CNY", payer: str = "", reference: str = ""
             ) -> PaymentResult:
        return self._book(key, "fund", amount)

    def release(self, key: str, *, amount: Decimal, currency: str = "CNY", payee: str = "", reference: str = ""
                ) -> PaymentResult:
        return self._book(key, "release", amount)

    def refund(self, key: str, *, amount: Decimal, currency: str = "CNY", payer: str = "", reference: str = ""
               ) -> PaymentResult:
        return self._book(key, "refund", amount)

    def status(self, key: str) -> PaymentResult | None:
        from ronghe.platform.deals.models import SimulatedLedgerEntry

        entry = SimulatedLedgerEntry.objects.filter(key=key).first()
        return PaymentResult(entry.reference, "succeeded", self.name) if entry else None


def payment_provider() -> PaymentProvider:
    """The configured provider (``RONGHE_PAYMENT_PROVIDER``, a dotted class path); the simulated one by default."""
    path = getattr(settings, "RONGHE_PAYMENT_PROVIDER", "ronghe.platform.deals.payments.SimulatedPaymentProvider")
    return import_string(path)()


def provider_label(name: str) -> str:
    """How a payment's provider is shown: the simulated one always as 「模拟支付」."""
    return SIMULATED_LABEL if name == SimulatedPaymentProvider.name else name
