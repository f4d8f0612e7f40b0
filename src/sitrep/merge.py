"""Stage 9: reports of one incident become one event.

Within a document, two events from different articles merge when they have the same event
type and sub-event type, places within a few kilometres, and the same date (or both unknown).
The merged event keeps every claim with its article; its toll is recomputed from all claims.
"""

from __future__ import annotations

from collections.abc import Sequence

from sitrep.geo import distance_km
from sitrep.model import Event

SAME_PLACE_KM = 10.0


def same_incident(a: Event, b: Event) -> bool:
    """Whether two typed events from different articles report one incident."""
    if a.article == b.article or a.event_type is None or a.event_type != b.event_type:
        return False
    if a.sub_event_type != b.sub_event_type or a.date.date != b.date.date or a.date.date is None:
        return False
    if a.location is None or b.location is None:
        return False
    km = distance_km(a.location, b.location)
    return km is not None and km <= SAME_PLACE_KM


def merge_within(events: Sequence[Event]) -> list[Event]:
    """Merge events of one document that report the same incident; the first report stays primary."""
    out: list[Event] = []
    for event in events:
        target = next((e for e in out if same_incident(e, event)), None)
        if target is None:
            out.append(event)
            continue
        offset = len(target.claims)
        for claim in event.claims:
            if claim.part_of is not None:
                claim.part_of += offset
            target.claims.append(claim)
        target.evidence += [s for s in event.evidence if s not in target.evidence]
        target.notes.append(f"merged with the report in article {event.article}")
        _combine_tolls(target, event)
    return out


def _combine_tolls(target: Event, other: Event) -> None:
    """Two reports of one incident count the same people: keep the lowest and the highest toll."""
    lows = [e.fatalities_low for e in (target, other) if e.fatalities_low is not None]
    highs = [e.fatalities_high for e in (target, other) if e.fatalities_high is not None]
    target.fatalities_low = min(lows) if lows else None
    target.fatalities_high = max(highs) if highs else None
    target.fatalities = target.fatalities_low or 0
