"""A plain-text table of one document's events, for `extract --format table` and the demo."""

from __future__ import annotations

from trucewatch.models import Document, Event

_COLUMNS = ("type", "who → whom", "claimed by", "date", "place", "weapon", "n", "killed/inj.")


def _row(event: Event) -> tuple[str, ...]:
    def show(value: object) -> str:
        return "-" if value is None else str(value)

    stance = {"asserts": "", "denies": " (denies)", "neutral": " (neutral)"}[event.stance]
    kind = event.type + (" [background]" if event.historical else "")
    return (
        kind,
        f"{show(event.actor)} → {show(event.target)}",
        event.source + stance,
        show(event.date),
        show(event.location),
        show(event.weapon),
        show(event.count),
        f"{show(event.killed)}/{show(event.injured)}",
    )


def format_table(doc: Document, events: list[Event]) -> str:
    """The document's id and publication date, then one aligned row per event."""
    head = f"== {doc.id}" + (f" (published {doc.published})" if doc.published else "")
    if not events:
        return f"{head}\n   no incidents found\n\n"
    rows = [_COLUMNS, *(_row(e) for e in events)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = [
        "   " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]
    return "\n".join([head, *lines]) + "\n\n"
