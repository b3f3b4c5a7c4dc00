"""The reference story: five events of the 2025 US deportations to El Salvador, and one correction.

An invocation of the Alien Enemies Act (March 2025), the transfer of about 250 people to CECOT, a payment of
about 6 million dollars, the White House meeting of 14 April 2025, and Bukele's earlier offer. The payment is
first recorded without its purpose, which the correction then adds (same facts, recorded in two steps, so
that one entry has a revision).

Everything that would otherwise vary from run to run is FIXED here, so exports can be compared byte for byte
with the golden files: the event ids (FIXED_ID_*), the stream, and every recorded_at (FIXED_RECORDED_AT_*).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from timeline.codec import from_json
from timeline.projections import Timeline
from timeline.store import Recorded

STREAM = "el-salvador-deportations"

# FIXED ids: never generated, so UIDs and golden files stay put.
FIXED_ID_INVOCATION = "story-01-invocation"
FIXED_ID_TRANSFER = "story-02-transfer"
FIXED_ID_PAYMENT = "story-03-payment"
FIXED_ID_MEETING = "story-04-meeting"
FIXED_ID_STATEMENT = "story-05-statement"
FIXED_ID_CORRECTION = "story-06-correction"

# FIXED recorded_at: the first batch, then the correction a day later.
FIXED_RECORDED_AT_BATCH = datetime(2025, 4, 20, 12, 0, 0, tzinfo=UTC)
FIXED_RECORDED_AT_CORRECTION = FIXED_RECORDED_AT_BATCH + timedelta(days=1)

#: The story's events as JSON, in the order they are recorded.
EVENTS: list[dict[str, Any]] = [
    {
        "type": "invocation",
        "id": FIXED_ID_INVOCATION,
        "when": "2025-03",
        "by": "Donald Trump",
        "instrument": "Alien Enemies Act of 1798",
        "against": "Tren de Aragua",
    },
    {
        "type": "transfer",
        "id": FIXED_ID_TRANSFER,
        "when": "2025-03",
        "subjects": "alleged Tren de Aragua members",
        "count": {"value": 250, "approximate": True},
        "origin": "United States",
        "destination": "CECOT, El Salvador",
    },
    {
        "type": "payment",
        "id": FIXED_ID_PAYMENT,
        "when": "../2025-04-14",
        "payer": "United States",
        "payee": "El Salvador",
        "amount": {"value": "6000000", "currency": "USD", "approximate": True},
    },
    {
        "type": "meeting",
        "id": FIXED_ID_MEETING,
        "when": "2025-04-14",
        "participants": ["Donald Trump", "Nayib Bukele"],
        "place": "White House, Washington, DC",
    },
    {
        "type": "statement",
        "id": FIXED_ID_STATEMENT,
        "when": "2025-01-20/2025-02~",
        "by": "Nayib Bukele",
        "text": "offers to hold deportees from the US for a fee",
    },
]
CORRECTION: dict[str, Any] = {
    "type": "correction",
    "id": FIXED_ID_CORRECTION,
    "target": FIXED_ID_PAYMENT,
    "changes": {"purpose": "detention of deportees"},
    "reason": "the purpose of the payment was left out",
}


def records(*, corrected: bool = True) -> list[Recorded]:
    """The story as a store would record it (positions 1.., version = position, FIXED times)."""
    out = [
        Recorded(
            position=i, stream=STREAM, version=i, recorded_at=FIXED_RECORDED_AT_BATCH, event=from_json(data)
        )
        for i, data in enumerate(EVENTS, start=1)
    ]
    if corrected:
        n = len(out) + 1
        out.append(
            Recorded(
                position=n,
                stream=STREAM,
                version=n,
                recorded_at=FIXED_RECORDED_AT_CORRECTION,
                event=from_json(CORRECTION),
            )
        )
    return out


def story_timeline(*, corrected: bool = True) -> Timeline:
    """The story's Timeline (corrections applied)."""
    return Timeline.from_records(records(corrected=corrected), stream=STREAM)
