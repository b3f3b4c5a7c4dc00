"""The report of bench_compare.py: one size's figures against their targets, and the README's table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench_compare import Figures


ROWS: list[tuple[str, str, str, str]] = []  # for --markdown: (what, measured, target, verdict)
SIZE = [""]  # the current size, as the table's rows name it


def line(label: str, value: str, target: str, ok: bool) -> bool:
    """Print one figure beside its target, keep it for the table; whether it is met."""
    print(f"  {label:<44} {value:<34} target {target:<16} {'PASS' if ok else 'MISS'}")
    ROWS.append((f"{label}{SIZE[0]}", value, target, "met" if ok else "missed"))
    return ok


def unjudged(label: str, value: str, target: str, ok: bool) -> bool:
    """Print one figure beside a line it is not judged by here (``(PASS)`` or ``(MISS)``); keep it for the
    table; always True."""
    print(f"  {label:<44} {value:<34} target {target:<16} ({'PASS' if ok else 'MISS'})")
    ROWS.append((f"{label}{SIZE[0]}", value, target, "(met)" if ok else "(missed)"))
    return True


def markdown_table() -> str:
    """The figures as the README's table (``--markdown``)."""
    lines = ["| what | measured | target | |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {what} | {value} | {target.replace('>=', '≥').replace('<=', '≤')} | {verdict} |"
        for what, value, target, verdict in ROWS
    ]
    return "\n".join(lines)


def report(fig: Figures) -> bool:
    """Print one size's figures against their targets; True if all are met."""
    n, s = fig.n, fig.seconds
    print(f"N = {n:,} events")
    SIZE[0] = f", {n:,} events"
    ok = True
    r = s["raw append"] / s["append"]
    ok &= line(
        "batched append vs raw sqlite3",
        f"{n / s['append']:,.0f}/s vs {n / s['raw append']:,.0f}/s = {r:.2f}x",
        ">= 0.55x",
        r >= 0.55,
    )
    r = s["es append"] / s["append"]
    ok &= line(
        "batched append vs eventsourcing", f"vs {n / s['es append']:,.0f}/s = {r:.2f}x", ">= 2.0x", r >= 2.0
    )
    r = s["es decode"] / s["read_all"]
    ok &= line(
        "read_all vs eventsourcing log decode",
        f"{n / s['read_all']:,.0f}/s vs {n / s['es decode']:,.0f}/s = {r:.2f}x",
        ">= 1.5x",
        r >= 1.5,
    )
    print(f"  {'(raw SELECT + json.loads, for reference)':<44} {n / s['raw read']:,.0f}/s")
    r = s["es decode"] / s["rebuild"]
    ok &= line(
        "Timeline rebuild vs eventsourcing decode",
        f"{n / s['rebuild']:,.0f}/s = {r:.2f}x",
        ">= 2.0x",
        r >= 2.0,
    )
    # The issue sets the snapshot targets at 100,000 and 1,000,000 events; below, they are shown, not judged
    # (a 10,000-event rebuild lasts 40-60 ms, and a save's fixed costs are a large part of it).
    judged = n >= 100_000
    snapshot_line = line if judged else unjudged
    r = s["rebuild"] / s["checkpoint load"]
    ok &= snapshot_line(
        "checkpoint load vs rebuild",
        f"{n / s['checkpoint load']:,.0f}/s = {r:.2f}x faster",
        ">= 10x",
        r >= 10,
    )
    r = s["resume 1%"] / s["rebuild"]
    ok &= snapshot_line(
        "resume + catch-up of the last 1%",
        f"{s['resume 1%'] * 1000:,.0f} ms = {r:.1%} of a rebuild",
        "<= 10%",
        r <= 0.10,
    )
    r = s["resume file 1%"] / s["rebuild"]
    ok &= snapshot_line(
        "Timeline.resume from a file, 1% behind",
        f"{s['resume file 1%'] * 1000:,.0f} ms = {r:.1%} of a rebuild",
        "<= 10%",
        r <= 0.10,
    )
    r = s["resume 1% amended"] / s["rebuild"]
    unjudged(  # the bench's last 1% is new occurrences only: the same with corrections of old entries
        "resume 1%, 1 in 100 an old entry corrected",
        f"{s['resume 1% amended'] * 1000:,.0f} ms = {r:.1%} of a rebuild",
        "<= 10%",
        r <= 0.10,
    )
    print(f"  {'(checkpoint load + a full read of the entries)':<44} {s['load + read all'] * 1000:,.0f} ms")
    print(f"  {'(checkpoint save after that 1% catch-up)':<44} {s['save after catch-up'] * 1000:,.0f} ms")
    r = s["checkpoint save"] / s["rebuild"]
    unjudged(  # our own line, not the issue's: shown, not judged
        "checkpoint save (snapshot)",
        f"{s['checkpoint save'] * 1000:,.0f} ms = {r:.1%} of a rebuild, {fig.checkpoint_bytes // n:,} B/ev",
        "<= 50% (ours)",
        r <= 0.50,
    )
    print(f"  {'(full gc.collect with the Timeline alive)':<44} {s['full gc'] * 1000:,.0f} ms")
    if fig.memory_per_event:
        ok &= line(
            "Timeline peak memory per event",
            f"{fig.memory_per_event:,.0f} B",
            "<= 1,024 B",
            fig.memory_per_event <= 1024,
        )
    if fig.restored_memory:
        restored = f"{fig.restored_memory:,.0f} B + the payload, {fig.checkpoint_bytes // n:,} B/ev"
        print(f"  {'(restored from a checkpoint, entries read)':<44} {restored}")
    if "ical" in s:
        shown = fig.entries
        r = s["ics"] / s["ical"]
        ok &= line(
            "iCalendar export vs ics package",
            f"{shown / s['ical']:,.0f}/s vs {shown / s['ics']:,.0f}/s = {r:.2f}x",
            ">= 1.0x",
            r >= 1.0,
        )
        rate = shown / s["json"]
        ok &= line("JSON export", f"{rate:,.0f} events/s", ">= 60,000/s", rate >= 60_000)
    return ok
