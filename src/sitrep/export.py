"""Stage 10: write results — the JSON contract of DESIGN.md, and a summary a person can read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from sitrep.model import Claim, Event, Result


def to_jsonl(result: Result, out: TextIO, verbose: bool = False) -> None:
    """Write one document as one JSON line."""
    out.write(json.dumps(result.to_dict(verbose), ensure_ascii=False) + "\n")


def to_json(results: Iterable[Result], out: TextIO, verbose: bool = False) -> None:
    """Write all documents as one JSON array."""
    json.dump([r.to_dict(verbose) for r in results], out, ensure_ascii=False, indent=2)
    out.write("\n")


def summary(result: Result, verbose: bool = False) -> str:
    """A readable account of one document: its articles, then each event with its claims."""
    lines = [f"== {result.id}  ({result.origin or 'input'})"]
    if result.skipped:
        lines.append(f"   skipped: {result.skipped}")
        return "\n".join(lines)
    for i, article in enumerate(result.articles):
        lines.append(f"   article {i}: {article.headline or '(no headline)'}")
    if not result.events:
        lines.append("   no events found")
    for n, event in enumerate(result.events, 1):
        lines += _event_lines(n, event, verbose)
    return "\n".join(lines)


def _event_lines(n: int, event: Event, verbose: bool) -> list[str]:
    """The lines describing one event."""
    kind = f"{event.event_type} / {event.sub_event_type}" if event.event_type else "(not political violence)"
    when = event.date.date.isoformat() if event.date.date else "date unknown"
    if event.date.date_end:
        when += f" to {event.date.date_end.isoformat()}"
    where = "place unknown"
    if event.location:
        loc = event.location
        where = ", ".join(x for x in (loc.name, loc.admin1, loc.country) if x) + f" [{loc.precision}]"
    actors = " vs ".join(a.name for a in (event.actor1, event.actor2) if a) or "actors unknown"
    lines = [
        f"-- event {n} (article {event.article}): {kind}",
        f"   when: {when}   where: {where}",
        f"   who: {actors}",
    ]
    if event.fatalities_low is not None:
        span = "" if event.fatalities_low == event.fatalities_high else f" (claims range {event.fatalities_low}–{event.fatalities_high})"
        lines.append(f"   fatalities: {event.fatalities}{span}")
    else:
        lines.append("   fatalities: 0 (no deaths reported)")
    for i, claim in enumerate(event.claims):
        lines.append("   " + _claim_line(i, claim))
    if verbose:
        lines += [f"   note: {note}" for note in (*event.notes, f"date: {event.date.reason}")]
    return lines


def _claim_line(i: int, claim: Claim) -> str:
    """One claim: the figure as written, who was counted, who said so, where."""
    who = claim.claimant or "unattributed"
    flags = []
    if claim.part_of is not None:
        flags.append(f"part of #{claim.part_of}")
    if claim.superseded:
        flags.append("superseded")
    extra = f" [{', '.join(flags)}]" if flags else ""
    return f"#{i} {claim.kind}: \"{claim.as_written}\" — {who}{extra} ({claim.field} {claim.start}–{claim.end})"
