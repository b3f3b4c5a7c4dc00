"""The Ledger: payments summed per payer, payee and currency (currencies are never mixed)."""

from __future__ import annotations

import decimal
from decimal import Decimal

import attrs

from timeline.events import Payment
from timeline.projections.projection import TimelineView

# Sums are exact: the default context rounds to 28 digits, and money must not be rounded silently.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, traps=[decimal.Inexact, decimal.InvalidOperation])


@attrs.frozen(kw_only=True)
class LedgerLine:
    """What `payer` paid `payee` in one currency, over the timeline's payments."""

    payer: str
    payee: str
    currency: str
    total: Decimal
    """The exact sum of the amounts."""
    approximate: bool
    """True if any amount in the sum is approximate: then the total is approximate too."""
    count: int
    """How many payments."""
    entry_ids: tuple[str, ...]
    """The payments' entry ids, in timeline order."""


class Ledger(TimelineView[tuple[LedgerLine, ...]]):
    """Payments summed per payer → payee per currency; one line each, sorted by payer, payee, currency."""

    @property
    def lines(self) -> tuple[LedgerLine, ...]:
        """The lines, sorted by (payer, payee, currency)."""
        return self._current()

    def _compute(self) -> tuple[LedgerLine, ...]:
        groups: dict[tuple[str, str, str], list[Payment]] = {}
        ids: dict[tuple[str, str, str], list[str]] = {}
        for entry in self.timeline.entries:
            event = entry.event
            if isinstance(event, Payment):
                key = (event.payer, event.payee, event.amount.currency)
                groups.setdefault(key, []).append(event)
                ids.setdefault(key, []).append(entry.id)
        lines = []
        for key in sorted(groups):
            payments = groups[key]
            total = Decimal(0)
            for payment in payments:
                total = _EXACT.add(total, payment.amount.value)
            lines.append(
                LedgerLine(
                    payer=key[0],
                    payee=key[1],
                    currency=key[2],
                    total=total,
                    approximate=any(payment.amount.approximate for payment in payments),
                    count=len(payments),
                    entry_ids=tuple(ids[key]),
                )
            )
        return tuple(lines)
